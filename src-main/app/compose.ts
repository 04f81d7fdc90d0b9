import path from 'node:path';
import { BatchAggregator } from '../aggregate';
import { AlertService } from '../alerts';
import { createRouter, typedInvoke } from '../bridge/router';
import { CameraService, CameraStatusMonitor } from '../cameras';
import { ConnectionRegistry } from '../common/connections';
import { DomainEventBus } from '../common/domain-events';
import { PushBus } from '../common/push-bus';
import { openDatabase } from '../db/database';
import { DebugService } from '../debug';
import * as detect from '../detect';
import { EventService, RescoreJobs } from '../events';
import { ExportService } from '../exports';
import { IngestPipeline, IngestRuntime, IngestService } from '../ingest';
import { JobService } from '../jobs';
import { MediaService } from '../media';
import { createMqtt } from '../mqtt';
import { DeliveryOutbox, keyFileSecretStore } from '../notify';
import * as prompts from '../prompts';
import { RecalibrationService } from '../recalibrate';
import { CircuitBreaker, LlmScorer, RulesScorer } from '../risk';
import { RetentionService, retentionHandlers } from '../retention';
import * as system from '../system';
import { TelemetryService } from '../telemetry';
import type { App } from './app';
import type { AppConfig } from './config';
import { databasePath } from './config';
import { ensureWritableDataDir } from './data-dir';
import { appHandlers } from './handlers';
import { AppMetrics } from './metrics';
import { relayPushes } from './push-relay';
import { createRepositories, messageSources } from './repositories';
import { superviseApp } from './services';

export type { App } from './app';

/**
 * The one composition root: every module is built here from one config, by hand, and
 * connected. Modules talk through the domain event bus; their handlers make up the router.
 */
export async function createApp(config: AppConfig): Promise<App> {
  const dataDir = path.resolve(config.dataDir);
  ensureWritableDataDir(dataDir);
  const logging = system.appLogging(dataDir, config);
  const { logger } = logging;
  const database = await openDatabase(databasePath(dataDir));
  const { db } = database;
  logging.attach(database.sqlite);

  const secrets = config.secretStore ?? keyFileSecretStore(dataDir);
  const settingsRepo = system.settingsRepository(db);
  const settings = await system.SettingsService.load(settingsRepo, logger, secrets);
  if (config.settingsPatch) await settings.update(config.settingsPatch);
  const debugEnabled = () => Boolean(config.debug) || settings.get().debug;
  const bus = new DomainEventBus((err, event) =>
    logger.error({ err, event: event.name, correlationId: event.correlationId }, 'listener failed'),
  );
  const publish = bus.publish.bind(bus);
  const push = new PushBus((err) => logger.warn({ err }, 'push listener failed'));
  const connections = new ConnectionRegistry();
  const stopRelay = relayPushes(bus, push);
  settings.onChange((next, previous) => publish('settings.changed', { next, previous }));
  const metrics = new AppMetrics(bus);
  const ingestRoot = () => settings.get().ingest.root || path.join(dataDir, 'ingest');
  const r = createRepositories(database, secrets, logger);
  const common = { ...r, settings, bus, publish, logger, dataDir, ingestRoot };

  const { detector, detectionServer } = detect.createDetection({
    ...{ settings, logger, dataDir, modelsDir: config.modelsDir },
    onStatus: (s) => publish('detector.statusChanged', s),
  });
  metrics.watchDetector(() => detector.status());
  metrics.watchDetectionServer(() => detectionServer.stats());
  const waitingForDetector = () => detector.status().status === 'unavailable';
  const ingest = new IngestService({ ...common, waitingForDetector });
  const pipeline = new IngestPipeline({
    ...common,
    ingest,
    detector,
    onProcessed: config.onProcessed,
  });
  const monitor = new CameraStatusMonitor(common);
  const ingestRuntime = new IngestRuntime({ ...common, ingest, pipeline, detector, monitor });
  // Background work yields while images wait for detection or events are being scored.
  const liveWork = () => ingest.queued > 0 || events.scoringNow() > 0;
  const jobs = new JobService({ ...common, liveWork });
  const cameras = new CameraService({
    ...{ ...common, jobService: jobs },
    ftpEndpoint: () => ({ ...settings.get().ingest.ftp, ...ingestRuntime.ftpAddress() }),
  });
  const aggregator = new BatchAggregator({ ...common, now: config.batchClock });
  const llmBreaker = new CircuitBreaker('llm', 3, config.llmBreakerCooldownMs ?? 30_000, (s) =>
    publish('breaker.changed', s),
  );
  const llmSettings = () => settings.get().llm;
  const telemetry = new TelemetryService({
    ...{ ...common, sampleMs: config.telemetrySampleMs ?? 15_000 },
    nvidiaSmi: config.nvidiaSmi ?? 'nvidia-smi',
  });
  const { experiments, lab, ...promptModule } = prompts.createPrompts({
    ...{ ...common, ...r, llm: llmSettings, jobService: jobs },
    contextFor: (id): Promise<prompts.PromptContext | undefined> => events.contextForEvent(id),
    modelIdle: (): boolean => events.scoringNow() === 0 && llmBreaker.state !== 'open',
    localLlmServers: config.localLlmServers,
  });
  const llm = new LlmScorer(llmSettings, llmBreaker, experiments);
  const events: EventService = new EventService({ ...common, rules: new RulesScorer(), llm });
  const rescorer = new RescoreJobs({ ...common, eventService: events, jobService: jobs, llm });
  const alerts = new AlertService(common);
  const recalibration = new RecalibrationService({
    ...{ ...common, alertService: alerts, jobService: jobs },
    batchSize: config.recalibrationBatchSize,
  });
  const outbox = new DeliveryOutbox({
    ...common,
    sources: messageSources(r),
    senders: { mqtt: (channel, n) => mq.sender(channel, n) },
    backoffMs: config.outboxBackoffMs,
    pollMs: config.outboxPollMs,
  });
  const media = new MediaService({
    ...common,
    allowedRoots: async () => [ingestRoot(), ...(await r.cameras.list()).map((c) => c.folder)],
    cameraIds: async () => (await r.cameras.list()).map((c) => c.id),
  });
  const mq = createMqtt({
    ...{ ...common, queue: r.mqttQueue, cameras: r.cameras, zones: r.zones },
    snapshot: async (id) => (await media.image(id, { boxes: true, maxWidth: 1280 })).body,
    invoke: (channel, input) => typedInvoke(router, 'mqtt')(channel, input),
    stats: async () => {
      const s = await ingest.status();
      return {
        imagesWaiting: s.queueDepth,
        intakePaused: s.pausedByUser,
        detector: detector.status().status,
      };
    },
  });
  const exports = new ExportService({
    ...{ ...common, jobService: jobs },
    chunkSize: config.exportChunkSize,
    resolveImage: (file) => media.safePath(file).catch(() => null),
  });

  const retention = new RetentionService({
    ...{ ...r, ...common, jobService: jobs },
    exportsDir: () => exports.directory(),
  });
  const supervisor = superviseApp({
    ...{ ...common, database, config, detector, detectionServer, outbox, alerts, events },
    ...{ experiments, llmBreaker },
    ...{ aggregator, jobs, cameras, recalibration, lab, retention, exports, telemetry },
    ...{ rescorer, mq },
    ingestRuntime: config.ingest === false ? undefined : ingestRuntime,
  });

  // Replays go through the router like any call (bound late: the router is built below).
  const debug = new DebugService({
    ...{ recordings: r.recordings, logger, enabled: debugEnabled },
    invoke: (channel, input, meta) => router.invoke(channel, input, meta),
  });
  const router = createRouter({
    handlers: appHandlers({
      ...{ config, dataDir, database, r, settings, metrics, connections, debugEnabled },
      ...{ ingestRoot, detector, ingest, cameras, media, events, aggregator, llmBreaker },
      ...{ alerts, outbox, exports, jobs, recalibration, telemetry, debug, supervisor },
      extra: [promptModule.handlers, retentionHandlers(retention), mq.handlers],
    }),
    logger,
    debugEnabled,
    onCall: (record) => (metrics.recordCall(record), debug.onCall(record)),
  });

  // In dependency order: listeners before the steps that publish to them, intake last.
  await supervisor.start();

  let closed = false;
  return {
    ...{ config, dataDir, db, router, bus, push, connections, settings, metrics, logger },
    ...{ detector, ingest },
    ...{ ingestRuntime, pipeline, media, events, aggregator, llmBreaker, alerts, outbox, exports },
    ...{ jobs, recalibration, experiments, telemetry, supervisor, rescorer },
    debugEnabled,
    async close() {
      if (closed) return;
      closed = true;
      // Intake first, then each step after the one feeding it; managed servers too.
      await supervisor.stop();
      await detector.close();
      llmBreaker.close();
      stopRelay();
      logging.close();
      await database.close();
    },
  };
}
