import { useEffect, useRef, useState } from 'react';
import { errorMessage } from '../api';
import { plural } from '../format';
import { useEvents } from '../stores/events';

/** Select all loaded events and mark the selection reviewed. */
export function EventBulkBar() {
  const items = useEvents((s) => s.items);
  const selected = useEvents((s) => s.selected);
  const selectAllLoaded = useEvents((s) => s.selectAllLoaded);
  const markSelectedReviewed = useEvents((s) => s.markSelectedReviewed);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const allRef = useRef<HTMLInputElement>(null);

  const count = selected.size;
  const all = items.length > 0 && count >= items.length && items.every((e) => selected.has(e.id));
  const some = count > 0 && !all;

  useEffect(() => {
    if (allRef.current) allRef.current.indeterminate = some;
  }, [some]);

  const onMark = () => {
    setBusy(true);
    setMessage(null);
    setError(null);
    markSelectedReviewed().then(
      (updated) => {
        setBusy(false);
        setMessage(`Marked ${plural(updated, 'event')} reviewed`);
      },
      (err: unknown) => {
        setBusy(false);
        setError(`Could not mark events reviewed: ${errorMessage(err)}`);
      },
    );
  };

  return (
    <div className="bulk-bar" role="group" aria-label="Bulk review">
      <label className="checkbox-row">
        <input
          ref={allRef}
          type="checkbox"
          checked={all}
          disabled={items.length === 0}
          onChange={(e) => selectAllLoaded(e.target.checked)}
        />
        Select all loaded
      </label>
      <span className="muted" data-testid="events-selected">
        {count} selected
      </span>
      <button
        type="button"
        className="button button-small button-primary"
        disabled={count === 0 || busy}
        onClick={onMark}
      >
        Mark reviewed
      </button>
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
