import { useEffect, useRef, useState } from 'react';
import { plural } from '../format';
import type { AlertAction } from '../stores/alerts';
import { useAlerts } from '../stores/alerts';

/** Select all loaded alerts; acknowledge or dismiss the selection. */
export function AlertBulkBar() {
  const items = useAlerts((s) => s.items);
  const selected = useAlerts((s) => s.selected);
  const selectAll = useAlerts((s) => s.selectAll);
  const actOnSelected = useAlerts((s) => s.actOnSelected);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const [error, setError] = useState<string | null>(null);
  const allRef = useRef<HTMLInputElement>(null);

  const count = selected.size;
  const all = items.length > 0 && items.every((a) => selected.has(a.id));
  const some = count > 0 && !all;

  useEffect(() => {
    if (allRef.current) allRef.current.indeterminate = some;
  }, [some]);

  const run = (action: AlertAction) => {
    setBusy(true);
    setMessage('');
    setError(null);
    const verb = action === 'acknowledge' ? 'Acknowledged' : 'Dismissed';
    actOnSelected(action).then(
      ({ done, failed, error: firstError }) => {
        setBusy(false);
        setMessage(`${verb} ${plural(done, 'alert')}`);
        if (failed > 0) setError(`${plural(failed, 'alert')} failed: ${firstError ?? ''}`);
      },
      () => setBusy(false),
    );
  };

  return (
    <div className="bulk-bar" role="group" aria-label="Bulk actions">
      <label className="checkbox-row">
        <input
          ref={allRef}
          type="checkbox"
          checked={all}
          disabled={items.length === 0}
          onChange={(e) => selectAll(e.target.checked)}
        />
        Select all loaded
      </label>
      <span className="muted" data-testid="alerts-selected">
        {count} selected
      </span>
      <button
        type="button"
        className="button button-small button-primary"
        disabled={count === 0 || busy}
        onClick={() => run('acknowledge')}
      >
        Acknowledge selected
      </button>
      <button
        type="button"
        className="button button-small"
        disabled={count === 0 || busy}
        onClick={() => run('dismiss')}
      >
        Dismiss selected
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
