/**
 * Background jobs of every kind, newest first: progress and Cancel while they run, how they
 * ended, each one's history on demand, and older jobs a page at a time.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Job } from '../../src-shared/domain';
import { errorMessage } from '../api';
import { useApi } from '../app-context';
import { dateTime } from '../format';
import {
  isDryRun,
  isJobActive,
  jobCountText,
  jobResultText,
  jobTitle,
  jobUnit,
} from '../operations-data';
import { useRecentJobs } from '../queries';
import { RECENT_JOBS_LIMIT, appendJobs } from '../server-state';
import { ErrorNotice } from './ErrorNotice';
import { JobHistory } from './JobHistory';
import { JobProgress, useCancelJob } from './JobProgress';
import { StatusBadge } from './StatusBadge';

const COLUMNS = 8;

function When({ iso }: { iso: string | null }) {
  return iso ? <time dateTime={iso}>{dateTime(iso)}</time> : <>—</>;
}

function JobRow({ job }: { job: Job }) {
  const cancelJob = useCancelJob();
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const title = jobTitle(job);
  const historyId = `job-history-${job.id}`;
  const cancel = () => {
    setError(null);
    cancelJob(job).catch((err: unknown) => setError(errorMessage(err)));
  };
  return (
    <>
      <tr
        data-testid="job-row"
        data-status={job.status}
        data-job-id={job.id}
        data-kind={job.kind}
        data-dry-run={isDryRun(job) || undefined}
      >
        <th scope="row" className="cell-name">
          {title}
        </th>
        <td>
          <StatusBadge status={job.status} />
        </td>
        <td className="job-progress-cell">
          {isJobActive(job.status) ? (
            <JobProgress
              job={job}
              label={`${title} progress`}
              onCancel={cancel}
              unit={jobUnit(job)}
            />
          ) : (
            <span className="cell-number">{jobCountText(job)}</span>
          )}
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
        </td>
        <td>{jobResultText(job.result)}</td>
        <td>
          <When iso={job.startedAt} />
        </td>
        <td>
          <When iso={job.finishedAt} />
        </td>
        <td className="job-error-cell">{job.error ?? '—'}</td>
        <td>
          <button
            type="button"
            className="button button-small"
            aria-expanded={open}
            aria-controls={open ? historyId : undefined}
            onClick={() => setOpen((o) => !o)}
          >
            History<span className="visually-hidden"> of {title}</span>
          </button>
        </td>
      </tr>
      {open && (
        <tr className="job-history-row">
          <td colSpan={COLUMNS}>
            <JobHistory job={job} id={historyId} title={title} />
          </td>
        </tr>
      )}
    </>
  );
}

/** "Load more": the page after the last job shown, added to the list pushes keep current. */
function useOlderJobs(jobs: readonly Job[]) {
  const api = useApi();
  const qc = useQueryClient();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // The last job after which `jobs.list` had nothing more (none: keep offering).
  const [endAfter, setEndAfter] = useState<string | null>(null);
  const last = jobs.at(-1);
  const more = jobs.length >= RECENT_JOBS_LIMIT && last !== undefined && last.id !== endAfter;
  const load = async () => {
    if (!last) return;
    setLoading(true);
    setError(null);
    try {
      const older = await api.invoke('jobs.list', { cursor: last.id, limit: RECENT_JOBS_LIMIT });
      appendJobs(qc, older);
      if (older.length < RECENT_JOBS_LIMIT) setEndAfter(older.at(-1)?.id ?? last.id);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  };
  return { more, loading, error, load };
}

export function JobList() {
  const query = useRecentJobs();
  const jobs = query.data ?? [];
  const older = useOlderJobs(jobs);
  return (
    <section className="panel ops-area" aria-labelledby="ops-jobs-title" data-testid="ops-jobs">
      <h2 id="ops-jobs-title">Background jobs</h2>
      <p className="field-hint analytics-note">
        Re-evaluations of stored events, prompt evaluations and retention runs, newest first;
        exports are on the Exports page.
      </p>
      {query.isError && <ErrorNotice error={query.error} prefix="Could not load jobs" />}
      {query.isPending && <p className="muted">Loading…</p>}
      {query.isSuccess && jobs.length === 0 && (
        <p className="muted" data-testid="jobs-empty">
          No background jobs yet — re-evaluating events on Calibration, evaluating a prompt version
          on Prompts or a retention run starts one.
        </p>
      )}
      {jobs.length > 0 && (
        <div className="table-wrap">
          <table className="table table-compact job-table">
            <caption className="visually-hidden">Background jobs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Status</th>
                <th scope="col">Progress</th>
                <th scope="col">Counts</th>
                <th scope="col">Started</th>
                <th scope="col">Finished</th>
                <th scope="col">Error</th>
                <th scope="col">History</th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((job) => (
                <JobRow key={job.id} job={job} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {older.error !== null && (
        <ErrorNotice error={older.error} prefix="Could not load older jobs" />
      )}
      {older.more && (
        <button
          type="button"
          className="button load-more"
          disabled={older.loading}
          onClick={() => void older.load()}
        >
          {older.loading ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}
