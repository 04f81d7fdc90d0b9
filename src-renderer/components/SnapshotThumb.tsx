import { useState } from 'react';
import type { CameraSnapshot } from '../../src-shared/domain';
import { useApi } from '../app-context';
import { dateTime, describeDetections, timeAgo } from '../format';
import { useNow } from '../stores/clock';
import { SnapshotDialog } from './SnapshotDialog';

const THUMB_WIDTH = 160;

interface SnapshotThumbProps {
  cameraName: string;
  snapshot: CameraSnapshot | undefined;
  /** `data-testid` of the thumbnail image (also makes the dialog's ids unique). */
  testId: string;
}

/** A camera's latest snapshot (boxes drawn) with when and what; opens larger on click/Enter. */
export function SnapshotThumb({ cameraName, snapshot, testId }: SnapshotThumbProps) {
  const api = useApi();
  const now = useNow();
  const [open, setOpen] = useState(false);
  const [failedSrc, setFailedSrc] = useState<string | null>(null);

  if (!snapshot) return <p className="snapshot-none">No snapshot yet</p>;

  const src = api.mediaUrl(`/api/media/images/${snapshot.imageId}?boxes=1`);
  const height =
    snapshot.width > 0 && snapshot.height > 0
      ? Math.round((THUMB_WIDTH * snapshot.height) / snapshot.width)
      : undefined;

  return (
    <figure className="snapshot">
      {failedSrc === src ? (
        <p className="snapshot-none">Snapshot could not be loaded</p>
      ) : (
        <button
          type="button"
          className="snapshot-thumb"
          title="Open larger"
          onClick={() => setOpen(true)}
        >
          <img
            src={src}
            alt={`Latest snapshot from ${cameraName}`}
            data-testid={testId}
            width={THUMB_WIDTH}
            height={height}
            decoding="async"
            onError={() => setFailedSrc(src)}
          />
        </button>
      )}
      <figcaption className="snapshot-caption">
        <time dateTime={snapshot.at} title={dateTime(snapshot.at)}>
          {timeAgo(snapshot.at, now)}
        </time>
        <span className="snapshot-detections">{describeDetections(snapshot.detections)}</span>
      </figcaption>
      {open && (
        <SnapshotDialog
          cameraName={cameraName}
          snapshot={snapshot}
          src={src}
          idBase={testId}
          onClose={() => setOpen(false)}
        />
      )}
    </figure>
  );
}
