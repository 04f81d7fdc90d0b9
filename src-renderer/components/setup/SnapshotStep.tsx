import type { RefObject } from 'react';
import { useEffect, useState } from 'react';
import type { Camera } from '../../../src-shared/domain';
import { useApi } from '../../app-context';
import { useSettings, useSnapshots } from '../../queries';
import { completeStep } from '../../setup-state';
import { StepFrame } from './StepFrame';
import { useSetupCameras } from './setup-cameras';

/** How long to wait before offering troubleshooting hints. */
export const SNAPSHOT_HINT_MS = 60_000;

/** Camera ids that had an image processed since this step opened (`detections.created`). */
function usePushedCameras(): ReadonlySet<string> {
  const api = useApi();
  const [seen, setSeen] = useState<ReadonlySet<string>>(new Set());
  useEffect(
    () =>
      api.on('detections.created', ({ cameraId }) =>
        setSeen((s) => (s.has(cameraId) ? s : new Set([...s, cameraId]))),
      ),
    [api],
  );
  return seen;
}

function Hints({ cameras }: { cameras: readonly Camera[] }) {
  const ingest = useSettings().data?.ingest;
  return (
    <div className="notice notice-warn" data-testid="setup-snapshot-hints">
      <p>No snapshot yet after a minute. Things to check:</p>
      <ul>
        <li>
          The camera&apos;s upload path is exactly the folder shown in the Cameras step (
          {cameras.map((c) => c.folder).join(', ')}) and its user name and password are right.
        </li>
        <li>The folder exists and this app can read it.</li>
        <li>
          For FTP uploads: the FTP endpoint is on
          {ingest ? ` (now ${ingest.ftp.enabled ? 'on' : 'off'}, port ${ingest.ftp.port})` : ''},
          and the camera can reach this computer on that port (a firewall may block it).
        </li>
        <li>
          Each file must be a JPEG or PNG image
          {ingest ? ` of at least ${ingest.minBytes} bytes` : ' above the minimum size'}; smaller or
          broken files are quarantined (see Cameras &amp; Zones).
        </li>
        <li>
          Use the camera&apos;s &quot;test upload&quot; button, or trigger its motion detection.
        </li>
      </ul>
    </div>
  );
}

export function SnapshotStep({ headingRef }: { headingRef: RefObject<HTMLHeadingElement | null> }) {
  const { cameras, loading } = useSetupCameras();
  const snapshots = useSnapshots().data ?? {};
  const pushed = usePushedCameras();
  const [waitedLong, setWaitedLong] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setWaitedLong(true), SNAPSHOT_HINT_MS);
    return () => clearTimeout(timer);
  }, []);

  const received = (c: Camera) =>
    c.lastSeenAt !== null || snapshots[c.id] !== undefined || pushed.has(c.id);
  const done = cameras.filter(received);
  const allDone = cameras.length > 0 && done.length === cameras.length;

  return (
    <StepFrame
      title="Waiting for the first snapshot"
      headingRef={headingRef}
      intro="Trigger the camera (walk past it, or use its test button) so it sends a picture."
      onNext={() =>
        completeStep(
          'snapshot',
          done.length > 0
            ? `Snapshot received from ${done.map((c) => c.name).join(', ')}`
            : 'No snapshot yet',
        )
      }
      onSkip={() => completeStep('snapshot', 'Skipped')}
    >
      {loading && <p className="muted">Loading cameras…</p>}
      {!loading && cameras.length === 0 && (
        <p className="muted">No camera yet: add one in the Cameras step first.</p>
      )}
      <ul className="setup-waiting" aria-live="polite">
        {cameras.map((camera) => (
          <li
            key={camera.id}
            className={`status-line ${received(camera) ? 'status-line-good' : 'status-line-wait'}`}
            data-testid={`setup-waiting-${camera.id}`}
          >
            <span aria-hidden="true">{received(camera) ? '✓ ' : '… '}</span>
            {camera.name}:{' '}
            {received(camera) ? 'Snapshot received' : 'Waiting for the first snapshot…'}
          </li>
        ))}
      </ul>
      {waitedLong && !allDone && cameras.length > 0 && (
        <Hints cameras={cameras.filter((c) => !received(c))} />
      )}
    </StepFrame>
  );
}
