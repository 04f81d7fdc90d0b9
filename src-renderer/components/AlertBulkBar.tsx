import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Alert } from '../../src-shared/domain';
import type { AlertAction } from '../alert-actions';
import { actOnEach, canAct } from '../alert-actions';
import { useApi } from '../app-context';
import { plural } from '../format';
import { useAlertsView } from '../stores/alerts-view';
import { BulkBar } from './BulkBar';

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
    <BulkBar
      label="Bulk actions"
      ids={items.map((a) => a.id)}
      selected={selected}
      selectAll={selectAll}
      testId="alerts-selected"
      message={message}
      error={error}
    >
      {(count) => (
        <>
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
        </>
      )}
    </BulkBar>
  );
}
