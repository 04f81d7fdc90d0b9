import { useState } from 'react';
import { errorMessage } from '../api';
import { baseName, dateTime, timeAgo } from '../format';
import { useCameras, useQuarantine } from '../queries';
import { useNow } from '../stores/clock';

/** The files set aside as damaged or too small, behind a disclosure button. */
export function QuarantineList({ count }: { count: number }) {
  const [open, setOpen] = useState(false);
  const cameras = useCameras().data ?? [];
  const now = useNow();
  // Read while open, and again whenever the quarantined count changes.
  const query = useQuarantine(open, count);
  const files = query.data ?? null;
  const error = query.isError ? errorMessage(query.error) : null;

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
