import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import type { Alert } from '../../src-shared/domain';
import type { AlertAction } from '../alert-actions';
import { actOnEach, canAct } from '../alert-actions';
import { useApi } from '../app-context';
import { plural } from '../format';
import { useAlertsView } from '../stores/alerts-view';

/** Select all loaded alerts; acknowledge or dismiss the selection. */
export function AlertBulkBar({ items }: { items: readonly Alert[] }) {
  const api = useApi();
  const qc = useQueryClient();
  const selected = useAlertsView((s) => s.selected);
  const selectAll = useAlertsView((s) => s.selectAll);
  const setSelected = useAlertsView((s) => s.setSelected);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const [error, setError] = useState<string | null>(null);
  const allRef = useRef<HTMLInputElement>(null);

  // Only alerts still in view count (others may have left it, acted on elsewhere).
  const count = items.filter((a) => selected.has(a.id)).length;
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
    // Only what the action changes: acknowledge active alerts, dismiss what is not dismissed.
    const targets = items.filter((a) => selected.has(a.id) && canAct(a, action));
    for (const id of selected) {
      if (!targets.some((a) => a.id === id)) setSelected(id, false);
    }
    actOnEach(api, qc, targets, action, (id) => setSelected(id, false)).then(
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
          onChange={(e) =>
            selectAll(
              items.map((a) => a.id),
              e.target.checked,
            )
          }
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
