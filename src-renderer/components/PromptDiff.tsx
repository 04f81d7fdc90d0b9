/** Two versions of a template side by side: removed lines left, added lines right. */
import type { PromptVersion } from '../../src-shared/prompts';
import { diffCounts, sideBySide } from '../prompt-diff';
import type { DiffCell } from '../prompt-diff';
import { plural } from '../format';
import { SelectField } from './Field';

const SIGN = { removed: '−', added: '+', same: ' ' } as const;
const SPOKEN = { removed: 'removed: ', added: 'added: ', same: '' } as const;

function Cell({ cell }: { cell: DiffCell | null }) {
  if (!cell) return <td className="diff-line diff-empty" colSpan={2} />;
  return (
    <>
      <td className="diff-num">{cell.line}</td>
      <td className={`diff-line diff-${cell.kind}`}>
        <span className="diff-sign" aria-hidden="true">
          {SIGN[cell.kind]}
        </span>
        {SPOKEN[cell.kind] && <span className="visually-hidden">{SPOKEN[cell.kind]}</span>}
        {cell.text}
      </td>
    </>
  );
}

/** What differs besides the text: declared variables, constants, parameters. */
function otherChanges(a: PromptVersion, b: PromptVersion): string[] {
  const out: string[] = [];
  const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
  if (!same(a.variables, b.variables)) out.push('declared variables');
  if (!same(a.constants, b.constants)) out.push('constants');
  for (const key of Object.keys(a.params) as (keyof PromptVersion['params'])[]) {
    if (!same(a.params[key], b.params[key])) out.push(key);
  }
  return out;
}

const label = (v: PromptVersion) => `Version ${v.number}${v.active ? ' (active)' : ''}`;

/** Versions as the options of a select ("Version 2 (active)"). */
export const versionOptions = (versions: readonly PromptVersion[]) =>
  versions.map((v) => ({ value: v.id, label: label(v) }));

export function PromptDiff({
  versions,
  fromId,
  toId,
  onChange,
}: {
  versions: readonly PromptVersion[];
  fromId: string;
  toId: string;
  onChange: (fromId: string, toId: string) => void;
}) {
  const from = versions.find((v) => v.id === fromId);
  const to = versions.find((v) => v.id === toId);
  const options = versionOptions(versions);
  const rows = from && to ? sideBySide(from.body, to.body) : [];
  const counts = diffCounts(rows);
  const others = from && to ? otherChanges(from, to) : [];
  return (
    <section className="panel" aria-labelledby="prompt-diff-title">
      <h2 id="prompt-diff-title">Compare versions</h2>
      <div className="field-pair">
        <SelectField
          id="prompt-diff-from"
          label="Compare"
          value={fromId}
          options={options}
          onValueChange={(id) => onChange(id, toId)}
        />
        <SelectField
          id="prompt-diff-to"
          label="with"
          value={toId}
          options={options}
          onValueChange={(id) => onChange(fromId, id)}
        />
      </div>
      {from && to && (
        <>
          <p data-testid="prompt-diff-summary">
            {counts.removed + counts.added === 0
              ? 'The text is the same.'
              : `${plural(counts.removed, 'line')} removed, ${plural(counts.added, 'line')} added.`}
            {others.length > 0 && ` Also changed: ${others.join(', ')}.`}
          </p>
          <div className="table-wrap diff-wrap">
            <table className="diff-table">
              <caption className="visually-hidden">
                {label(from)} on the left, {label(to)} on the right
              </caption>
              <thead>
                <tr>
                  <th colSpan={2} scope="colgroup">
                    {label(from)}
                  </th>
                  <th colSpan={2} scope="colgroup">
                    {label(to)}
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row, i) => (
                  <tr key={i}>
                    <Cell cell={row.left} />
                    <Cell cell={row.right} />
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
