import type { ChangeEvent, DragEvent } from 'react';
import { useRef, useState } from 'react';
import type { Camera, CameraSnapshot } from '../../src-shared/domain';
import { dateTime, lastSeenText } from '../format';
import { useNow } from '../stores/clock';
import { SnapshotThumb } from './SnapshotThumb';
import { StatusBadge } from './StatusBadge';

export const CAMERA_COLUMNS = 5;

interface CameraRowProps {
  camera: Camera;
  snapshot: CameraSnapshot | undefined;
  zonesOpen: boolean;
  /** Files are being imported into this camera. */
  importing: boolean;
  onToggleZones: () => void;
  onEdit: () => void;
  onDelete: () => void;
  onFtp: () => void;
  onImport: (files: File[]) => void;
}

function hasFiles(e: DragEvent): boolean {
  return Array.from(e.dataTransfer.types).includes('Files');
}

/** One camera: snapshot, name and folder, status, and its actions; images can be dropped on it. */
export function CameraRow({
  camera,
  snapshot,
  zonesOpen,
  importing,
  onToggleZones,
  onEdit,
  onDelete,
  onFtp,
  onImport,
}: CameraRowProps) {
  const now = useNow();
  const fileRef = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);

  const onDragOver = (e: DragEvent<HTMLTableRowElement>) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    if (!dragging) setDragging(true);
  };
  const onDragLeave = (e: DragEvent<HTMLTableRowElement>) => {
    const next = e.relatedTarget;
    if (next instanceof Node && e.currentTarget.contains(next)) return;
    setDragging(false);
  };
  const onDrop = (e: DragEvent<HTMLTableRowElement>) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    setDragging(false);
    const files = Array.from(e.dataTransfer.files);
    if (files.length > 0) onImport(files);
  };
  const onPicked = (e: ChangeEvent<HTMLInputElement>) => {
    const files = Array.from(e.target.files ?? []);
    // Cleared so that picking the same file again still fires a change.
    e.target.value = '';
    if (files.length > 0) onImport(files);
  };

  return (
    <tr
      data-testid={`camera-row-${camera.id}`}
      className={dragging ? 'camera-row drop-target' : 'camera-row'}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
    >
      <td className="cell-snapshot">
        <SnapshotThumb
          cameraName={camera.name}
          snapshot={snapshot}
          testId={`snapshot-${camera.id}`}
        />
      </td>
      <td>
        <div className="cell-name">{camera.name}</div>
        <code className="path" title={camera.folder}>
          {camera.folder}
        </code>
        {dragging && <div className="drop-hint">Drop images to import them</div>}
      </td>
      <td>
        <StatusBadge status={camera.status} />
        <div
          className="last-seen"
          title={camera.lastSeenAt ? dateTime(camera.lastSeenAt) : undefined}
        >
          {lastSeenText(camera.lastSeenAt, now)}
        </div>
      </td>
      <td>{camera.enabled ? 'Yes' : 'No'}</td>
      <td>
        <div className="row-actions">
          <button
            type="button"
            className="button button-small"
            aria-label={`Zones for ${camera.name}`}
            aria-expanded={zonesOpen}
            aria-controls={`zones-${camera.id}`}
            onClick={onToggleZones}
          >
            Zones
          </button>
          <button
            type="button"
            className="button button-small"
            aria-label={`Import images for ${camera.name}`}
            title="Or drop .jpg/.png files on this row"
            disabled={importing}
            onClick={() => fileRef.current?.click()}
          >
            {importing ? 'Importing…' : 'Import'}
          </button>
          <input
            ref={fileRef}
            type="file"
            accept=".jpg,.jpeg,.png"
            multiple
            hidden
            tabIndex={-1}
            data-testid={`import-input-${camera.id}`}
            onChange={onPicked}
          />
          <button
            type="button"
            className="button button-small"
            aria-label={`FTP for ${camera.name}`}
            onClick={onFtp}
          >
            FTP
          </button>
          <button
            type="button"
            className="button button-small"
            aria-label={`Edit ${camera.name}`}
            onClick={onEdit}
          >
            Edit
          </button>
          <button
            type="button"
            className="button button-small button-danger-quiet"
            aria-label={`Delete ${camera.name}`}
            onClick={onDelete}
          >
            Delete
          </button>
        </div>
      </td>
    </tr>
  );
}
