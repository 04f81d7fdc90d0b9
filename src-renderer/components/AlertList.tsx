import { useEffect } from 'react';
import { useCameras } from '../stores/cameras';
import { useNow } from '../stores/clock';
import { useConnection } from '../stores/connection';
import type { AlertView } from '../stores/alerts';
import { startAlertsSync, useAlerts } from '../stores/alerts';
import { AlertBulkBar } from './AlertBulkBar';
import { AlertRow } from './AlertRow';

export const RULES_HREF = '#/alerts/rules';

function ListFooter() {
  const nextCursor = useAlerts((s) => s.nextCursor);
  const loadingMore = useAlerts((s) => s.loadingMore);
  const loadMoreError = useAlerts((s) => s.loadMoreError);
  const loadMore = useAlerts((s) => s.loadMore);
  if (nextCursor === null && !loadMoreError) return null;
  return (
    <div className="list-footer">
      {loadMoreError && (
        <p className="field-error" role="alert">
          Could not load more alerts: {loadMoreError}
        </p>
      )}
      {nextCursor !== null && (
        <button
          type="button"
          className="button"
          disabled={loadingMore}
          onClick={() => void loadMore()}
        >
          {loadingMore ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}

/** `#/alerts`: active or all alerts, newest first, live; acknowledge and dismiss. */
export function AlertList() {
  const view = useAlerts((s) => s.view);
  const items = useAlerts((s) => s.items);
  const status = useAlerts((s) => s.status);
  const error = useAlerts((s) => s.error);
  const selected = useAlerts((s) => s.selected);
  const setView = useAlerts((s) => s.setView);
  const reload = useAlerts((s) => s.reload);
  const cameras = useCameras((s) => s.cameras);
  const reconnects = useConnection((s) => s.reconnects);
  const now = useNow();

  useEffect(() => startAlertsSync(), []);

  useEffect(() => {
    void useAlerts.getState().reload();
    void useCameras.getState().load();
  }, [reconnects]);

  const cameraName = (id: string) => cameras.find((c) => c.id === id)?.name ?? id;

  return (
    <>
      <div className="alerts-toolbar">
        <div className="filter-field">
          <label htmlFor="alerts-show">Show</label>
          <select
            id="alerts-show"
            value={view}
            onChange={(e) => setView(e.target.value as AlertView)}
          >
            <option value="active">Active</option>
            <option value="all">All</option>
          </select>
        </div>
        <AlertBulkBar />
      </div>

      {(status === 'idle' || (status === 'loading' && items.length === 0)) && (
        <p className="muted" role="status">
          Loading alerts…
        </p>
      )}
      {status === 'error' && (
        <div className="notice notice-error" role="alert">
          <p>Could not load alerts: {error}</p>
          <button type="button" className="button button-small" onClick={() => void reload()}>
            Retry
          </button>
        </div>
      )}
      {status === 'ready' && items.length === 0 && (
        <div className="panel empty" data-testid="alerts-empty">
          <p className="empty-title">
            No alerts. Alerts appear when an event matches one of your rules.
          </p>
          <p>
            <a href={RULES_HREF}>Create an alert rule</a>
          </p>
        </div>
      )}
      {items.length > 0 && status !== 'error' && (
        <ul className="alert-list" aria-label="Alert list">
          {items.map((alert) => (
            <AlertRow
              key={alert.id}
              alert={alert}
              cameraName={cameraName(alert.cameraId)}
              selected={selected.has(alert.id)}
              now={now}
            />
          ))}
        </ul>
      )}
      {status === 'ready' && <ListFooter />}
    </>
  );
}
