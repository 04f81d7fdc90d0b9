import { useQueryClient } from '@tanstack/react-query';
import type { RefObject } from 'react';
import { useEffect, useState } from 'react';
import type { Job, ModelChoice } from '../../../src-shared/domain';
import type { Settings } from '../../../src-shared/settings';
import { useBusyAction } from '../../use-busy-action';
import { useApi } from '../../app-context';
import { detectorText, fileSizeText } from '../../format';
import { isJobActive } from '../../operations-data';
import { useDetectorModels, useDetectorStatus, useJobs } from '../../queries';
import { cacheJob, keys } from '../../server-state';
import { completeStep } from '../../setup-state';
import { ErrorNotice } from '../ErrorNotice';
import { StepFrame } from './StepFrame';

export const MODEL_DOWNLOAD_KIND = 'model-download';

function modelState(m: ModelChoice): string {
  if (m.active) return 'in use';
  if (m.installed) return 'installed';
  return m.downloadable ? 'not installed, can be downloaded' : 'not installed';
}

function DownloadProgress({ job }: { job: Job }) {
  if (job.status === 'failed') {
    return (
      <ErrorNotice error={new Error(job.error ?? 'The download failed')} prefix="Download failed" />
    );
  }
  const text = `${fileSizeText(job.processed)} of ${fileSizeText(job.total)}`;
  return (
    <div className="job-progress" data-testid="setup-model-download">
      <progress
        max={100}
        value={job.progress}
        aria-label="Model download progress"
        aria-valuetext={text}
      />
      <span className="export-progress-text">
        {job.status === 'completed' ? 'Downloaded' : isJobActive(job.status) ? text : job.status}
      </span>
    </div>
  );
}

export function DetectionStep({
  headingRef,
}: {
  headingRef: RefObject<HTMLHeadingElement | null>;
}) {
  const api = useApi();
  const qc = useQueryClient();
  const models = useDetectorModels();
  const status = useDetectorStatus();
  const jobs = useJobs(MODEL_DOWNLOAD_KIND);
  const list = models.data ?? [];
  const preset = list.find((m) => m.active) ?? list.find((m) => m.default) ?? list[0];
  const [picked, setPicked] = useState<string | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const { busy, error, run } = useBusyAction();
  const chosen = list.find((m) => m.name === (picked ?? preset?.name));
  const job = jobs.data?.find((j) => j.id === jobId) ?? null;
  const jobStatus = job?.status;
  // A finished download makes the model installed.
  useEffect(() => {
    if (jobStatus === 'completed') void qc.invalidateQueries({ queryKey: keys.detectorModels });
  }, [jobStatus, qc]);

  const download = (m: ModelChoice) =>
    run(async () => {
      const started = await api.invoke('detector.download', { name: m.name });
      cacheJob(qc, started);
      qc.setQueryData<Job[]>(keys.jobs(MODEL_DOWNLOAD_KIND), (l) =>
        l?.some((j) => j.id === started.id) ? l : [started, ...(l ?? [])],
      );
      setJobId(started.id);
    });
  const use = (m: ModelChoice) =>
    run(async () => {
      const next = await api.invoke('system.settings.update', { detector: { model: m.name } });
      qc.setQueryData<Settings>(keys.settings, next);
      await qc.invalidateQueries({ queryKey: keys.detectorModels });
      await qc.invalidateQueries({ queryKey: keys.detectorStatus });
      completeStep('detection', `Detection model ${m.name}`);
    });

  return (
    <StepFrame
      title="Detection"
      headingRef={headingRef}
      intro="A detection model finds people, vehicles and animals in each snapshot. The bundled default suits most homes."
      onSkip={() =>
        completeStep('detection', status.data ? `Kept ${status.data.model}` : 'Kept the default')
      }
    >
      {status.data && (
        <p className="status-line" data-testid="setup-detector-status">
          Detector: {status.data.status} — {detectorText(status.data)}
        </p>
      )}
      {status.isError && <ErrorNotice error={status.error} prefix="Could not read the detector" />}
      {models.isError && <ErrorNotice error={models.error} prefix="Could not list the models" />}
      {models.isPending && <p className="muted">Loading models…</p>}
      {list.length > 0 && (
        <fieldset className="setup-choices">
          <legend>Model</legend>
          {list.map((m) => (
            <label key={m.name} className="radio-row">
              <input
                type="radio"
                name="setup-model"
                value={m.name}
                checked={chosen?.name === m.name}
                onChange={() => setPicked(m.name)}
              />
              {m.name} ({m.family}, {fileSizeText(m.bytes)}
              {m.licence ? `, ${m.licence}` : ''}) — {modelState(m)}
              {m.default ? ' · default' : ''}
            </label>
          ))}
        </fieldset>
      )}
      {chosen && (
        <div className="form-actions">
          {chosen.installed ? (
            <button
              type="button"
              className="button button-primary"
              disabled={busy}
              onClick={() => void use(chosen)}
            >
              {chosen.active ? `Keep ${chosen.name}` : `Use ${chosen.name}`}
            </button>
          ) : chosen.downloadable ? (
            <button
              type="button"
              className="button button-primary"
              disabled={busy || (job !== null && isJobActive(job.status))}
              onClick={() => void download(chosen)}
            >
              Download {chosen.name}
            </button>
          ) : (
            <p className="muted">This model is not installed and has no download address.</p>
          )}
        </div>
      )}
      {job && <DownloadProgress job={job} />}
      {error !== null && <ErrorNotice error={error} />}
    </StepFrame>
  );
}
