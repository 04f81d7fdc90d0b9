import { errorMessage } from '../api';
import { useAlertList, useCameras } from '../queries';
import type { AlertView } from '../server-state';
import { useAlertsView } from '../stores/alerts-view';
import { useNow } from '../stores/clock';
import { AlertBulkBar } from './AlertBulkBar';
import { AlertRow } from './AlertRow';

export const RULES_HREF = '#/alerts/rules';

function ListFooter({ list }: { list: ReturnType<typeof useAlertList> }) {
  const more = list.hasNextPage;
  const loadingMore = list.isFetchingNextPage;
  const loadMoreError = list.isFetchNextPageError ? errorMessage(list.error) : null;
  if (!more && !loadMoreError) return null;
  return (
    <div className="list-footer">
      {loadMoreError && (
        <p className="field-error" role="alert">
          Could not load more alerts: {loadMoreError}
        </p>
      )}
      {more && (
        <button
          type="button"
          className="button"
          disabled={loadingMore}
          onClick={() => void list.fetchNextPage()}
        >
          {loadingMore ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}

/** `#/alerts`: active or all alerts, newest first, live; acknowledge and dismiss. */
export function AlertList() {
  const view = useAlertsView((s) => s.view);
  const selected = useAlertsView((s) => s.selected);
  const setView = useAlertsView((s) => s.setView);
  const list = useAlertList(view);
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const failed = list.isError && !list.isFetchNextPageError;
  const cameras = useCameras().data ?? [];
  const now = useNow();

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
        <AlertBulkBar items={items} />
      </div>

      {list.isPending && (
        <p className="muted" role="status">
          Loading alerts…
        </p>
      )}
      {failed && (
        <div className="notice notice-error" role="alert">
          <p>Could not load alerts: {errorMessage(list.error)}</p>
          <button type="button" className="button button-small" onClick={() => void list.refetch()}>
            Retry
          </button>
        </div>
      )}
      {list.isSuccess && items.length === 0 && (
        <div className="panel empty" data-testid="alerts-empty">
          <p className="empty-title">
            No alerts. Alerts appear when an event matches one of your rules.
          </p>
          <p>
            <a href={RULES_HREF}>Create an alert rule</a>
          </p>
        </div>
      )}
      {items.length > 0 && !failed && (
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
      {list.data && !failed && <ListFooter list={list} />}
    </>
  );
}
