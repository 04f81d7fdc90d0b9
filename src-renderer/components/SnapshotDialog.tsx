import { useRef } from 'react';
import type { CameraSnapshot } from '../../src-shared/domain';
import { dateTime, describeDetections } from '../format';
import { Dialog } from './Dialog';

interface SnapshotDialogProps {
  cameraName: string;
  snapshot: CameraSnapshot;
  src: string;
  /** Unique per page: the dialog's heading id is built from it. */
  idBase: string;
  onClose: () => void;
}

/** A camera's latest snapshot, full size, with every detection. Escape closes it. */
export function SnapshotDialog({
  cameraName,
  snapshot,
  src,
  idBase,
  onClose,
}: SnapshotDialogProps) {
  const closeRef = useRef<HTMLButtonElement>(null);
  const titleId = `${idBase}-title`;
  return (
    <Dialog labelledBy={titleId} onClose={onClose} initialFocus={closeRef} className="dialog-wide">
      <div className="dialog-header">
        <h2 id={titleId}>{cameraName}: latest snapshot</h2>
        <button type="button" className="button button-small" ref={closeRef} onClick={onClose}>
          Close
        </button>
      </div>
      <img
        className="snapshot-full"
        src={src}
        alt={`Full-size snapshot from ${cameraName}`}
        width={snapshot.width || undefined}
        height={snapshot.height || undefined}
      />
      <p className="snapshot-meta">
        <time dateTime={snapshot.at}>{dateTime(snapshot.at)}</time>
        <span> · {describeDetections(snapshot.detections, Number.POSITIVE_INFINITY)}</span>
      </p>
    </Dialog>
  );
}
