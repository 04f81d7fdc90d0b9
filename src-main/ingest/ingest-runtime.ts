import path from 'node:path';
import { cameraIdFromName } from '../../src-shared/domain';
import type { Settings } from '../../src-shared/settings';
import type { CameraRepository } from '../cameras';
import { verifyPassword } from '../cameras';
import { withoutCorrelation } from '../common/correlation';
import type { DomainEventBus } from '../common/domain-events';
import { nowIso } from '../common/ids';
import type { ObjectDetector } from '../detect';
import type { Logger, SettingsService } from '../system';
import { FolderWatcher } from './folder-watcher';
import type { FtpIngestServer } from './ftp-server';
import { startFtpServer } from './ftp-server';
import type { IngestService } from './ingest-service';
import type { IngestPipeline } from './pipeline';

export interface IngestRuntimeDeps {
  settings: SettingsService;
  cameras: CameraRepository;
  ingest: IngestService;
  pipeline: IngestPipeline;
  detector: ObjectDetector;
  /** Marks silent cameras offline while intake runs. */
  monitor: { start(): void; stop(): void };
  bus: DomainEventBus;
  logger: Logger;
  ingestRoot: () => string;
}

/**
 * Runs the front half of the product: folder watching, the embedded FTP endpoint, the
 * pipeline and camera status, and restarts the parts whose settings change.
 */
export class IngestRuntime {
  private watcher?: FolderWatcher;
  private ftp?: FtpIngestServer;
  private readonly unsubscribers: (() => void)[] = [];
  private readonly log: Logger;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly d: IngestRuntimeDeps) {
    this.log = d.logger.child({ module: 'ingest-runtime' });
  }

  /** FTP endpoint address while it runs. */
  ftpAddress(): { host: string; port: number } | undefined {
    return this.ftp && { host: this.ftp.host, port: this.ftp.port };
  }

  async start(): Promise<void> {
    await this.d.ingest.init();
    await this.startWatcher();
    await this.startFtp();
    this.d.pipeline.start();
    this.d.monitor.start();
    const syncCameras = () => this.serial(async () => this.watcher?.syncCameras());
    this.unsubscribers.push(
      this.d.ingest.onResume(() => this.serial(async () => void (await this.watcher?.rescan()))),
      this.d.settings.onChange((next, prev) => this.serial(() => this.applySettings(next, prev))),
      this.d.bus.on('camera.changed', syncCameras),
      this.d.bus.on('camera.deleted', syncCameras),
    );
    void this.d.detector.ensureLoaded().then((ok) => ok && this.d.pipeline.wake());
  }

  /** Settings changes and camera syncs run one after another, never interleaved. */
  private serial(task: () => Promise<void>): void {
    this.chain = this.chain
      // The servers and watchers a task starts outlive the call that changed the settings.
      .then(() => withoutCorrelation(task))
      .catch((err: unknown) => this.log.error({ err }, 'ingest runtime task failed'));
  }

  private async applySettings(next: Settings, prev: Settings): Promise<void> {
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    if (
      next.ingest.root !== prev.ingest.root ||
      next.ingest.stabilitySeconds !== prev.ingest.stabilitySeconds ||
      next.ingest.usePolling !== prev.ingest.usePolling
    ) {
      await this.watcher?.close();
      await this.startWatcher();
    }
    if (!same(next.ingest.ftp, prev.ingest.ftp)) {
      await this.ftp?.close();
      this.ftp = undefined;
      await this.startFtp();
    }
    if (!same(next.detector, prev.detector)) {
      if (await this.d.detector.ensureLoaded()) this.d.pipeline.wake();
    }
  }

  private async startWatcher(): Promise<void> {
    const s = this.d.settings.get().ingest;
    const watcher = new FolderWatcher({
      root: this.d.ingestRoot(),
      stabilitySeconds: s.stabilitySeconds,
      usePolling: s.usePolling,
      logger: this.d.logger,
      cameras: () => this.d.cameras.list(),
      cameraForRootFolder: (name, folder) => this.cameraForRootFolder(name, folder),
      onFile: async (cameraId, file) => void (await this.d.ingest.offer(cameraId, file, 'folder')),
    });
    await watcher.start();
    this.watcher = watcher;
    // Files that arrived while the app was not running.
    await watcher.rescan();
  }

  /** A first-level folder of the ingest root is a camera: id = normalised folder name. */
  private async cameraForRootFolder(name: string, folder: string): Promise<string | undefined> {
    const id = cameraIdFromName(name);
    if (!id) return undefined;
    if (await this.d.cameras.find(id)) return id;
    const taken = await this.d.cameras.findByName(name);
    const camera = await this.d.cameras.insert({
      id,
      name: taken ? id : name,
      folder: path.resolve(folder),
      enabled: true,
      now: nowIso(),
    });
    this.log.info({ cameraId: id, folder }, 'camera created for new ingest folder');
    this.d.bus.publish('camera.changed', camera);
    return id;
  }

  private async startFtp(): Promise<void> {
    const s = this.d.settings.get().ingest.ftp;
    if (!s.enabled) return;
    try {
      this.ftp = await startFtpServer({
        host: s.host,
        port: s.port,
        logger: this.d.logger,
        isPaused: () => this.d.ingest.paused,
        authenticate: async (user, password) => {
          const login = await this.d.cameras.ftpLogin(user);
          if (!login || !login.camera.enabled) return null;
          if (!(await verifyPassword(password, login.hash))) return null;
          return { cameraId: login.camera.id, folder: login.camera.folder };
        },
        // A finished upload needs no stability wait.
        onUpload: (account, file) => {
          this.d.ingest
            .offer(account.cameraId, file, 'ftp')
            .catch((err: unknown) => this.log.error({ err, file }, 'could not take in FTP upload'));
        },
      });
      this.log.info({ host: this.ftp.host, port: this.ftp.port }, 'FTP endpoint listening');
    } catch (err) {
      this.log.error({ err, host: s.host, port: s.port }, 'FTP endpoint could not start');
    }
  }

  async stop(): Promise<void> {
    for (const u of this.unsubscribers.splice(0)) u();
    await this.chain;
    this.d.monitor.stop();
    await this.ftp?.close();
    this.ftp = undefined;
    await this.watcher?.close();
    await this.d.pipeline.stop();
    this.d.ingest.close();
  }
}
