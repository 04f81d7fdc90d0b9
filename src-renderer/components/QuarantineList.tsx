import { useEffect, useState } from 'react';
import type { QuarantinedFile } from '../../src-shared/domain';
import { api, errorMessage } from '../api';
import { baseName, dateTime, timeAgo } from '../format';
import { useCameras } from '../stores/cameras';
import { useNow } from '../stores/clock';
import { useConnection } from '../stores/connection';

const LIST_LIMIT = 100;

/** The files set aside as damaged or too small, behind a disclosure button. */
export function QuarantineList({ count }: { count: number }) {
  const [open, setOpen] = useState(false);
  const [files, setFiles] = useState<QuarantinedFile[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cameras = useCameras((s) => s.cameras);
  const reconnects = useConnection((s) => s.reconnects);
  const now = useNow();

  // Refetch while open whenever the quarantined count changes.
  useEffect(() => {
    if (!open) return;
    let live = true;
    api.invoke('ingest.quarantine.list', { limit: LIST_LIMIT }).then(
      (result) => {
        if (!live) return;
        setFiles(result);
        setError(null);
      },
      (err: unknown) => {
        if (live) setError(errorMessage(err));
      },
    );
    return () => {
      live = false;
    };
  }, [open, count, reconnects]);

  const cameraName = (id: string) => cameras.find((c) => c.id === id)?.name ?? id;

  return (
    <div className="quarantine">
      <button
        type="button"
        className="button button-small button-secondary"
        aria-expanded={open}
        aria-controls="quarantine-list"
        onClick={() => setOpen((v) => !v)}
      >
        <span className="disclosure" aria-hidden="true">
          {open ? '▾' : '▸'}
        </span>
        Quarantined files ({count})
      </button>
      <div id="quarantine-list" hidden={!open}>
        {error && (
          <p className="notice notice-error" role="alert">
            Could not load quarantined files: {error}
          </p>
        )}
        {open && files === null && !error && <p className="muted">Loading quarantined files…</p>}
        {files?.length === 0 && <p className="muted">No quarantined files.</p>}
        {files && files.length > 0 && (
          <table className="table table-compact">
            <caption className="visually-hidden">Quarantined files</caption>
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Camera</th>
                <th scope="col">Reason</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {files.map((file) => (
                <tr key={file.id} data-testid={`quarantine-row-${file.id}`}>
                  <td>
                    <code className="path" title={file.quarantinePath ?? file.path}>
                      {baseName(file.path)}
                    </code>
                  </td>
                  <td>{cameraName(file.cameraId)}</td>
                  <td>{file.reason}</td>
                  <td>
                    {file.at ? (
                      <time dateTime={file.at} title={dateTime(file.at)}>
                        {timeAgo(file.at, now)}
                      </time>
                    ) : (
                      <span className="muted">unknown</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {files && count > files.length && (
          <p className="muted">Showing the latest {files.length}.</p>
        )}
      </div>
    </div>
  );
}
