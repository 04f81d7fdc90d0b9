import { dateTime } from '../format';
import { SERVICE_LOG_LINES, useServiceLogs } from '../queries';
import { ErrorNotice } from './ErrorNotice';

/** A service's latest log lines (a managed server's own output among them), newest first. */
export function ServiceLogs({ name, id }: { name: string; id: string }) {
  const query = useServiceLogs(name);
  const items = query.data?.items ?? [];
  return (
    <section id={id} className="service-logs" aria-labelledby={`${id}-title`}>
      <div className="panel-header">
        <h3 id={`${id}-title`}>Logs of {name}</h3>
        <button
          type="button"
          className="button button-small"
          disabled={query.isFetching}
          onClick={() => void query.refetch()}
        >
          Refresh
        </button>
      </div>
      {query.isError && <ErrorNotice error={query.error} prefix="Could not load its log" />}
      {query.isPending && <p className="muted">Loading…</p>}
      {query.isSuccess && items.length === 0 && (
        <p className="muted" data-testid="service-logs-empty">
          No log lines from {name} yet.
        </p>
      )}
      {items.length > 0 && (
        <>
          <p className="field-hint">The latest {SERVICE_LOG_LINES} lines at most, newest first.</p>
          <ol className="debug-logs" aria-label={`Log lines of ${name}`}>
            {items.map((e) => (
              <li key={e.id} className={`log-${e.level}`}>
                <time className="muted" dateTime={e.at}>
                  {dateTime(e.at)}
                </time>{' '}
                <strong>{e.level}</strong> {e.module && <span>[{e.module}]</span>} {e.message}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
