import { useState } from 'react';
import type { FieldPath, FieldValues } from 'react-hook-form';
import { useController, useFormContext } from 'react-hook-form';
import { firstMessage } from '../forms/fields';
import { FieldMessages, describedBy } from './Field';

/** "person=1.5, cat=0.5" → its entries as typed (name → factor text). */
function entriesOf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of text.split(',')) {
    const m = /^\s*([^=]+?)\s*=\s*(.*?)\s*$/.exec(item);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

const textOf = (entries: Map<string, string>) =>
  [...entries].map(([name, factor]) => `${name}=${factor}`).join(', ');

/**
 * A table of factors (class multipliers, camera sensitivity): one row per known name (and
 * per name already set), a number from 0 to 3 each; 1 (or blank) means unchanged and is left
 * out. The form holds the list as `name=factor` text, which its schema checks; issues show
 * under the table.
 */
export function FactorTable<T extends FieldValues>({
  name,
  id,
  caption,
  nameHeader,
  rows,
  hint,
  addLabel,
}: {
  name: FieldPath<T>;
  id: string;
  caption: string;
  nameHeader: string;
  /** The names offered even when unset (the detector's classes, the cameras). */
  rows: { key: string; label: string }[];
  hint: string;
  /** Offer a row for another name (e.g. a class the detector list lacks). */
  addLabel?: string;
}) {
  const { control } = useFormContext<T>();
  const { field, fieldState } = useController({ name, control });
  const entries = entriesOf(String(field.value ?? ''));
  const [added, setAdded] = useState<string[]>([]);
  const [newName, setNewName] = useState('');
  const labels = new Map(rows.map((r) => [r.key, r.label]));
  const keys = [...new Set([...rows.map((r) => r.key), ...entries.keys(), ...added])];
  const message = firstMessage(fieldState.error);
  const errors = message ? [message] : undefined;
  // An issue names its row (`classMultipliers.dog`), or the whole list.
  const invalid = (key: string) => {
    const e = fieldState.error as (Record<string, unknown> & { message?: string }) | undefined;
    return !!e && (typeof e.message === 'string' ? true : key in e);
  };

  // Kept as typed while editing ("1." on the way to "1.5"); blank, or 1 once left, is unset.
  const set = (key: string, factor: string) => {
    const next = new Map(entries);
    if (factor.trim() === '') next.delete(key);
    else next.set(key, factor.trim());
    field.onChange(textOf(next));
  };
  const settle = (key: string) => {
    if (entries.has(key) && Number(entries.get(key)) === 1) set(key, '');
    field.onBlur();
  };

  return (
    <div className="field">
      <table className="factor-table" id={id}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{nameHeader}</th>
            <th scope="col">Factor</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => {
            const label = labels.get(key) ?? key;
            return (
              <tr key={key}>
                <th scope="row">{label}</th>
                <td>
                  <input
                    type="number"
                    min={0}
                    max={3}
                    step={0.05}
                    aria-label={`${caption}: ${label}`}
                    aria-invalid={invalid(key) ? true : undefined}
                    aria-describedby={describedBy(id, true, !!errors)}
                    value={entries.get(key) ?? '1'}
                    onChange={(e) => set(key, e.target.value)}
                    onBlur={() => settle(key)}
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {addLabel && (
        <div className="factor-add">
          <input
            type="text"
            aria-label={addLabel}
            placeholder={addLabel}
            value={newName}
            spellCheck={false}
            onChange={(e) => setNewName(e.target.value)}
          />
          <button
            type="button"
            className="button button-small"
            disabled={!newName.trim() || keys.includes(newName.trim())}
            onClick={() => {
              setAdded([...added, newName.trim()]);
              setNewName('');
            }}
          >
            Add
          </button>
        </div>
      )}
      <FieldMessages id={id} hint={hint} errors={errors} />
    </div>
  );
}
