import fs from 'node:fs/promises';
import path from 'node:path';
import type { ImportResult } from '../../src-shared/contract';
import type { IngestStatus } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import { NOT_AN_IMAGE_MESSAGE, isImageName } from '../../src-shared/images';
import type { CameraRepository } from '../cameras';
import { withoutCorrelation } from '../common/correlation';
import type { Publish } from '../common/domain-events';
import { newId, nowIso } from '../common/ids';
import type { Logger, SettingsService } from '../system';
import type { IngestRepository, IngestRow, IngestSource } from './ingest-repository';

export type OfferOutcome = 'queued' | 'known' | 'paused' | 'ignored' | 'quarantined';

export interface IngestServiceDeps {
  images: IngestRepository;
  cameras: CameraRepository;
  settings: SettingsService;
  publish: Publish;
  logger: Logger;
  dataDir: string;
  /** Whether files wait because no detector model could be loaded (shown in the status). */
  waitingForDetector: () => boolean;
}

/**
 * Intake: decides what enters the persisted queue, keeps the queue bounded (pause above
 * the high-water mark, resume below the low-water mark) and quarantines bad files.
 */
export class IngestService {
  private depth = 0;
  private pausedFlag = false;
  private pausedByUser = false;
  private inFlightCount = 0;
  private readonly offering = new Set<string>();
  private readonly resumeListeners = new Set<() => void>();
  private statusTimer?: NodeJS.Timeout;
  private readonly log: Logger;

  constructor(private readonly deps: IngestServiceDeps) {
    this.log = deps.logger.child({ module: 'ingest' });
  }

  async init(): Promise<void> {
    const requeued = await this.deps.images.requeueInFlight();
    if (requeued) this.log.warn({ requeued }, 'requeued work interrupted by the last shutdown');
    this.depth = await this.deps.images.queueDepth();
    this.updatePaused();
  }

  /** Images waiting for detection. */
  get queued(): number {
    return this.depth;
  }

  /** Not taking new snapshots: above the high-water mark, or paused by the user. */
  get paused(): boolean {
    return this.pausedFlag || this.pausedByUser;
  }

  /**
   * Pauses or resumes intake by hand (the tray, `ingest.pause`): new snapshots wait in their
   * folders; on resume the folders are looked through again. Queued work keeps going.
   */
  async pauseByUser(on: boolean): Promise<IngestStatus> {
    const wasPaused = this.paused;
    this.pausedByUser = on;
    this.log.info({ paused: on }, on ? 'intake paused by the user' : 'intake resumed by the user');
    if (wasPaused && !this.paused) for (const listener of this.resumeListeners) listener();
    const status = await this.status();
    this.deps.publish('ingest.statusChanged', status);
    return status;
  }

  onResume(listener: () => void): () => void {
    this.resumeListeners.add(listener);
    return () => this.resumeListeners.delete(listener);
  }

  /**
   * Offers a file that arrived for a camera. Folder and FTP intake respect the pause;
   * manual imports are always taken (a person asked for them).
   */
  async offer(cameraId: string, filePath: string, source: IngestSource): Promise<OfferOutcome> {
    // The watcher, a rescan and FTP can offer the same file at once: one at a time per path.
    if (this.offering.has(filePath)) return 'known';
    this.offering.add(filePath);
    try {
      return await this.offerNow(cameraId, filePath, source);
    } finally {
      this.offering.delete(filePath);
    }
  }

  private async offerNow(
    cameraId: string,
    filePath: string,
    source: IngestSource,
  ): Promise<OfferOutcome> {
    if (!isImageName(filePath)) return 'ignored';
    let stat;
    try {
      stat = await fs.stat(filePath);
    } catch {
      return 'ignored';
    }
    if (!stat.isFile()) return 'ignored';
    if (await this.deps.images.isKnown(filePath, stat.size, stat.mtimeMs)) return 'known';
    const camera = await this.deps.cameras.find(cameraId);
    if (!camera || !camera.enabled) return 'ignored';
    const minBytes = this.deps.settings.get().ingest.minBytes;
    const tooSmall = stat.size < minBytes;
    if (this.paused && source !== 'import' && !tooSmall) return 'paused';

    const now = nowIso();
    // The image's correlation id: it follows the file to its batch, event, alerts and deliveries.
    const correlationId = newId();
    const reason = tooSmall
      ? `File is too small (${stat.size} bytes < ${minBytes}); likely a partial upload`
      : undefined;
    const id = await this.deps.images.enqueue({
      cameraId,
      path: filePath,
      size: stat.size,
      mtimeMs: stat.mtimeMs,
      source,
      enqueuedAt: now,
      quarantineReason: reason,
      correlationId,
    });
    const changed = await this.deps.cameras.touch(cameraId, now);
    if (changed) this.deps.publish('camera.changed', changed);

    if (reason) {
      // Never queued, so the pipeline cannot pick it up while it is being moved.
      const row = await this.deps.images.get(id);
      if (row) await this.quarantine(row, reason);
      return 'quarantined';
    }
    this.depth += 1;
    this.updatePaused();
    this.pushStatusSoon();
    this.log.debug({ cameraId, path: filePath, source, correlationId }, 'image queued');
    this.deps.publish('image.queued', { imageId: id, cameraId }, correlationId);
    return 'queued';
  }

  /** Upload from a browser (drag and drop): bytes written into the camera's folder, then queued. */
  async importBytes(cameraId: string, fileName: string, bytes: Buffer): Promise<ImportResult> {
    const camera = await this.deps.cameras.find(cameraId);
    if (!camera) throw new AppError('not_found', `No camera with id "${cameraId}"`);
    if (!camera.enabled) throw new AppError('conflict', `Camera "${camera.name}" is disabled`);
    // Only the base name is used: a name can never point outside the folder.
    const base = path
      .basename(fileName.replace(/\\/g, '/'))
      .replace(/[^\w.\- ]+/g, '_')
      .slice(-120);
    if (!isImageName(base)) {
      return {
        queued: 0,
        rejected: [{ path: fileName, reason: NOT_AN_IMAGE_MESSAGE }],
      };
    }
    const targetDir = await importFolder(camera.folder);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const target = path.join(targetDir, `${stamp}-${base}`);
    const temp = path.join(targetDir, `.${stamp}-${base}.part`);
    try {
      await fs.writeFile(temp, bytes);
      await fs.rename(temp, target);
    } catch (err) {
      // Nothing half-written stays behind.
      await fs.rm(temp, { force: true });
      throw new AppError('unavailable', copyFailure(err, targetDir));
    }
    const outcome = await this.offer(cameraId, target, 'import');
    return outcome === 'queued' || outcome === 'known'
      ? { queued: 1, rejected: [] }
      : { queued: 0, rejected: [{ path: fileName, reason: 'File is too small or damaged' }] };
  }

  /** Manual import: copies the files into the camera's folder, then queues them. */
  async importFiles(cameraId: string, paths: string[]): Promise<ImportResult> {
    const camera = await this.deps.cameras.find(cameraId);
    if (!camera) throw new AppError('not_found', `No camera with id "${cameraId}"`);
    if (!camera.enabled) throw new AppError('conflict', `Camera "${camera.name}" is disabled`);
    const targetDir = await importFolder(camera.folder);
    const rejected: ImportResult['rejected'] = [];
    let queued = 0;
    for (const p of paths) {
      if (!path.isAbsolute(p) || p.includes('\0')) {
        rejected.push({ path: p, reason: 'Path must be absolute' });
        continue;
      }
      if (!isImageName(p)) {
        rejected.push({ path: p, reason: NOT_AN_IMAGE_MESSAGE });
        continue;
      }
      try {
        const stat = await fs.stat(p);
        if (!stat.isFile()) throw new Error('not a file');
      } catch {
        rejected.push({ path: p, reason: 'File not found' });
        continue;
      }
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const target = path.join(targetDir, `${stamp}-${path.basename(p)}`);
      const temp = path.join(targetDir, `.${path.basename(target)}.part`);
      try {
        await fs.copyFile(p, temp);
        await fs.rename(temp, target);
      } catch (err) {
        await fs.rm(temp, { force: true });
        rejected.push({ path: p, reason: copyFailure(err, targetDir) });
        continue;
      }
      const outcome = await this.offer(cameraId, target, 'import');
      if (outcome === 'queued' || outcome === 'known') queued += 1;
      else
        rejected.push({
          path: p,
          reason: outcome === 'quarantined' ? 'File is too small or damaged' : 'Not accepted',
        });
    }
    return { queued, rejected };
  }

  /** The pipeline took an item off the queue. */
  claimed(): void {
    this.depth = Math.max(0, this.depth - 1);
    this.inFlightCount += 1;
    this.updatePaused();
    this.pushStatusSoon();
  }

  /** The pipeline finished (or gave back) an item. */
  released(requeued = false): void {
    this.inFlightCount = Math.max(0, this.inFlightCount - 1);
    if (requeued) this.depth += 1;
    this.updatePaused();
    this.pushStatusSoon();
  }

  /** Moves a bad file to DATA/quarantine/<camera>/ and records why. */
  async quarantine(row: IngestRow, reason: string): Promise<void> {
    const dir = path.join(this.deps.dataDir, 'quarantine', row.camera_id);
    const target = path.join(dir, `${row.id}-${path.basename(row.path)}`);
    let moved: string | undefined;
    try {
      await fs.mkdir(dir, { recursive: true });
      await fs.rename(row.path, target).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EXDEV') throw err;
        await fs.copyFile(row.path, target);
        await fs.rm(row.path, { force: true });
      });
      moved = target;
    } catch (err) {
      this.log.warn(
        { path: row.path, err: (err as Error).message },
        'could not move file to quarantine',
      );
    }
    await this.deps.images.finish(row.id, 'quarantined', {
      error: reason,
      quarantinePath: moved,
      now: nowIso(),
    });
    this.log.warn({ cameraId: row.camera_id, path: row.path, reason }, 'file quarantined');
    this.pushStatusSoon();
  }

  async status(): Promise<IngestStatus> {
    const counts = await this.deps.images.counts();
    const perMinute = await this.deps.images.finishedSince(
      new Date(Date.now() - 60_000).toISOString(),
    );
    return {
      queueDepth: counts.queued,
      inFlight: counts.processing,
      paused: this.paused,
      pausedByUser: this.pausedByUser,
      processed: counts.done,
      failed: counts.failed,
      quarantined: counts.quarantined,
      duplicates: counts.duplicate,
      perMinute,
      waitingForDetector: this.deps.waitingForDetector(),
    };
  }

  private updatePaused(): void {
    const { highWater, lowWater } = this.deps.settings.get().ingest;
    if (!this.pausedFlag && this.depth >= highWater) {
      this.pausedFlag = true;
      this.log.warn({ depth: this.depth, highWater }, 'ingest paused: queue above high-water mark');
    } else if (this.pausedFlag && this.depth <= lowWater) {
      this.pausedFlag = false;
      this.log.info({ depth: this.depth, lowWater }, 'ingest resumed');
      if (!this.pausedByUser) for (const listener of this.resumeListeners) listener();
    }
  }

  /** Coalesces status pushes to at most one per 250 ms. */
  pushStatusSoon(): void {
    if (this.statusTimer) return;
    // The queue's status, not the image's that happened to ask first.
    this.statusTimer = withoutCorrelation(() =>
      setTimeout(() => {
        this.statusTimer = undefined;
        this.status()
          .then((s) => this.deps.publish('ingest.statusChanged', s))
          .catch((err: unknown) => this.log.error({ err }, 'ingest status failed'));
      }, 250),
    );
    this.statusTimer.unref();
  }

  close(): void {
    clearTimeout(this.statusTimer);
    this.statusTimer = undefined;
  }
}

/**
 * `<camera folder>/imported`, created if missing, where uploads and imports are written —
 * refused when it is a link (or under one) that leads out of the camera's folder, so an
 * upload can never be written elsewhere.
 */
async function importFolder(cameraFolder: string): Promise<string> {
  const dir = path.join(cameraFolder, 'imported');
  await fs.mkdir(dir, { recursive: true });
  const [real, root] = await Promise.all([fs.realpath(dir), fs.realpath(cameraFolder)]);
  if (real !== path.join(root, 'imported')) {
    throw new AppError(
      'conflict',
      `The camera's "imported" folder leads outside its folder (${real}); replace the link with a folder`,
    );
  }
  return dir;
}

/** Why a snapshot could not be stored in `dir`, in words. */
function copyFailure(err: unknown, dir: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') {
    return `The disk is full: there is no room to store the snapshot in ${dir}. Free some space, then send it again`;
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return `Cannot write to ${dir} (${code}): make the folder writable, then send it again`;
  }
  return `Cannot copy: ${code ?? (err as Error).message}`;
}
