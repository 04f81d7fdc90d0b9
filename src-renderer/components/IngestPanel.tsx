import type { IngestStatus } from '../../src-shared/domain';
import { errorMessage } from '../api';
import { useDetectorStatus, useIngestStatus } from '../queries';
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

  return (
    <section className="panel ingest-panel" aria-label="Ingest">
      <div className="panel-header">
        <h2>Ingest</h2>
        {ingest?.paused && (
          <span className="badge badge-warn" data-testid="ingest-paused">
            <span className="badge-dot" aria-hidden="true" />
            Paused — the queue is above its high-water mark; cameras are asked to retry
          </span>
        )}
      </div>
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
