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
import { zoneRepository } from '../zones/zone-repository';
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
  const probes = [databaseProbe(db)];

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
    debugEnabled,
    async close() {
      if (closed) return;
      closed = true;
      logSink.detach();
      await database.close();
    },
  };
}
