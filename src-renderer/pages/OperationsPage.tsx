import { JobList } from '../components/JobList';
import { MachineCharts } from '../components/OperationsMachine';
import { PipelineLatency } from '../components/PipelineLatency';

/**
 * `#/operations`: how the machine and the pipeline are doing — utilisation, memory, model time
 * and the ingest queue over a range, each pipeline stage's latency, and the background jobs.
 */
export function OperationsPage() {
  return (
    <section className="page page-operations" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Operations</h1>
      </header>
      <p className="page-intro">
        How the machine and the pipeline are doing: how busy each GPU (or the CPU) is, how long the
        detector takes per image, how long each step from snapshot to notification takes, and the
        background jobs.
      </p>
      <p className="notice" data-testid="operations-not-built">
        Service control, dead letters and retention settings are not built yet.
      </p>
      <MachineCharts />
      <PipelineLatency />
      <JobList />
    </section>
  );
}
