/** Background jobs of every kind, newest first: progress and Cancel while they run, how they ended. */
import { useState } from 'react';
import type { Job } from '../../src-shared/domain';
import { errorMessage } from '../api';
import { dateTime } from '../format';
import { isJobActive, jobCountText, jobKindText, jobResultText } from '../operations-data';
import { useRecentJobs } from '../queries';
import { ErrorNotice } from './ErrorNotice';
import { JobProgress, useCancelJob } from './JobProgress';
import { StatusBadge } from './StatusBadge';

function When({ iso }: { iso: string | null }) {
  return iso ? <time dateTime={iso}>{dateTime(iso)}</time> : <>—</>;
}

function JobRow({ job }: { job: Job }) {
  const cancelJob = useCancelJob();
  const [error, setError] = useState<string | null>(null);
  const kind = jobKindText(job.kind);
  const cancel = () => {
    setError(null);
    cancelJob(job).catch((err: unknown) => setError(errorMessage(err)));
  };
  return (
    <tr data-testid="job-row" data-status={job.status} data-job-id={job.id}>
      <th scope="row" className="cell-name">
        {kind}
      </th>
      <td>
        <StatusBadge status={job.status} />
      </td>
      <td className="job-progress-cell">
        {isJobActive(job.status) ? (
          <JobProgress job={job} label={`${kind} progress`} onCancel={cancel} />
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
    </tr>
  );
}

export function JobList() {
  const query = useRecentJobs();
  const jobs = query.data ?? [];
  return (
    <section className="panel ops-area" aria-labelledby="ops-jobs-title" data-testid="ops-jobs">
      <h2 id="ops-jobs-title">Background jobs</h2>
      <p className="field-hint analytics-note">
        Re-evaluations of stored events and prompt evaluations, newest first; exports are on the
        Exports page.
      </p>
      {query.isError && <ErrorNotice error={query.error} prefix="Could not load jobs" />}
      {query.isPending && <p className="muted">Loading…</p>}
      {query.isSuccess && jobs.length === 0 && (
        <p className="muted" data-testid="jobs-empty">
          No background jobs yet — re-evaluating events on Calibration or evaluating a prompt
          version on Prompts starts one.
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
    </section>
  );
}
