import { DeadLetters } from '../components/DeadLetters';
import { DetectorPanel } from '../components/DetectorPanel';
import { JobList } from '../components/JobList';
import { MachineCharts } from '../components/OperationsMachine';
import { PipelineLatency } from '../components/PipelineLatency';
import { RetentionSettings } from '../components/RetentionSettings';
import { ServiceList } from '../components/ServiceList';

/**
 * `#/operations`: how the app and the machine are doing — each service with its controls,
 * where detection runs (and each inference server's state), utilisation, memory, model time
 * and the ingest queue over a range, each pipeline stage's latency, the background jobs and
 * what they could not process, and how long data is kept.
 */
export function OperationsPage() {
  return (
    <section className="page page-operations" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Operations</h1>
      </header>
      <p className="page-intro">
        How the app and the machine are doing: each service (start, stop or restart it), where
        detection runs (this computer or inference servers), how busy each GPU (or the CPU) is, how
        long the detector takes per image, how long each step from snapshot to notification takes,
        the background jobs and the items they could not process, and how long data is kept.
      </p>
      <ServiceList />
      <DetectorPanel />
      <MachineCharts />
      <PipelineLatency />
      <JobList />
      <DeadLetters />
      <RetentionSettings />
    </section>
  );
}
