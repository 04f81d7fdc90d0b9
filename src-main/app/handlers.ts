import path from 'node:path';
import type { BatchAggregator } from '../aggregate';
import type { AlertService } from '../alerts';
import { alertHandlers } from '../alerts';
import { AnalyticsService, analyticsHandlers } from '../analytics';
import { CalibrationService, calibrationHandlers } from '../calibration';
import type { CameraService } from '../cameras';
import { cameraHandlers } from '../cameras';
import type { ConnectionRegistry } from '../common/connections';
import type { Handlers } from '../common/handlers';
import { mergeHandlers } from '../common/handlers';
import { backupDatabase } from '../db/backups';
import type { OpenedDatabase } from '../db/database';
import type { DebugService } from '../debug';
import { debugHandlers } from '../debug';
import * as detect from '../detect';
import { detectionHandlers } from '../detections';
import type { EventService } from '../events';
import { eventHandlers } from '../events';
import type { ExportService } from '../exports';
import { exportHandlers } from '../exports';
import type { IngestService } from '../ingest';
import { ingestHandlers } from '../ingest';
import type { JobService } from '../jobs';
import { jobHandlers } from '../jobs';
import type { MediaService } from '../media';
import { mediaHandlers } from '../media';
import type { DeliveryOutbox } from '../notify';
import { ChannelService, notifyHandlers } from '../notify';
import type { RecalibrationService } from '../recalibrate';
import { recalibrationHandlers } from '../recalibrate';
import type { CircuitBreaker } from '../risk';
import { RumService, rumHandlers } from '../rum';
import type { ServiceSupervisor } from '../services';
import { serviceHandlers } from '../services';
import * as system from '../system';
import type { TelemetryService } from '../telemetry';
import { telemetryHandlers } from '../telemetry';
import { ZoneService, zoneHandlers } from '../zones';
import type { AppConfig } from './config';
import { databasePath } from './config';
import type { AppMetrics } from './metrics';
import type { createRepositories } from './repositories';

/** The modules `createApp` built, as the channels need them. */
export interface AppModules {
  config: AppConfig;
  dataDir: string;
  database: OpenedDatabase;
  r: ReturnType<typeof createRepositories>;
  settings: system.SettingsService;
  metrics: AppMetrics;
  connections: ConnectionRegistry;
  debugEnabled: () => boolean;
  ingestRoot: () => string;
  detector: detect.ObjectDetector;
  ingest: IngestService;
  cameras: CameraService;
  media: MediaService;
  events: EventService;
  aggregator: BatchAggregator;
  llmBreaker: CircuitBreaker;
  alerts: AlertService;
  outbox: DeliveryOutbox;
  exports: ExportService;
  jobs: JobService;
  recalibration: RecalibrationService;
  telemetry: TelemetryService;
  debug: DebugService;
  supervisor: ServiceSupervisor;
  /** Slices built with their domain (prompts). */
  extra: Partial<Handlers>[];
}

/** Every channel's handler: each domain's slice, given the modules it serves. */
export function appHandlers(m: AppModules): Handlers {
  const { r, settings, dataDir, events, exports } = m;
  const modelsDir = m.config.modelsDir ?? detect.appModelsDir();
  const paths = () => ({
    dataDir,
    database: databasePath(dataDir),
    ingestRoot: m.ingestRoot(),
  });
  return mergeHandlers(
    system.systemHandlers({
      settings,
      backup: () => backupDatabase(m.database.sqlite, databasePath(dataDir), 'manual'),
      probes: [
        system.settingsProbe(settings),
        // Checked now, not as of the last interval.
        async () => {
          await m.supervisor.checkAll();
          return m.supervisor
            .list()
            .map((s) => ({ name: s.name, status: s.status, detail: s.detail ?? undefined }));
        },
      ],
    }),
    serviceHandlers({ supervisor: m.supervisor, logs: r.logs }),
    cameraHandlers(m.cameras),
    zoneHandlers(new ZoneService(r.zones, r.cameras)),
    calibrationHandlers({ calibration: new CalibrationService(r) }),
    recalibrationHandlers(m.recalibration),
    jobHandlers(m.jobs),
    ...m.extra,
    analyticsHandlers(
      new AnalyticsService({
        ...{ ...r, dataDir, databaseFile: databasePath(dataDir) },
        exportsDir: () => exports.directory(),
      }),
    ),
    telemetryHandlers(m.telemetry),
    rumHandlers(new RumService({ rum: r.rum, observe: (x) => m.metrics.observeRum(x) })),
    mediaHandlers(m.media),
    ingestHandlers({ ingest: m.ingest, images: r.images }),
    detect.detectorHandlers(
      m.detector,
      new detect.ModelDownloads({
        manifest: detect.loadManifest(modelsDir),
        userModelsDir: path.join(dataDir, 'models'),
        appModelsDir: modelsDir,
        activeModel: () => settings.get().detector.model,
        ...{ jobs: r.jobs, jobService: m.jobs },
      }),
    ),
    detectionHandlers(r.detections),
    eventHandlers({ events, repo: r.events, detections: r.detections }),
    alertHandlers({ alerts: m.alerts, repo: r.alerts }),
    notifyHandlers({
      channels: new ChannelService(r.channels),
      outbox: m.outbox,
      preferences: r.preferences,
    }),
    exportHandlers({ exports, desktop: m.config.desktop }),
    debugHandlers({
      ...{ debug: m.debug, logs: r.logs, counts: r.pipelineCounts, settings },
      ...{ debugEnabled: m.debugEnabled, llmBreaker: m.llmBreaker, aggregator: m.aggregator },
      ...{ events, connections: m.connections, paths },
    }),
  );
}
