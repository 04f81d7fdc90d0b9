/**
 * What a version declares: the built-in variables it uses (each with what it holds) and
 * constants of its own, name and fixed value, that `{{name}}` in the text is replaced with.
 */
import { useEffect, useRef } from 'react';
import { useController, useFieldArray, useFormContext, useWatch } from 'react-hook-form';
import { BUILT_IN_VARIABLES, VARIABLE_DESCRIPTIONS, placeholders } from '../../src-shared/prompts';
import { FormText } from '../forms/fields';
import type { PromptForm } from '../prompt-form';

function BuiltInChecklist({ used }: { used: ReadonlySet<string> }) {
  const { control } = useFormContext<PromptForm>();
  const { field } = useController({ name: 'builtIns', control });
  const selected = field.value;
  const toggle = (name: string, on: boolean) =>
    field.onChange(on ? [...selected, name] : selected.filter((n) => n !== name));
  return (
    <fieldset className="choice-group prompt-builtins">
      <legend>Built-in variables</legend>
      <p className="field-hint">Tick the ones the prompt uses: the app fills them in per event.</p>
      <ul className="variable-list">
        {BUILT_IN_VARIABLES.map((name) => (
          <li key={name}>
            <label className="choice">
              <input
                type="checkbox"
                checked={selected.includes(name)}
                onChange={(e) => toggle(name, e.target.checked)}
                aria-describedby={`prompt-var-${name}-help`}
              />
              <code>{name}</code>
            </label>
            {used.has(name) && <span className="variable-used">used</span>}
            <span id={`prompt-var-${name}-help`} className="field-hint variable-help">
              {VARIABLE_DESCRIPTIONS[name]}
            </span>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}

function Constants() {
  const { control } = useFormContext<PromptForm>();
  const rows = useFieldArray({ control, name: 'constants' });
  // Focus the new row's name once it is there (the inputs are not registered refs).
  const focusRow = useRef<number | null>(null);
  const count = rows.fields.length;
  useEffect(() => {
    if (focusRow.current === null) return;
    document.getElementById(`prompt-constant-${focusRow.current}-name`)?.focus();
    focusRow.current = null;
  }, [count]);
  return (
    <fieldset className="choice-group prompt-constants">
      <legend>Constants</legend>
      <p className="field-hint">
        Variables of your own with a fixed value (who lives here, what is normal at your house):
        write <code>{'{{name}}'}</code> in the prompt where the value goes.
      </p>
      {rows.fields.length === 0 && <p className="muted">No constants.</p>}
      {rows.fields.map((row, i) => (
        <div key={row.id} className="constant-row">
          <FormText<PromptForm>
            name={`constants.${i}.name`}
            id={`prompt-constant-${i}-name`}
            label={`Constant ${i + 1} name`}
            spellCheck={false}
            autoComplete="off"
          />
          <FormText<PromptForm>
            name={`constants.${i}.value`}
            id={`prompt-constant-${i}-value`}
            label={`Constant ${i + 1} value`}
            autoComplete="off"
          />
          <button
            type="button"
            className="button button-small button-danger-quiet"
            aria-label={`Remove constant ${i + 1}`}
            onClick={() => rows.remove(i)}
          >
            Remove
          </button>
        </div>
      ))}
      <button
        type="button"
        className="button button-small"
        onClick={() => {
          focusRow.current = count;
          rows.append({ name: '', value: '' }, { shouldFocus: false });
        }}
      >
        Add constant
      </button>
    </fieldset>
  );
}

export function PromptVariablesFields() {
  const body = useWatch<PromptForm, 'body'>({ name: 'body' });
  const used = new Set(placeholders(body).map((p) => p.name));
  return (
    <div className="prompt-variables">
      <BuiltInChecklist used={used} />
      <Constants />
    </div>
  );
}
