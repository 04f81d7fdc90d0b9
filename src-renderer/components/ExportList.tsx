import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ExportJob } from '../../src-shared/domain';
import { ApiError, errorMessage } from '../api';
import { useApi } from '../app-context';
import { filterSummary, jobFormatText } from '../export-jobs';
import { dateTime, fileSizeText } from '../format';
import { useCameras, useExports } from '../queries';
import { cacheExportJob, isActive } from '../server-state';
import { StatusBadge } from './StatusBadge';

function ExportProgress({ job }: { job: ExportJob }) {
  // Until the events are counted there is nothing to measure against.
  const measured = job.status === 'running' && job.total !== null;
  const percent = Math.round(job.progress);
  const text = measured ? `${percent}%` : job.status === 'pending' ? 'Waiting' : 'Counting';
  return (
    <span className="export-progress">
      {measured ? (
        <progress
          max={100}
          value={job.progress}
          aria-label="Export progress"
          aria-valuenow={percent}
          aria-valuetext={text}
        />
      ) : (
        <progress aria-label="Export progress" aria-valuetext={text} />
      )}
      <span className="export-progress-text" aria-hidden="true">
        {text}
      </span>
    </span>
  );
}

/** Desktop app: copy the file elsewhere with a Save As dialog, or show it where it is. */
function DesktopFileActions({ job, describedBy }: { job: ExportJob; describedBy: string }) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = (work: () => Promise<string | null>) => {
    setBusy(true);
    setMessage(null);
    setError(null);
    work().then(
      (done) => {
        setBusy(false);
        setMessage(done);
      },
      (err: unknown) => {
        setBusy(false);
        setError(errorMessage(err));
      },
    );
  };

  const onSaveAs = () =>
    run(async () => {
      const result = await api.invoke('exports.saveAs', { id: job.id });
      return result.saved && result.path ? `Saved to ${result.path}` : null;
    });

  const onReveal = () =>
    run(async () => {
      await api.invoke('exports.reveal', { id: job.id });
      return null;
    });

  return (
    <>
      <button
        type="button"
        className="button button-small button-primary"
        disabled={busy}
        aria-describedby={describedBy}
        onClick={onSaveAs}
      >
        Save as…
      </button>
      <button
        type="button"
        className="button button-small"
        disabled={busy}
        aria-describedby={describedBy}
        onClick={onReveal}
      >
        Show in folder
      </button>
      <span className="status-line export-action-status" role="status">
        {message}
      </span>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

function ExportRow({ job, cameraName }: { job: ExportJob; cameraName: (id: string) => string }) {
  const api = useApi();
  const qc = useQueryClient();
  const [cancelling, setCancelling] = useState(false);
  const [cancelError, setCancelError] = useState<string | null>(null);
  const active = isActive(job.status);
  const titleId = `export-${job.id}-title`;
  const downloadUrl = job.status === 'completed' ? api.exportDownloadUrl(job.id) : null;

  const onCancel = () => {
    setCancelling(true);
    setCancelError(null);
    api.invoke('exports.cancel', { id: job.id }).then(
      (cancelled) => {
        cacheExportJob(qc, cancelled);
        setCancelling(false);
      },
      (err: unknown) => {
        setCancelling(false);
        setCancelError(errorMessage(err));
        // Finished meanwhile: show how it ended (the message says why it could not be cancelled).
        if (err instanceof ApiError && err.code === 'conflict') {
          api.invoke('exports.get', { id: job.id }).then(
            (current) => cacheExportJob(qc, current),
            () => undefined,
          );
        }
      },
    );
  };

  return (
    <tr data-testid="export-row" data-status={job.status} data-export-id={job.id}>
      <td className="cell-name" id={titleId}>
        {jobFormatText(job)}
        <span className="visually-hidden"> export, created {dateTime(job.createdAt)}</span>
      </td>
      <td>
        <StatusBadge status={job.status} />
      </td>
      <td>
        <time dateTime={job.createdAt}>{dateTime(job.createdAt)}</time>
      </td>
      <td className="export-filters-cell">{filterSummary(job.filters, cameraName)}</td>
      <td className="cell-number">{job.rowCount ?? '—'}</td>
      <td className="cell-number">{fileSizeText(job.fileSize)}</td>
      <td className="export-actions-cell">
        {active && <ExportProgress job={job} />}
        {job.status === 'failed' && job.error && <p className="export-error">{job.error}</p>}
        <div className="export-actions">
          {active && (
            <button
              type="button"
              className="button button-small button-danger-quiet"
              disabled={cancelling}
              aria-describedby={titleId}
              onClick={onCancel}
            >
              Cancel
            </button>
          )}
          {downloadUrl && (
            <a
              className="button button-small button-primary"
              href={downloadUrl}
              download={job.fileName ?? ''}
              aria-describedby={titleId}
            >
              Download
            </a>
          )}
          {job.status === 'completed' && !downloadUrl && (
            <DesktopFileActions job={job} describedBy={titleId} />
          )}
        </div>
        {cancelError && (
          <p className="field-error" role="alert">
            {cancelError}
          </p>
        )}
      </td>
    </tr>
  );
}

/** Export jobs, newest first, with progress, cancel and the finished files. */
export function ExportList() {
  const query = useExports();
  const items = query.data ?? [];
  const cameras = useCameras().data ?? [];
  const names = new Map(cameras.map((c) => [c.id, c.name]));
  const cameraName = (id: string) => names.get(id) ?? id;

  return (
    <section className="export-list" aria-labelledby="exports-title">
      <div className="section-header">
        <h2 id="exports-title">Exports</h2>
      </div>
      {query.isError && (
        <div className="notice notice-error" role="alert">
          <p>Could not load exports: {errorMessage(query.error)}</p>
          <button
            type="button"
            className="button button-small"
            onClick={() => void query.refetch()}
          >
            Retry loading
          </button>
        </div>
      )}
      {query.isPending && <p className="muted">Loading exports…</p>}
      {query.isSuccess && items.length === 0 && (
        <p className="muted" data-testid="exports-empty">
          No exports yet. Choose a format and filters above, then Start export.
        </p>
      )}
      {items.length > 0 && (
        <div className="table-wrap">
          <table className="table table-compact export-table">
            <thead>
              <tr>
                <th scope="col">Format</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Filters</th>
                <th scope="col">Rows</th>
                <th scope="col">Size</th>
                <th scope="col">
                  <span className="visually-hidden">Progress and actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((job) => (
                <ExportRow key={job.id} job={job} cameraName={cameraName} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
