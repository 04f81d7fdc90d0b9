/**
 * Evaluating a version on the homeowner's own history: the events they gave feedback on are
 * analysed again with it, as a job with progress and cancel; the report compares its answers
 * with the feedback and with the stored results.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Job } from '../../src-shared/domain';
import type { PromptTemplateDetail } from '../../src-shared/prompts';
import { useApi } from '../app-context';
import { plural } from '../format';
import { usePromptEvaluation, usePromptEvaluations } from '../queries';
import { cacheJob } from '../server-state';
import { ErrorNotice } from './ErrorNotice';
import { JobProgress, useCancelJob } from './JobProgress';
import { SelectField, TextField } from './Field';
import { PromptEvaluationReport } from './PromptEvaluationReport';
import { versionOptions } from './PromptDiff';

const ended = (job: Job | undefined) => job?.status === 'completed' || job?.status === 'cancelled';

function jobText(job: Job | undefined): string {
  if (!job) return '';
  const failures = job.result?.failures ?? 0;
  if (job.status === 'completed') {
    return `Evaluated ${plural(job.processed, 'event')} (${plural(failures, 'parse failure')}).`;
  }
  if (job.status === 'cancelled') {
    return `Cancelled after ${job.processed} of ${job.total ?? '?'} events.`;
  }
  return '';
}

/** "limit" as typed → a number, undefined (blank) or an error message. */
function parseLimit(text: string): number | undefined | string {
  if (!text.trim()) return undefined;
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 && n <= 10_000 ? n : 'A whole number from 1 to 10000';
}

export function PromptEvaluatePanel({ template }: { template: PromptTemplateDetail }) {
  const api = useApi();
  const qc = useQueryClient();
  const cancelJob = useCancelJob();
  const jobs = usePromptEvaluations();
  const latest = jobs.data?.[0];
  const running = latest && (latest.status === 'running' || latest.status === 'pending');
  const report = usePromptEvaluation(ended(latest) ? latest!.id : null);
  const [versionId, setVersionId] = useState(
    template.activeVersionId ?? template.versions[0]?.id ?? '',
  );
  const [limit, setLimit] = useState('');
  const [limitError, setLimitError] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [starting, setStarting] = useState(false);
  const numberOf = (id: string) => template.versions.find((v) => v.id === id)?.number;

  const start = async () => {
    const n = parseLimit(limit);
    setLimitError(typeof n === 'string' ? n : null);
    if (typeof n === 'string') return;
    setError(null);
    setStarting(true);
    try {
      const { jobId } = await api.invoke('prompts.evaluate', {
        versionId,
        ...(n !== undefined && { limit: n }),
      });
      cacheJob(qc, await api.invoke('jobs.get', { id: jobId }));
    } catch (err) {
      setError(err);
    } finally {
      setStarting(false);
    }
  };
  const cancel = (job: Job) => void cancelJob(job).catch((err: unknown) => setError(err));
  const reportVersion = report.data ? numberOf(report.data.versionId) : undefined;

  return (
    <section className="panel" aria-labelledby="prompt-evaluate-title">
      <h2 id="prompt-evaluate-title">Evaluate on your history</h2>
      <p className="muted">
        Runs a version on the events you marked correct, false positive or missed threat, and says
        how often it agrees with you. Events keep their stored scores.
      </p>
      <form
        className="form-inline"
        aria-label="Evaluate a version"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!starting && !running) void start();
        }}
      >
        <SelectField
          id="prompt-evaluate-version"
          label="Version"
          value={versionId}
          onValueChange={setVersionId}
          options={versionOptions(template.versions)}
        />
        <TextField
          id="prompt-evaluate-limit"
          label="At most (events)"
          type="number"
          min={1}
          max={10000}
          step={1}
          value={limit}
          onValueChange={setLimit}
          hint="Blank: every event with feedback."
          errors={limitError ? [limitError] : undefined}
        />
        <div className="form-actions">
          <button
            type="submit"
            className="button button-primary"
            disabled={starting || Boolean(running)}
          >
            Start evaluation
          </button>
        </div>
      </form>
      {running && latest && (
        <JobProgress job={latest} label="Evaluation progress" onCancel={() => cancel(latest)} />
      )}
      {/* Always present, so the change of text is announced when a job ends. */}
      <p role="status" className="status-line">
        {running ? '' : jobText(latest)}
      </p>
      {latest?.status === 'failed' && (
        <p className="notice notice-error" role="alert">
          Evaluation failed: {latest.error}
        </p>
      )}
      {error !== null && <ErrorNotice error={error} prefix="Could not evaluate" />}
      {jobs.isError && <ErrorNotice error={jobs.error} prefix="Could not load evaluations" />}
      {report.isError && <ErrorNotice error={report.error} prefix="Could not load the report" />}
      {report.data && (
        <PromptEvaluationReport
          report={report.data}
          versionLabel={
            reportVersion === undefined
              ? 'A version of another template'
              : `Version ${reportVersion}`
          }
        />
      )}
      {jobs.data?.length === 0 && !error && (
        <p className="empty-inline">
          No evaluation yet: pick a version and start one. It needs events with feedback (Events
          page: Was this right?).
        </p>
      )}
    </section>
  );
}
