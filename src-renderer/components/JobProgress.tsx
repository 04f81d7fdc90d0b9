import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { Job } from '../../src-shared/domain';
import { useApi } from '../app-context';
import { cacheJob } from '../server-state';

/** Cancels a job and puts its answer in the cache (rejects with the server's error). */
export function useCancelJob(): (job: Job) => Promise<void> {
  const api = useApi();
  const qc = useQueryClient();
  return useCallback(
    async (job: Job) => cacheJob(qc, await api.invoke('jobs.cancel', { id: job.id })),
    [api, qc],
  );
}

/** A running job's bar, its count (of events, or `unit`) and its Cancel button. */
export function JobProgress({
  job,
  label,
  onCancel,
  unit = 'events',
}: {
  job: Job;
  /** What the bar is read out as ("Evaluation progress"). */
  label: string;
  onCancel: () => void;
  unit?: string;
}) {
  return (
    <div className="job-progress">
      <progress
        max={100}
        value={job.progress}
        aria-label={label}
        aria-valuenow={Math.round(job.progress)}
        aria-valuetext={`${job.processed} of ${job.total ?? '?'} ${unit}`}
      />
      <span className="export-progress-text">
        {job.processed} / {job.total ?? '?'}
      </span>
      <button type="button" className="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
