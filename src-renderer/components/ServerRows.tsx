/**
 * A list of servers edited in place (inference servers, LLM servers): one fieldset per row
 * with its own Remove button, an Add button below. Focus follows the change: the new row's
 * first field after Add, the Add button (enabled again if the list was full) after Remove.
 */
import type { ReactNode } from 'react';
import { useEffect, useRef } from 'react';
import { MAX_ENDPOINTS } from '../settings-form';

export function ServerRows({
  keys,
  legend,
  idPrefix,
  fields,
  removeLabel,
  addLabel,
  onAdd,
  onRemove,
  beforeAdd,
}: {
  /** One stable key per row (react-hook-form's field ids). */
  keys: readonly string[];
  legend: (i: number) => string;
  /** Row i's first input has the id `${idPrefix}-${i}-url`: it is focused when the row is added. */
  idPrefix: string;
  fields: (i: number) => ReactNode;
  removeLabel: (i: number) => string;
  addLabel: string;
  onAdd: () => void;
  onRemove: (i: number) => void;
  /** Shown between the rows and the Add button. */
  beforeAdd?: ReactNode;
}) {
  const addRef = useRef<HTMLButtonElement>(null);
  // The inputs are not registered refs: the row to focus is found by id once it is drawn.
  const focusRow = useRef<number | 'add' | null>(null);
  const count = keys.length;
  useEffect(() => {
    if (focusRow.current === 'add') addRef.current?.focus();
    else if (focusRow.current !== null) {
      document.getElementById(`${idPrefix}-${focusRow.current}-url`)?.focus();
    }
    focusRow.current = null;
  }, [count, idPrefix]);

  return (
    <>
      {keys.map((key, i) => (
        <fieldset key={key} className="choice-group">
          <legend>{legend(i)}</legend>
          {fields(i)}
          <button
            type="button"
            className="button button-small button-danger-quiet"
            aria-label={removeLabel(i)}
            onClick={() => {
              focusRow.current = 'add';
              onRemove(i);
            }}
          >
            Remove
          </button>
        </fieldset>
      ))}
      {beforeAdd}
      <p>
        <button
          ref={addRef}
          type="button"
          className="button button-small"
          disabled={count >= MAX_ENDPOINTS}
          onClick={() => {
            focusRow.current = count;
            onAdd();
          }}
        >
          {addLabel}
        </button>
      </p>
    </>
  );
}
