import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { CameraService } from '../cameras/camera-service';
import { cameraRepository } from '../cameras/camera-repository';
import type { Handlers, Router } from '../bridge/router';
import { createRouter } from '../bridge/router';
import { openDatabase } from '../db/database';
import type { DB } from '../db/schema';
import { redactSecrets } from '../debug/redact';
import { databaseProbe, systemHealth } from '../system/health';
import type { Logger } from '../system/logger';
import { createLogger } from '../system/logger';
import { SqliteLogSink } from '../system/log-sink';
import { SettingsService, redactSettings } from '../system/settings-service';
import { ZoneService } from '../zones/zone-service';
import { generatePassword, hashPassword } from '../cameras/ftp-password';
import { detectionRepository } from '../detections/detection-repository';
import { ObjectDetector } from '../detect/detector';
import { appModelsDir, loadManifest } from '../detect/models';
import { ingestRepository } from '../ingest/ingest-repository';
import { IngestRuntime } from '../ingest/ingest-runtime';
import { IngestService } from '../ingest/ingest-service';
import { IngestPipeline } from '../ingest/pipeline';
import { MediaService } from '../media/media-service';
import { AppError } from '../../src-shared/errors';
import { BatchAggregator } from '../aggregate/batch-aggregator';
import { alertRepository } from '../alerts/alert-repository';
import { channelRepository } from '../notify/channel-repository';
import { DeliveryOutbox } from '../notify/delivery-outbox';
import { keyFileSecretStore } from '../notify/secret-box';
import { preferencesRepository } from '../notify/preferences';
import { digestText } from '../notify/senders';
import {
  channelCreateSchema,
  emailConfigSchema,
  webhookConfigSchema,
} from '../../src-shared/contract';
import { zodIssues } from '../bridge/zod-issues';
import { AlertService } from '../alerts/alert-service';
import { calibrationRepository } from '../calibration/calibration-repository';
import { eventRepository } from '../events/event-repository';
import { EventService } from '../events/event-service';
import { CircuitBreaker } from '../risk/circuit-breaker';
import { LlmScorer } from '../risk/llm-scorer';
import { RulesScorer } from '../risk/rules-scorer';
import type { CameraSnapshot } from '../../src-shared/domain';
import { zoneRepository } from '../zones/zone-repository';
import { exportRepository } from '../exports/export-repository';
import { ExportService } from '../exports/export-service';
import type { AppConfig } from './config';
import { databasePath } from './config';
import { AppMetrics } from './metrics';
import { PushBus } from './push';

export interface App {
  readonly config: AppConfig;
  readonly dataDir: string;
  readonly db: Kysely<DB>;
  readonly router: Router;
  readonly bus: PushBus;
  readonly settings: SettingsService;
  readonly metrics: AppMetrics;
  readonly logger: Logger;
  readonly cameras: CameraService;
  readonly detector: ObjectDetector;
  readonly ingest: IngestService;
  readonly ingestRuntime: IngestRuntime;
  readonly media: MediaService;
  readonly events: EventService;
  readonly aggregator: BatchAggregator;
  readonly llmBreaker: CircuitBreaker;
  readonly alerts: AlertService;
  readonly outbox: DeliveryOutbox;
  readonly exports: ExportService;
  debugEnabled(): boolean;
  close(): Promise<void>;
}

/** The one composition root: every service is built here from one config, by hand. */
export async function createApp(config: AppConfig): Promise<App> {
  const dataDir = path.resolve(config.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const logSink = new SqliteLogSink();
  const logger = config.logger ?? createLogger({ sink: logSink });
  const database = await openDatabase(databasePath(dataDir));
  const { db } = database;
  logSink.attach(database.sqlite);

  const settings = await SettingsService.load(db);
  if (config.settingsPatch) await settings.update(config.settingsPatch);
  const debugEnabled = () => Boolean(config.debug) || settings.get().debug;

  const bus = new PushBus();
  const metrics = new AppMetrics();
  const ingestRoot = () => settings.get().ingest.root || path.join(dataDir, 'ingest');

  const cameraRepo = cameraRepository(db);
  const cameras = new CameraService({ repo: cameraRepo, bus, ingestRoot });
  const zones = new ZoneService(zoneRepository(db), cameraRepo);

  const images = ingestRepository(db);
  const detections = detectionRepository(db);
  const detector = new ObjectDetector({
    settings: () => settings.get().detector,
    userModelsDir: path.join(dataDir, 'models'),
    appModelsDir: appModelsDir(),
    manifest: loadManifest(),
    envModelPath: process.env.HSI_MODEL_PATH,
    logger,
    onStatus: (s) => bus.emit('detector.status', s),
  });
  const ingest = new IngestService({
    repo: images,
    cameras: cameraRepo,
    settings,
    bus,
    logger,
    dataDir,
  });
  const eventRepo = eventRepository(db);
  const llmBreaker = new CircuitBreaker('llm', 3, config.llmBreakerCooldownMs ?? 30_000);
  const events = new EventService({
    db,
    events: eventRepo,
    calibration: calibrationRepository(db),
    rules: new RulesScorer(),
    llm: new LlmScorer(() => settings.get().llm, llmBreaker),
    bus,
    logger,
  });
  const aggregator = new BatchAggregator({ db, settings, events, logger });
  const alertRepo = alertRepository(db);
  const channels = channelRepository(db, config.secretStore ?? keyFileSecretStore(dataDir));
  const preferences = preferencesRepository(db);
  const outbox = new DeliveryOutbox({
    db,
    channels,
    alerts: alertRepo,
    events: eventRepo,
    bus,
    logger,
    preferences,
    backoffMs: config.outboxBackoffMs,
    pollMs: config.outboxPollMs,
    senders: {
      // The Electron edge turns these into system notifications; browsers show toasts.
      desktop: (_channel, n) => {
        bus.emit('notification.desktop', {
          title:
            n.test || n.digest
              ? 'Home Security Intelligence'
              : `${(n.alert?.severity ?? 'alert').toUpperCase()}: ${n.event?.cameraName ?? 'Camera'}`,
          body: n.test
            ? 'Desktop notifications work.'
            : n.digest
              ? digestText(n.digest)
              : (n.event?.summary ?? ''),
          severity: n.alert?.severity ?? 'low',
          eventId: n.event?.id ?? null,
        });
        return Promise.resolve();
      },
    },
  });
  bus.subscribe((m) => m.type === 'alert.created' && outbox.wake());
  const alerts = new AlertService({
    db,
    alerts: alertRepo,
    preferences,
    events: eventRepo,
    detections,
    bus,
    logger,
  });
  const pipeline = new IngestPipeline({
    db,
    repo: images,
    cameras: cameraRepo,
    ingest,
    detector,
    settings,
    bus,
    logger,
    onProcessed: config.onProcessed,
    onDetections: (row, found) => aggregator.add(row.camera_id, found, row.enqueued_at),
  });
  ingest.onEnqueued = () => pipeline.wake();
  ingest.waitingForDetector = () => pipeline.waitingForDetector();
  const ingestRuntime = new IngestRuntime({
    settings,
    cameras: cameraRepo,
    ingest,
    pipeline,
    detector,
    bus,
    logger,
    ingestRoot,
  });
  const media = new MediaService({
    images,
    detections,
    allowedRoots: async () => [ingestRoot(), ...(await cameraRepo.list()).map((c) => c.folder)],
  });

  const exports = new ExportService({
    db,
    sqlite: database.sqlite,
    repo: exportRepository(db),
    settings,
    bus,
    logger,
    dataDir,
    chunkSize: config.exportChunkSize,
    resolveImage: (file) => media.safePath(file).catch(() => null),
  });
  const desktopOnly = (): NonNullable<AppConfig['desktop']> => {
    if (!config.desktop) {
      throw new AppError(
        'unavailable',
        'Save As and Show in folder are desktop-app features; download the file instead',
      );
    }
    return config.desktop;
  };

  const probes = [
    databaseProbe(db),
    async () => {
      // Resolves "not loaded yet" into ready or a reason; a loaded model is cached.
      await detector.ensureLoaded();
      const s = detector.status();
      return {
        name: 'detector',
        status: s.status === 'ready' ? ('running' as const) : ('degraded' as const),
        detail: s.status === 'ready' ? `${s.family} on ${s.provider}` : (s.reason ?? s.status),
      };
    },
  ];

  const snapshots = async (): Promise<CameraSnapshot[]> => {
    const latest = await images.latestImages();
    return Promise.all(
      latest.map(async (row) => ({
        cameraId: row.camera_id,
        imageId: row.id,
        at: row.finished_at ?? row.enqueued_at,
        width: row.width ?? 0,
        height: row.height ?? 0,
        detections: (await detections.forImage(row.id)).map((d) => ({
          id: d.id,
          objectClass: d.objectClass,
          confidence: d.confidence,
          bbox: d.bbox,
        })),
      })),
    );
  };

  settings.onChange((next) => bus.emit('settings.updated', redactSettings(next)));

  const handlers: Handlers = {
    'system.health': () => systemHealth(probes),
    'system.settings.get': () => redactSettings(settings.get()),
    'system.settings.update': async (patch) => redactSettings(await settings.update(patch)),
    'cameras.list': () => cameras.list(),
    'cameras.get': ({ id }) => cameras.get(id),
    'cameras.create': (input) => cameras.create(input),
    'cameras.update': (input) => cameras.update(input),
    'cameras.delete': ({ id }) => cameras.delete(id),
    'zones.list': ({ cameraId }) => zones.list(cameraId),
    'zones.create': (input) => zones.create(input),
    'zones.update': (input) => zones.update(input),
    'zones.delete': ({ id }) => zones.delete(id),
    'cameras.snapshots': snapshots,
    'cameras.ftp.setPassword': async ({ id, password }) => {
      const camera = await cameras.get(id);
      const secret = password ?? generatePassword();
      await cameraRepo.setFtpCredentials(
        camera.id,
        camera.id,
        await hashPassword(secret),
        new Date().toISOString(),
      );
      const ftp = settings.get().ingest.ftp;
      const running = ingestRuntime.ftpAddress();
      return {
        cameraId: camera.id,
        user: camera.id,
        password: secret,
        host: running?.host ?? ftp.host,
        port: running?.port ?? ftp.port,
        enabled: ftp.enabled,
      };
    },
    'ingest.importFiles': ({ cameraId, paths }) => ingest.importFiles(cameraId, paths),
    'ingest.status': () => ingest.status(pipeline.waitingForDetector()),
    'ingest.quarantine.list': ({ cameraId, limit }) => images.quarantined(cameraId, limit ?? 100),
    'detector.status': () => detector.status(),
    'events.list': (filter) => eventRepo.list(filter),
    'events.get': async ({ id }) => {
      const event = await eventRepo.get(id);
      if (!event) throw new AppError('not_found', `No event with id "${id}"`);
      const found = await detections.list({ eventId: id, limit: 500 });
      return { ...event, detections: found?.items ?? [] };
    },
    'events.update': async ({ id, ...patch }) => {
      const event = await eventRepo.update(id, patch);
      if (!event) throw new AppError('not_found', `No event with id "${id}"`);
      bus.emit('event.updated', event);
      return event;
    },
    'events.bulkUpdate': async ({ ids, reviewed }) => {
      const updated = await eventRepo.setReviewed(ids, reviewed);
      for (const id of ids) {
        const event = await eventRepo.get(id);
        if (event) bus.emit('event.updated', event);
      }
      return { updated };
    },
    'events.stats': (filter) => eventRepo.stats(filter),
    'alertRules.list': () => alertRepo.rules(),
    'alertRules.create': (input) => alertRepo.createRule(input),
    'alertRules.update': async ({ id, ...patch }) => {
      const rule = await alertRepo.updateRule(id, patch);
      if (!rule) throw new AppError('not_found', `No rule with id "${id}"`);
      return rule;
    },
    'alertRules.delete': async ({ id }) => {
      const rule = await alertRepo.deleteRule(id);
      if (!rule) throw new AppError('not_found', `No rule with id "${id}"`);
      return rule;
    },
    'alertRules.test': (input) => alerts.test(input),
    'alerts.list': (filter) => alertRepo.list(filter),
    'notify.channels.list': () => channels.list(),
    'notify.channels.create': (input) => channels.create(input),
    'notify.channels.update': async ({ id, config: newConfig, ...rest }) => {
      const existing = await channels.get(id);
      if (!existing) throw new AppError('not_found', `No channel with id "${id}"`);
      let checked: Record<string, unknown> | undefined;
      if (newConfig) {
        const schema = {
          webhook: webhookConfigSchema,
          email: emailConfigSchema,
          desktop: channelCreateSchema.options[2].shape.config,
        }[existing.kind];
        // A secret sent back as "[REDACTED]" stands for the stored one: validate with a placeholder.
        const probe = Object.fromEntries(
          Object.entries(newConfig).map(([k, v]) => [k, v === '[REDACTED]' ? 'kept-secret' : v]),
        );
        const parsed = schema.safeParse(probe);
        if (!parsed.success)
          throw new AppError(
            'invalid_input',
            'Channel settings are not valid',
            zodIssues(parsed.error),
          );
        checked = Object.fromEntries(
          Object.entries(parsed.data as Record<string, unknown>).map(([k, v]) => [
            k,
            newConfig[k] === '[REDACTED]' ? '[REDACTED]' : v,
          ]),
        );
      }
      const channel = await channels.update(id, { ...rest, config: checked });
      if (!channel) throw new AppError('not_found', `No channel with id "${id}"`);
      return channel;
    },
    'notify.channels.delete': async ({ id }) => {
      const channel = await channels.delete(id);
      if (!channel) throw new AppError('not_found', `No channel with id "${id}"`);
      return channel;
    },
    'notify.channels.test': ({ id }) => outbox.test(id),
    'notify.preferences.get': () => preferences.get(),
    'notify.preferences.update': (patch) => preferences.update(patch),
    'notify.deliveries.list': (filter) => outbox.list(filter),
    'notify.deliveries.retry': ({ id }) => outbox.retry(id),
    'alerts.acknowledge': async ({ id }) => {
      const alert = await alertRepo.setStatus(id, 'acknowledged');
      bus.emit('alert.updated', alert);
      return alert;
    },
    'alerts.dismiss': async ({ id }) => {
      const alert = await alertRepo.setStatus(id, 'dismissed');
      bus.emit('alert.updated', alert);
      return alert;
    },
    'events.feedback': async (input) => {
      if (!(await eventRepo.get(input.eventId))) {
        throw new AppError('not_found', `No event with id "${input.eventId}"`);
      }
      try {
        return await eventRepo.addFeedback(input);
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
          throw new AppError('conflict', 'This event already has feedback');
        }
        throw err;
      }
    },
    'detections.list': async (filter) => {
      const page = await detections.list(filter);
      if (!page)
        throw new AppError('invalid_input', 'The cursor is not valid', [
          { path: ['cursor'], message: 'Invalid cursor' },
        ]);
      return page;
    },
    'exports.create': (input) => exports.create(input),
    'exports.list': (filter) => exports.list(filter),
    'exports.get': ({ id }) => exports.get(id),
    'exports.cancel': ({ id }) => exports.cancel(id),
    'exports.downloadInfo': async ({ id }) => {
      const { path: _file, ...info } = await exports.downloadInfo(id);
      return info;
    },
    'exports.saveAs': async ({ id }) => {
      const desktop = desktopOnly();
      const info = await exports.downloadInfo(id);
      const target = await desktop.saveAs(info.path, info.fileName);
      if (!target) return { saved: false, path: null };
      await fs.promises.copyFile(info.path, target);
      return { saved: true, path: target };
    },
    'exports.reveal': async ({ id }) => {
      const desktop = desktopOnly();
      desktop.reveal((await exports.downloadInfo(id)).path);
      return { ok: true };
    },
    'debug.config': () =>
      redactSecrets({
        dataDir,
        database: databasePath(dataDir),
        debug: debugEnabled(),
        ingestRoot: ingestRoot(),
        settings: settings.get(),
      }),
  };

  const router = createRouter({
    handlers,
    logger,
    debugEnabled,
    onCall: (record) => metrics.recordCall(record),
  });

  alerts.start();
  await outbox.start();
  await aggregator.start();
  events.startRescoring(config.rescoreIntervalMs);
  await exports.start();
  if (config.ingest !== false) await ingestRuntime.start();

  let closed = false;
  return {
    config,
    dataDir,
    db,
    router,
    bus,
    settings,
    metrics,
    logger,
    cameras,
    detector,
    ingest,
    ingestRuntime,
    media,
    events,
    aggregator,
    llmBreaker,
    alerts,
    outbox,
    exports,
    debugEnabled,
    async close() {
      if (closed) return;
      closed = true;
      await ingestRuntime.stop();
      events.stop();
      await aggregator.stop();
      await alerts.idle();
      alerts.stop();
      await outbox.stop();
      await exports.stop();
      await detector.close();
      logSink.detach();
      await database.close();
    },
  };
}
