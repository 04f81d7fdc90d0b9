import { useQueryClient } from '@tanstack/react-query';
import type { IngestStatus } from '../../src-shared/domain';
import { errorMessage } from '../api';
import { useApi } from '../app-context';
import { useDetectorStatus, useIngestStatus } from '../queries';
import { keys } from '../server-state';
import { useBusyAction } from '../use-busy-action';
import { ErrorNotice } from './ErrorNotice';
import { DetectorLine } from './DetectorLine';
import { QuarantineList } from './QuarantineList';

type CountField = {
  [K in keyof IngestStatus]: IngestStatus[K] extends number ? K : never;
}[keyof IngestStatus];

const FACTS: { field: CountField; label: string }[] = [
  { field: 'queueDepth', label: 'Queue depth' },
  { field: 'inFlight', label: 'In flight' },
  { field: 'processed', label: 'Processed' },
  { field: 'failed', label: 'Failed' },
  { field: 'quarantined', label: 'Quarantined' },
  { field: 'duplicates', label: 'Duplicates' },
  { field: 'perMinute', label: 'Images per minute' },
];

/** Queue, throughput and detector state, live from push events. */
export function IngestPanel() {
  const query = useIngestStatus();
  const ingest = query.data;
  const detector = useDetectorStatus().data;
  const error = query.isError ? errorMessage(query.error) : null;
  const api = useApi();
  const qc = useQueryClient();
  const { busy, error: actionError, run } = useBusyAction();
  const toggle = () =>
    run(async () => {
      const next = await api.invoke(ingest?.pausedByUser ? 'ingest.resume' : 'ingest.pause', {});
      qc.setQueryData(keys.ingestStatus, next);
    });

  return (
    <section className="panel ingest-panel" aria-label="Ingest">
      <div className="panel-header">
        <h2>Ingest</h2>
        {ingest?.paused && (
          <span className="badge badge-warn" data-testid="ingest-paused">
            <span className="badge-dot" aria-hidden="true" />
            {ingest.pausedByUser
              ? 'Paused by you — new snapshots wait in their folders'
              : 'Paused — the queue is above its high-water mark; cameras are asked to retry'}
          </span>
        )}
        {ingest && (
          <button
            type="button"
            className="button button-small"
            disabled={busy}
            onClick={() => void toggle()}
          >
            {ingest.pausedByUser ? 'Resume intake' : 'Pause intake'}
          </button>
        )}
      </div>
      {actionError !== null && <ErrorNotice error={actionError} prefix="Could not change intake" />}
      <DetectorLine />
      {error && (
        <p className="notice notice-error" role="alert">
          Could not load ingest status: {error}
        </p>
      )}
      {!ingest && !error && <p className="muted">Loading ingest status…</p>}
      {ingest && (
        <>
          {ingest.waitingForDetector && (
            <p className="notice notice-warn" data-testid="ingest-waiting">
              Images are waiting for the detector:{' '}
              {detector?.reason ?? 'the detection model is not loaded'}
            </p>
          )}
          <dl className="stats">
            {FACTS.map(({ field, label }) => (
              <div key={field} className="stat">
                <dt>{label}</dt>
                <dd data-testid={`ingest-${field}`}>{ingest[field]}</dd>
              </div>
            ))}
          </dl>
          <QuarantineList count={ingest.quarantined} />
        </>
      )}
    </section>
  );
}
