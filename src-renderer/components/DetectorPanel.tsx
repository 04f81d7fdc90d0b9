/** Operations → Detector: where detection runs now and, on inference servers, how each is doing. */
import { endpointStateText, latencyText } from '../format';
import { useDetectorStatus } from '../queries';
import { DetectorLine } from './DetectorLine';
import { ErrorNotice } from './ErrorNotice';
import { NumbersTable } from './NumbersTable';

export function DetectorPanel() {
  const query = useDetectorStatus(true);
  const endpoints = query.data?.endpoints ?? [];
  return (
    <section
      className="panel ops-area"
      aria-labelledby="ops-detector-title"
      data-testid="ops-detector"
    >
      <div className="section-header ops-panel-header">
        <h2 id="ops-detector-title">Detector</h2>
      </div>
      <DetectorLine />
      {query.isError && <ErrorNotice error={query.error} prefix="Could not read the detector" />}
      {endpoints.length > 0 && (
        <div className="table-wrap">
          <NumbersTable
            caption="Inference servers"
            rows={endpoints}
            rowKey={(e) => e.url}
            columns={[
              { header: 'Address', cell: (e) => e.url },
              { header: 'State', cell: (e) => endpointStateText(e.state) },
              { header: 'Tensors', cell: (e) => e.transport ?? '—' },
              { header: 'In flight', cell: (e) => e.outstanding, numeric: true },
              { header: 'Latency', cell: (e) => latencyText(e.latencyMs), numeric: true },
              { header: 'Requests', cell: (e) => e.requests, numeric: true },
              { header: 'Errors', cell: (e) => e.errors, numeric: true },
              { header: 'Last error', cell: (e) => e.lastError ?? '—' },
            ]}
          />
        </div>
      )}
    </section>
  );
}
