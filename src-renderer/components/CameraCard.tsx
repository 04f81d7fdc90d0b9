import type { Camera, CameraSnapshot } from '../../src-shared/domain';
import { dateTime, lastSeenText } from '../format';
import { useNow } from '../stores/clock';
import { SnapshotThumb } from './SnapshotThumb';
import { StatusBadge } from './StatusBadge';

/** A dashboard tile: name, status, latest snapshot and when the camera was last heard from. */
export function CameraCard({
  camera,
  snapshot,
}: {
  camera: Camera;
  snapshot: CameraSnapshot | undefined;
}) {
  const now = useNow();
  return (
    <li className="camera-card" data-testid={`camera-card-${camera.id}`}>
      <div className="camera-card-header">
        <h3 className="camera-card-name">{camera.name}</h3>
        <StatusBadge status={camera.status} />
      </div>
      <SnapshotThumb
        cameraName={camera.name}
        snapshot={snapshot}
        testId={`dashboard-snapshot-${camera.id}`}
      />
      <p className="last-seen" title={camera.lastSeenAt ? dateTime(camera.lastSeenAt) : undefined}>
        {lastSeenText(camera.lastSeenAt, now)}
        {!camera.enabled && <span> · disabled</span>}
      </p>
    </li>
  );
}
