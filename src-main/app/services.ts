import type { BatchAggregator } from '../aggregate';
import type { CameraService } from '../cameras';
import type { AlertService } from '../alerts';
import type { OpenedDatabase } from '../db/database';
import * as detect from '../detect';
import type { EventService, RescoreJobs } from '../events';
import type { ExportService } from '../exports';
import type { IngestRuntime } from '../ingest';
import type { JobService } from '../jobs';
import type { MqttService } from '../mqtt';
import type { DeliveryOutbox } from '../notify';
import type { PromptExperiments, PromptLab } from '../prompts';
import type { RecalibrationService } from '../recalibrate';
import type { CircuitBreaker } from '../risk';
import type { RetentionService } from '../retention';
import type { ProbeResult, ServiceSpec } from '../services';
import { ServiceSupervisor, serviceRepository } from '../services';
import type { Publish } from '../common/domain-events';
import type { Logger, SettingsService } from '../system';
import type { TelemetryService } from '../telemetry';
import type { AppConfig } from './config';

/** The supervisor, with the app's own long-running parts registered as its services. */
export function superviseApp(m: AppServiceModules): ServiceSupervisor {
  const supervisor = new ServiceSupervisor({
    ...{ repo: serviceRepository(m.database.db), publish: m.publish, logger: m.logger },
    ...{ dataDir: m.dataDir, settings: m.settings, graceMs: m.config.serviceGraceMs },
  });
  for (const spec of appServices(m)) supervisor.register(spec);
  return supervisor;
}

interface AppServiceModules {
  config: AppConfig;
  dataDir: string;
  settings: SettingsService;
  publish: Publish;
  logger: Logger;
  database: OpenedDatabase;
  detector: detect.ObjectDetector;
  detectionServer: detect.DetectionServer;
  outbox: DeliveryOutbox;
  alerts: AlertService;
  events: EventService;
  rescorer: RescoreJobs;
  experiments: PromptExperiments;
  llmBreaker: CircuitBreaker;
  aggregator: BatchAggregator;
  /** Absent when the app runs without intake (tests, `--no-ingest`). */
  ingestRuntime?: IngestRuntime;
  jobs: JobService;
  cameras: CameraService;
  recalibration: RecalibrationService;
  lab: PromptLab;
  retention: RetentionService;
  exports: ExportService;
  telemetry: TelemetryService;
  mq: { service: MqttService };
}

/** The app's own long-running parts as services (dependencies: INTERNAL_DEPENDENCIES). */
function appServices(m: AppServiceModules): ServiceSpec[] {
  const running = (): ProbeResult => ({ status: 'running', detail: null });
  const done = () => Promise.resolve();
  const specs: ServiceSpec[] = [
    {
      name: 'database',
      description: 'The SQLite database every other service stores in',
      restartable: false,
      start: done,
      stop: done,
      check: () => m.database.ping().then(running),
    },
    {
      name: 'detector',
      description: 'The ONNX object detector (its model loads on first use)',
      restartable: false,
      start: done,
      stop: done,
      check: detect.detectorProbe(m.detector),
      logModules: ['detector'],
    },
    {
      name: 'detection-server',
      description:
        "This computer's detector for other machines (V2 and CodeProject.AI endpoints), when enabled",
      restartable: true,
      start: () => m.detectionServer.start(),
      stop: () => m.detectionServer.stop(),
      check: () => {
        const at = m.detectionServer.address();
        if (at) return { status: 'running', detail: `listening on ${at.host}:${at.port}` };
        const error = m.detectionServer.lastError;
        return error
          ? { status: 'degraded', detail: `not listening: ${error}` }
          : { status: 'running', detail: 'off' };
      },
      logModules: ['detection-server'],
    },
    {
      name: 'notifications',
      description: 'The outbox delivering alerts by email, webhook, desktop and MQTT',
      restartable: true,
      start: () => m.outbox.start(),
      stop: () => m.outbox.stop(),
      logModules: ['outbox'],
    },
    {
      name: 'mqtt',
      description:
        'Publishes events, alerts, snapshots and Home Assistant discovery to the MQTT broker, and takes its commands',
      restartable: true,
      start: () => m.mq.service.start(),
      stop: () => m.mq.service.stop(),
      check: () => m.mq.service.check(),
      logModules: ['mqtt'],
    },
    {
      name: 'alerts',
      description: 'Matches scored events against the alert rules',
      restartable: true,
      start: () => done().then(() => m.alerts.start()),
      stop: () => m.alerts.stop(),
    },
    {
      name: 'scorer',
      description: 'Scores each event: the LLM when configured, the rules scorer always',
      restartable: true,
      start: async () => {
        m.experiments.start();
        m.events.start();
        await m.rescorer.start(m.config.rescoreIntervalMs);
      },
      stop: async () => {
        m.rescorer.stop();
        await m.events.stop();
        await m.experiments.stop();
      },
      check: () =>
        m.settings.get().llm.enabled && m.llmBreaker.state === 'open'
          ? { status: 'degraded', detail: 'the LLM is not answering: the rules scorer is in use' }
          : running(),
      // The LLM server is back: events the rules scored get their LLM score now.
      onDependencyRecovered: () => m.rescorer.recovered(),
      logModules: ['events', 'prompts'],
    },
    {
      name: 'aggregator',
      description: 'Groups detections into batches, one per camera and time window',
      restartable: true,
      start: () => m.aggregator.start(),
      stop: () => m.aggregator.stop(),
    },
    {
      name: 'jobs',
      description:
        'Background jobs: re-evaluation, prompt evaluation, retention, deleting a camera',
      restartable: true,
      // Resumes what a stop left unfinished.
      start: async () => {
        await m.cameras.start();
        await m.recalibration.start();
        await m.lab.start();
        await m.retention.start();
      },
      stop: async () => {
        m.retention.stop();
        await m.jobs.stop();
      },
      logModules: ['jobs', 'recalibrate', 'retention', 'cameras'],
    },
    {
      name: 'exports',
      description: 'Writes CSV, JSON, Excel and ZIP exports',
      restartable: true,
      start: () => m.exports.start(),
      stop: () => m.exports.stop(),
    },
    {
      name: 'telemetry',
      description: 'Samples GPU / CPU use and inference throughput',
      restartable: true,
      start: () => done().then(() => m.telemetry.start()),
      stop: () => m.telemetry.stop(),
    },
  ];
  const ingest = m.ingestRuntime;
  if (ingest) {
    specs.splice(specs.findIndex((s) => s.name === 'aggregator') + 1, 0, {
      name: 'ingest',
      description: 'Watches the camera folders and the FTP endpoint; runs the detection queue',
      restartable: true,
      start: () => ingest.start(),
      stop: () => ingest.stop(),
      logModules: ['ingest', 'ingest-runtime', 'watcher', 'ftp', 'pipeline', 'camera-status'],
    });
  }
  return specs;
}
