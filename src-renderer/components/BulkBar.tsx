import type { ReactNode } from 'react';
import { useEffect, useRef } from 'react';

interface BulkBarProps {
  /** The group's accessible name. */
  label: string;
  /** The ids of the loaded items the bar acts on. */
  ids: readonly string[];
  selected: ReadonlySet<string>;
  selectAll: (ids: readonly string[], selected: boolean) => void;
  /** Marks the "N selected" count for tests. */
  testId: string;
  /** What the last action did (announced), and what went wrong, if anything. */
  message: string | null;
  error: string | null;
  /** The action buttons; they get how many loaded items are selected. */
  children: (count: number) => ReactNode;
}

/** "Select all loaded", the selected count, the actions and their outcome (events, alerts). */
export function BulkBar({
  label,
  ids,
  selected,
  selectAll,
  testId,
  message,
  error,
  children,
}: BulkBarProps) {
  const allRef = useRef<HTMLInputElement>(null);
  // Only loaded items count (others may have left the list, acted on elsewhere).
  const count = ids.filter((id) => selected.has(id)).length;
  const all = ids.length > 0 && count === ids.length;
  const some = count > 0 && !all;

  useEffect(() => {
    if (allRef.current) allRef.current.indeterminate = some;
  }, [some]);

  return (
    <div className="bulk-bar" role="group" aria-label={label}>
      <label className="checkbox-row">
        <input
          ref={allRef}
          type="checkbox"
          checked={all}
          disabled={ids.length === 0}
          onChange={(e) => selectAll(ids, e.target.checked)}
        />
        Select all loaded
      </label>
      <span className="muted" data-testid={testId}>
        {count} selected
      </span>
      {children(count)}
      <span className="status-line bulk-status" role="status">
        {message}
      </span>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
