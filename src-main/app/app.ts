import type { Kysely } from 'kysely';
import type { BatchAggregator } from '../aggregate';
import type { AlertService } from '../alerts';
import type { Router } from '../bridge/router';
import type { DomainEventBus } from '../common/domain-events';
import type { ConnectionRegistry } from '../common/connections';
import type { PushBus } from '../common/push-bus';
import type { DB } from '../db/schema';
import type { ObjectDetector } from '../detect';
import type { EventService, RescoreJobs } from '../events';
import type { ExportService } from '../exports';
import type { IngestPipeline, IngestRuntime, IngestService } from '../ingest';
import type { JobService } from '../jobs';
import type { MediaService } from '../media';
import type { PromptExperiments } from '../prompts';
import type { TelemetryService } from '../telemetry';
import type { DeliveryOutbox } from '../notify';
import type { RecalibrationService } from '../recalibrate';
import type { CircuitBreaker } from '../risk';
import type { ServiceSupervisor } from '../services';
import type { Logger, SettingsService } from '../system';
import type { AppConfig } from './config';
import type { AppMetrics } from './metrics';

/** The running app, as its edges (Electron, the web server) and the tests see it. */
export interface App {
  readonly config: AppConfig;
  readonly dataDir: string;
  /** The database, for tests and benchmarks that inspect it; the app reaches it through repositories. */
  readonly db: Kysely<DB>;
  readonly router: Router;
  /** Domain events: what happened in the pipeline (tests and debug listen here). */
  readonly bus: DomainEventBus;
  /** What connected windows are told (IPC windows, WebSocket clients). */
  readonly push: PushBus;
  /** Those windows and clients, as the transports register them (debug panel). */
  readonly connections: ConnectionRegistry;
  readonly settings: SettingsService;
  readonly metrics: AppMetrics;
  readonly logger: Logger;
  readonly detector: ObjectDetector;
  readonly ingest: IngestService;
  readonly ingestRuntime: IngestRuntime;
  readonly pipeline: IngestPipeline;
  readonly media: MediaService;
  readonly events: EventService;
  /** LLM re-scoring runs (tests start one with `tick()`). */
  readonly rescorer: RescoreJobs;
  readonly aggregator: BatchAggregator;
  readonly llmBreaker: CircuitBreaker;
  readonly alerts: AlertService;
  readonly outbox: DeliveryOutbox;
  readonly exports: ExportService;
  readonly jobs: JobService;
  readonly recalibration: RecalibrationService;
  /** Live prompt selection and shadow runs (tests wait on `idle()`). */
  readonly experiments: PromptExperiments;
  /** Machine samples and pipeline latency (tests call `sample()`). */
  readonly telemetry: TelemetryService;
  /** Every service and managed server (tests wait on `ready()`). */
  readonly supervisor: ServiceSupervisor;
  debugEnabled(): boolean;
  close(): Promise<void>;
}
