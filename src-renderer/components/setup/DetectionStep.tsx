import { useQueryClient } from '@tanstack/react-query';
import type { FormEvent, RefObject } from 'react';
import { useEffect, useState } from 'react';
import type { DetectorStatus, Job, ModelChoice } from '../../../src-shared/domain';
import type { Settings } from '../../../src-shared/settings';
import { useBusyAction } from '../../use-busy-action';
import { useApi } from '../../app-context';
import { fileSizeText, providerText } from '../../format';
import { isJobActive } from '../../operations-data';
import { useDetectorModels, useDetectorStatus, useJobs, useSettings } from '../../queries';
import { cacheJob, keys } from '../../server-state';
import type { DetectorFamilySetting } from '../../settings-form';
import { DETECTOR_FAMILY_CHOICES } from '../../settings-form';
import { completeStep } from '../../setup-state';
import { ErrorNotice } from '../ErrorNotice';
import { SelectField, TextField } from '../Field';
import { StepFrame } from './StepFrame';

export const MODEL_DOWNLOAD_KIND = 'model-download';

/** `byPath`: a model file set by path is in use, whatever model the name setting names. */
function modelState(m: ModelChoice, byPath: boolean): string {
  if (m.active && !byPath) return 'in use';
  if (m.installed) return 'installed';
  return m.downloadable ? 'not installed, can be downloaded' : 'not installed';
}

function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** Why a typed model file cannot be used, or null: a full path to an .onnx file is needed. */
export function modelFileProblem(path: string): string | null {
  if (!path) return 'Enter the full path of the model file.';
  if (!/\.onnx$/i.test(path)) return 'Choose an .onnx file (the path must end in .onnx).';
  if (!/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(path)) {
    return 'Enter the full path, from / (or from the drive letter on Windows).';
  }
  return null;
}

/** What the detector is doing now: ready (on which execution provider), loading, or why not. */
function DetectorState({ status, byPath }: { status: DetectorStatus; byPath: boolean }) {
  const name = byPath && status.modelPath ? fileName(status.modelPath) : status.model;
  if (status.status === 'ready') {
    return (
      <div
        className="status-line status-line-good"
        role="status"
        data-testid="setup-detector-status"
      >
        <p>
          <span aria-hidden="true">✓ </span>Detector ready: {name}
          {status.family ? ` (${status.family})` : ''}
          {status.provider ? ` runs on ${providerText(status.provider)}` : ''}
          {status.inputSize ? ` · input ${status.inputSize[0]}×${status.inputSize[1]}` : ''}
        </p>
        {status.modelPath && <p className="muted">File: {status.modelPath}</p>}
      </div>
    );
  }
  if (status.status === 'loading') {
    return (
      <p className="status-line status-line-wait" role="status" data-testid="setup-detector-status">
        Loading {name}…
      </p>
    );
  }
  const familyUnknown = /detector family/i.test(status.reason ?? '');
  return (
    <div className="notice notice-warn" role="status" data-testid="setup-detector-status">
      <p>Detector unavailable: {status.reason ?? 'unknown reason'}</p>
      {familyUnknown && (
        <p>
          Choose the model&apos;s family under &quot;Use a model file&quot; below, then use the file
          again.
        </p>
      )}
    </div>
  );
}

interface DownloadRun {
  jobId: string;
  name: string;
}

function DownloadProgress({ job, name }: { job: Job; name: string }) {
  if (job.status === 'failed') {
    const message = job.error ?? 'The download failed.';
    // The server's message names the model and says what to do when the network is the cause.
    const full = message.startsWith('Could not download')
      ? message
      : `Could not download ${name}: ${message}. Check the internet connection, or choose a model file you already have.`;
    return <ErrorNotice error={new Error(full)} />;
  }
  const text = `${fileSizeText(job.processed)} of ${fileSizeText(job.total)}`;
  const active = isJobActive(job.status);
  return (
    <div className="job-progress" data-testid="setup-model-download">
      <progress
        max={100}
        value={job.progress}
        aria-label={`${name} download progress`}
        aria-valuetext={text}
      />
      <span className="export-progress-text">
        {/* Announced when the phase changes, not at every byte count. */}
        <span role="status">
          {active
            ? `Downloading ${name}… `
            : job.status === 'completed'
              ? `Downloaded ${name}`
              : ''}
        </span>
        {active ? text : job.status === 'completed' ? '' : job.status}
      </span>
    </div>
  );
}

/** A model file already on this computer, by path (typed, or picked in the desktop app). */
function ModelFileForm({
  settings,
  onUsed,
}: {
  settings: Settings;
  onUsed: (path: string) => void;
}) {
  const api = useApi();
  const qc = useQueryClient();
  const [path, setPath] = useState(settings.detector.modelPath ?? '');
  const [family, setFamily] = useState<DetectorFamilySetting>(settings.detector.family);
  const [problem, setProblem] = useState<string | null>(null);
  const { busy, error, run } = useBusyAction();

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const modelPath = path.trim();
    const invalid = modelFileProblem(modelPath);
    setProblem(invalid);
    if (invalid) return;
    void run(async () => {
      const next = await api.invoke('system.settings.update', { detector: { modelPath, family } });
      qc.setQueryData<Settings>(keys.settings, next);
      await qc.invalidateQueries({ queryKey: keys.detectorModels });
      await qc.invalidateQueries({ queryKey: keys.detectorStatus });
      onUsed(modelPath);
    });
  };
  const picked = (file: File | undefined) => {
    if (!file || !api.pathForFile) return;
    setPath(api.pathForFile(file));
    setProblem(null);
  };

  return (
    <form className="form" aria-label="Use a model file" noValidate onSubmit={submit}>
      <TextField
        id="setup-model-path"
        label="Model file (.onnx)"
        value={path}
        onValueChange={setPath}
        hint="The full path of an ONNX detection model on this computer, e.g. /home/me/models/yolov8n.onnx."
        errors={problem ? [problem] : undefined}
        spellCheck={false}
        autoComplete="off"
      />
      {api.pathForFile && (
        <div className="field">
          <label htmlFor="setup-model-file">Or choose the file</label>
          <input
            id="setup-model-file"
            type="file"
            accept=".onnx"
            onChange={(e) => picked(e.target.files?.[0])}
          />
        </div>
      )}
      <SelectField
        id="setup-model-family"
        label="Model family"
        value={family}
        onValueChange={(v) => setFamily(v as DetectorFamilySetting)}
        options={DETECTOR_FAMILY_CHOICES}
        hint="Most models show their family; choose it when the detector cannot tell."
      />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          Use this file
        </button>
      </div>
      {error !== null && <ErrorNotice error={error} prefix="Could not use the file" />}
    </form>
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
  const settings = useSettings();
  const jobs = useJobs(MODEL_DOWNLOAD_KIND);
  const list = models.data ?? [];
  const byPath = Boolean(settings.data?.detector.modelPath);
  const preset =
    (byPath ? undefined : list.find((m) => m.active)) ?? list.find((m) => m.default) ?? list[0];
  const [picked, setPicked] = useState<string | null>(null);
  const [download, setDownload] = useState<DownloadRun | null>(null);
  /** The person opened or closed "Use a model file" (null: it follows the download). */
  const [fileToggled, setFileToggled] = useState<boolean | null>(null);
  const [usedFile, setUsedFile] = useState<string | null>(null);
  const { busy, error, run } = useBusyAction();
  const chosen = list.find((m) => m.name === (picked ?? preset?.name));
  const job = jobs.data?.find((j) => j.id === download?.jobId) ?? null;
  const jobStatus = job?.status;
  // A finished download makes the model installed.
  useEffect(() => {
    if (jobStatus === 'completed') void qc.invalidateQueries({ queryKey: keys.detectorModels });
  }, [jobStatus, qc]);
  // A failed one offers a model file instead.
  const fileOpen = fileToggled ?? jobStatus === 'failed';

  const startDownload = (m: ModelChoice) =>
    run(async () => {
      const started = await api.invoke('detector.download', { name: m.name });
      cacheJob(qc, started);
      qc.setQueryData<Job[]>(keys.jobs(MODEL_DOWNLOAD_KIND), (l) =>
        l?.some((j) => j.id === started.id) ? l : [started, ...(l ?? [])],
      );
      setDownload({ jobId: started.id, name: m.name });
      setFileToggled(null);
    });
  const use = (m: ModelChoice) =>
    run(async () => {
      // A model file chosen by path would win over the name: choosing a model clears it.
      const next = await api.invoke('system.settings.update', {
        detector: { model: m.name, modelPath: '' },
      });
      qc.setQueryData<Settings>(keys.settings, next);
      await qc.invalidateQueries({ queryKey: keys.detectorModels });
      await qc.invalidateQueries({ queryKey: keys.detectorStatus });
      completeStep('detection', `Detection model ${m.name}`);
    });
  const usedModelFile = (path: string) => {
    setUsedFile(path);
    setDownload(null);
  };
  const keepActive = chosen?.active === true && !byPath;
  const kept = !status.data
    ? 'Kept the default'
    : byPath && status.data.modelPath
      ? `Kept the model file ${fileName(status.data.modelPath)}`
      : `Kept ${status.data.model}`;

  return (
    <StepFrame
      title="Detection"
      headingRef={headingRef}
      intro="A detection model finds people, vehicles and animals in each snapshot. The bundled default suits most homes."
      onNext={
        usedFile
          ? () => completeStep('detection', `Detection model file ${fileName(usedFile)}`)
          : undefined
      }
      onSkip={() => completeStep('detection', kept)}
    >
      {status.data && <DetectorState status={status.data} byPath={byPath} />}
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
              {m.licence ? `, ${m.licence}` : ''}) — {modelState(m, byPath)}
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
              {keepActive ? `Keep ${chosen.name}` : `Use ${chosen.name}`}
            </button>
          ) : chosen.downloadable ? (
            <button
              type="button"
              className="button button-primary"
              disabled={busy || (job !== null && isJobActive(job.status))}
              onClick={() => void startDownload(chosen)}
            >
              Download {chosen.name}
            </button>
          ) : (
            <p className="muted">This model is not installed and has no download address.</p>
          )}
        </div>
      )}
      {job && download && <DownloadProgress job={job} name={download.name} />}
      {error !== null && <ErrorNotice error={error} />}
      <details
        className="panel"
        open={fileOpen}
        onToggle={(e) => setFileToggled(e.currentTarget.open)}
      >
        <summary>Use a model file</summary>
        <p className="muted">
          A detection model you already have (for example from another computer, or one this list
          does not offer).
        </p>
        {settings.data && <ModelFileForm settings={settings.data} onUsed={usedModelFile} />}
      </details>
    </StepFrame>
  );
}
