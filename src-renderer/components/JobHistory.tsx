import type { Job } from '../../src-shared/domain';
import { dateTime } from '../format';
import { useJobHistory } from '../queries';
import { ErrorNotice } from './ErrorNotice';
import { StatusBadge } from './StatusBadge';

/** A job's status changes and log lines, oldest first. */
export function JobHistory({ job, id, title }: { job: Job; id: string; title: string }) {
  const query = useJobHistory(job);
  const entries = query.data ?? [];
  return (
    <section id={id} className="job-history" aria-label={`History of ${title}`}>
      {query.isError && <ErrorNotice error={query.error} prefix="Could not load its history" />}
      {query.isPending && <p className="muted">Loading…</p>}
      {query.isSuccess && entries.length === 0 && (
        <p className="muted">Nothing recorded for this job.</p>
      )}
      {entries.length > 0 && (
        <ol className="debug-logs job-history-list">
          {entries.map((e, i) => (
            <li key={i} className={`log-${e.level}`} data-testid="job-history-entry">
              <time className="muted" dateTime={e.at}>
                {dateTime(e.at)}
              </time>{' '}
              <strong>{e.level}</strong> {e.status && <StatusBadge status={e.status} />} {e.message}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
