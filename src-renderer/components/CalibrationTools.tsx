/**
 * The Calibration page's tools around its form: threshold sliders over the histogram of
 * current scores (counting live what moving them changes), the exact preview of the form as
 * it stands, suggestions from feedback, and re-evaluation of stored events as a job.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import type { UseFormReturn } from 'react-hook-form';
import { useWatch } from 'react-hook-form';
import type { CalibrationPreview, CalibrationSettings } from '../../src-shared/calibration';
import type { CalibrationSuggestion } from '../../src-shared/calibration-suggest';
import type { ChannelInput } from '../../src-shared/contract';
import type { Job, RiskThresholds } from '../../src-shared/domain';
import { RISK_LEVELS, riskLevelFor } from '../../src-shared/domain';
import { errorMessage } from '../api';
import { useApi } from '../app-context';
import type { CalibrationForm } from '../calibration-form';
import { calibrationFormSchema, factorsText } from '../calibration-form';
import { dateTime, plural } from '../format';
import { RISK_LABELS, riskClass } from '../risk';
import { useCalibrationPreview, useCalibrationSuggestions, useRecalibrationJobs } from '../queries';
import { cacheJob } from '../server-state';
import { RiskBadge } from './RiskBadge';
import { JobProgress, useCancelJob } from './JobProgress';

type Form = UseFormReturn<CalibrationForm, unknown, ChannelInput<'calibration.update'>>;
type Histogram = CalibrationPreview['histogram'];

const PREVIEW_DELAY_MS = 350;
const SCOPE_TEXT = 'the last 30 days';

/** The form's values as a `calibration.update`, once they have rested a moment; null if invalid. */
function useCandidate(form: Form): ChannelInput<'calibration.update'> | null {
  const values = useWatch({ control: form.control });
  const [candidate, setCandidate] = useState<ChannelInput<'calibration.update'> | null>(null);
  useEffect(() => {
    const timer = setTimeout(() => {
      const parsed = calibrationFormSchema.safeParse(values);
      setCandidate(parsed.success ? parsed.data : null);
    }, PREVIEW_DELAY_MS);
    return () => clearTimeout(timer);
  }, [values]);
  return candidate;
}

/** Events of the histogram whose level differs under `t` (they keep their scores). */
export function levelChangesAt(histogram: Histogram, t: RiskThresholds): number {
  let n = 0;
  for (const level of RISK_LEVELS) {
    histogram[level].forEach((count, score) => {
      if (count && riskLevelFor(score, t) !== level) n += count;
    });
  }
  return n;
}

function ThresholdHistogram({ histogram, t }: { histogram: Histogram; t: RiskThresholds }) {
  const totals = Array.from({ length: 101 }, (_, s) =>
    RISK_LEVELS.reduce((sum, l) => sum + (histogram[l][s] ?? 0), 0),
  );
  const max = Math.max(1, ...totals);
  return (
    <div className="score-histogram" aria-hidden="true">
      {totals.map((n, score) => (
        <span
          key={score}
          className={`score-bar ${riskClass(riskLevelFor(score, t))}`}
          style={{ height: `${n ? Math.max(4, (n / max) * 100) : 0}%` }}
          title={`${n} at score ${score}`}
        />
      ))}
      {/* Named, not only coloured: each level starts at its line. */}
      {(['medium', 'high', 'critical'] as const).map((l) => (
        <span key={l} className="score-threshold" style={{ left: `${t[l]}%` }}>
          <span className="score-threshold-label">{RISK_LABELS[l]}</span>
        </span>
      ))}
    </div>
  );
}

/** Sliders for the day thresholds over the histogram of current scores. */
export function ThresholdSliders({ form, histogram }: { form: Form; histogram?: Histogram }) {
  const raw = useWatch({ control: form.control, name: 'thresholds' });
  const t: RiskThresholds = {
    medium: Number(raw.medium) || 0,
    high: Number(raw.high) || 0,
    critical: Number(raw.critical) || 0,
  };
  const changes = histogram ? levelChangesAt(histogram, t) : null;
  return (
    <div className="threshold-sliders">
      {histogram && <ThresholdHistogram histogram={histogram} t={t} />}
      {(['medium', 'high', 'critical'] as const).map((level) => (
        <label key={level} className="threshold-slider">
          <span>{RISK_LABELS[level]} from</span>
          <input
            type="range"
            min={1}
            max={100}
            step={1}
            value={t[level]}
            aria-label={`${RISK_LABELS[level]} threshold`}
            onChange={(e) =>
              form.setValue(`thresholds.${level}`, e.target.value, {
                shouldDirty: true,
                shouldValidate: true,
              })
            }
          />
          <span className="threshold-value" aria-hidden="true">
            {t[level]}
          </span>
        </label>
      ))}
      {changes !== null && (
        <p className="muted" aria-live="polite" data-testid="slider-changes">
          With these thresholds, {plural(changes, 'event')} of {SCOPE_TEXT} would change level.
        </p>
      )}
    </div>
  );
}

function Matrix({ matrix }: { matrix: CalibrationPreview['matrix'] }) {
  return (
    <table className="preview-matrix">
      <caption>Events by level now (rows) and after (columns)</caption>
      <thead>
        <tr>
          <th scope="col">Now ↓ / After →</th>
          {RISK_LEVELS.map((l) => (
            <th key={l} scope="col">
              {RISK_LABELS[l]}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {RISK_LEVELS.map((from) => (
          <tr key={from}>
            <th scope="row">{RISK_LABELS[from]}</th>
            {RISK_LEVELS.map((to) => (
              <td key={to} className={from !== to && matrix[from][to] ? 'changed' : undefined}>
                {matrix[from][to]}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The exact effect of the form as it stands, over the last 30 days (nothing is written). */
export function CalibrationPreviewPanel({
  form,
  onHistogram,
}: {
  form: Form;
  onHistogram: (h: Histogram) => void;
}) {
  const candidate = useCandidate(form);
  const preview = useCalibrationPreview(candidate ? { calibration: candidate } : null);
  const data = preview.data;
  useEffect(() => {
    if (data) onHistogram(data.histogram);
  }, [data, onHistogram]);
  return (
    <section className="panel" aria-labelledby="calibration-preview" aria-busy={preview.isFetching}>
      <h2 id="calibration-preview">Preview</h2>
      {!candidate && <p className="muted">Fix the form above to see what it would change.</p>}
      {preview.isError && (
        <p className="notice notice-error" role="alert">
          Could not preview: {errorMessage(preview.error)}
        </p>
      )}
      {candidate && data && (
        <>
          <p data-testid="preview-summary">
            Of {plural(data.total, 'event')} in {SCOPE_TEXT},{' '}
            <strong>{plural(data.changed, 'event')}</strong> would change level ({data.scoreChanged}{' '}
            change score).
          </p>
          <Matrix matrix={data.matrix} />
          {(data.rulesNewlyMatching.length > 0 || data.rulesNoLongerMatching.length > 0) && (
            <ul className="preview-rules">
              {data.rulesNewlyMatching.map((r) => (
                <li key={`n-${r.ruleId}`}>
                  Rule “{r.name}” would newly match {plural(r.events, 'event')}.
                </li>
              ))}
              {data.rulesNoLongerMatching.map((r) => (
                <li key={`s-${r.ruleId}`}>
                  Rule “{r.name}” would stop matching {plural(r.events, 'event')} (their active
                  alerts are resolved).
                </li>
              ))}
            </ul>
          )}
          {data.sample.length > 0 && (
            <ul className="preview-sample" aria-label="Some events that would change">
              {data.sample.map((e) => (
                <li key={e.id}>
                  {dateTime(e.startedAt)} · {e.cameraName}:{' '}
                  <RiskBadge level={e.previousRiskLevel} score={e.previousRiskScore} /> →{' '}
                  <RiskBadge level={e.riskLevel} score={e.riskScore} />
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

/** Puts a suggestion's values into the form (saving stays the homeowner's call). */
function fillSuggestion(form: Form, s: CalibrationSuggestion): void {
  const opts = { shouldDirty: true, shouldValidate: true } as const;
  const { thresholds, classMultipliers, cameraSensitivity } = s.patch;
  if (thresholds) {
    for (const level of ['medium', 'high', 'critical'] as const) {
      form.setValue(`thresholds.${level}`, String(thresholds[level]), opts);
    }
  }
  if (classMultipliers) form.setValue('classMultipliers', factorsText(classMultipliers), opts);
  if (cameraSensitivity) form.setValue('cameraSensitivity', factorsText(cameraSensitivity), opts);
}

/** Suggestions from the homeowner's feedback; "Apply" fills the form, nothing is saved. */
export function SuggestionsPanel({ form }: { form: Form }) {
  const query = useCalibrationSuggestions();
  const [note, setNote] = useState('');
  return (
    <section className="panel" aria-labelledby="calibration-suggestions">
      <h2 id="calibration-suggestions">Suggestions from your feedback</h2>
      {query.isError && (
        <p className="notice notice-error" role="alert">
          Could not load suggestions: {errorMessage(query.error)}
        </p>
      )}
      {query.data && query.data.suggestions.length === 0 && (
        <p className="muted">
          {query.data.labelled < 3
            ? 'Mark a few events as correct, false positive or missed threat (Events page) and suggestions appear here.'
            : `Your ${query.data.labelled} labelled events are already on the right side of the thresholds.`}
        </p>
      )}
      {query.data && query.data.suggestions.length > 0 && (
        <ul className="suggestions">
          {query.data.suggestions.map((s) => (
            <li key={`${s.kind}-${s.key ?? ''}`}>
              <span>
                {s.reason} {plural(s.changes, 'event')} of {SCOPE_TEXT} would change level.
              </span>
              <button
                type="button"
                className="button"
                onClick={() => {
                  fillSuggestion(form, s);
                  setNote('Suggestion filled in: check the preview, then save.');
                }}
              >
                Apply suggestion
              </button>
            </li>
          ))}
        </ul>
      )}
      <p role="status" className="status-line">
        {note}
      </p>
    </section>
  );
}

/** What a finished job did, in words ('' while it runs or when it failed). */
function jobSummary(job: Job | undefined): string {
  if (!job) return '';
  const r = job.result ?? {};
  const counts = `${plural(r.changed ?? 0, 'event')} changed, ${plural(r.alertsRaised ?? 0, 'alert')} raised, ${plural(r.alertsResolved ?? 0, 'alert')} resolved`;
  switch (job.status) {
    case 'completed':
      return `Re-evaluated ${plural(job.processed, 'event')}: ${counts}.`;
    case 'cancelled':
      return `Cancelled after ${job.processed} of ${job.total ?? '?'} events: ${counts}.`;
    default:
      return '';
  }
}

/** Stored events re-evaluated under the saved calibration, as a job with progress and cancel. */
export function ReevaluatePanel({ saved }: { saved: CalibrationSettings & { updatedAt: string } }) {
  const api = useApi();
  const qc = useQueryClient();
  const cancelJob = useCancelJob();
  const jobs = useRecalibrationJobs();
  const [error, setError] = useState('');
  const [starting, setStarting] = useState(false);
  const latest = jobs.data?.[0];
  const running = latest && (latest.status === 'running' || latest.status === 'pending');
  // Saved after the last job began: stored events still carry the old levels.
  const stale = useMemo(
    () => !latest || saved.updatedAt > latest.createdAt,
    [latest, saved.updatedAt],
  );
  const start = async () => {
    setError('');
    setStarting(true);
    try {
      const { jobId } = await api.invoke('calibration.reevaluate', {});
      cacheJob(qc, await api.invoke('jobs.get', { id: jobId }));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setStarting(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="calibration-reevaluate">
      <h2 id="calibration-reevaluate">Re-evaluate stored events</h2>
      <p className="muted">
        Saving changes how new events are scored. Re-evaluating gives the events of {SCOPE_TEXT}{' '}
        their new levels too; alert rules they now match raise alerts, and alerts whose events no
        longer match are resolved.
      </p>
      {running && latest ? (
        <JobProgress
          job={latest}
          label="Re-evaluation progress"
          onCancel={() =>
            void cancelJob(latest).catch((err: unknown) => setError(errorMessage(err)))
          }
        />
      ) : (
        <button
          type="button"
          className={`button ${stale ? 'button-primary' : ''}`}
          disabled={starting}
          onClick={() => void start()}
        >
          Re-evaluate {SCOPE_TEXT}
        </button>
      )}
      {/* Always present, so the change of text is announced when a job ends. */}
      <p role="status" className="status-line">
        {running ? '' : jobSummary(latest)}
      </p>
      {latest?.status === 'failed' && (
        <p className="notice notice-error" role="alert">
          Re-evaluation failed: {latest.error}
        </p>
      )}
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
