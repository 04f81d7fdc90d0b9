/** How long each stage of the pipeline takes (p50 / p95 / p99) over a window ending now. */
import { PIPELINE_WINDOWS, stageRows } from '../operations-data';
import { usePipelineLatency } from '../queries';
import { useOperationsView } from '../stores/operations-view';
import { ChoiceButtons } from './ChoiceButtons';
import { ErrorNotice } from './ErrorNotice';
import { NumbersTable } from './NumbersTable';

const WINDOW_CHOICES = PIPELINE_WINDOWS.map((w) => ({ value: w.seconds, label: w.label }));

export function PipelineLatency() {
  const windowSeconds = useOperationsView((s) => s.pipelineWindow);
  const setWindow = useOperationsView((s) => s.setPipelineWindow);
  const query = usePipelineLatency(windowSeconds);
  const data = query.isError ? undefined : query.data;
  return (
    <section
      className="panel ops-area"
      aria-labelledby="ops-pipeline-title"
      aria-busy={query.isFetching}
      data-testid="ops-pipeline"
    >
      <div className="section-header ops-panel-header">
        <h2 id="ops-pipeline-title">Pipeline latency</h2>
        <ChoiceButtons
          label="Window"
          choices={WINDOW_CHOICES}
          value={windowSeconds}
          onChange={setWindow}
        />
      </div>
      <p className="field-hint analytics-note">
        How long each step took for the work that finished in the window: half of it was quicker
        than p50, all but 5% quicker than p95, all but 1% quicker than p99.
      </p>
      {query.isError && (
        <ErrorNotice error={query.error} prefix="Could not load pipeline latency" />
      )}
      {query.isPending && <p className="muted">Loading…</p>}
      {data && (
        <div className={query.isPlaceholderData ? 'table-wrap is-stale' : 'table-wrap'}>
          <NumbersTable
            caption="Latency per pipeline stage"
            rows={stageRows(data)}
            rowKey={(r) => r.stage}
            columns={[
              { header: 'Stage', cell: (r) => r.name },
              { header: 'Count', cell: (r) => r.count, numeric: true },
              { header: 'p50', cell: (r) => r.p50, numeric: true },
              { header: 'p95', cell: (r) => r.p95, numeric: true },
              { header: 'p99', cell: (r) => r.p99, numeric: true },
            ]}
          />
        </div>
      )}
    </section>
  );
}
