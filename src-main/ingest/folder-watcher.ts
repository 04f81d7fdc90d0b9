import fs from 'node:fs/promises';
import path from 'node:path';
import { watch } from 'chokidar';
import type { FSWatcher } from 'chokidar';
import type { Camera } from '../../src-shared/domain';
import { isImageName } from '../../src-shared/images';
import { isInside } from '../common/paths';
import type { Logger } from '../system';

export interface FolderWatcherOptions {
  root: string;
  stabilitySeconds: number;
  usePolling: boolean;
  logger: Logger;
  /** Cameras whose folders are watched (besides the root's sub-folders). */
  cameras: () => Promise<Camera[]>;
  /** A first-level folder of the root without a camera: create one, return its id. */
  cameraForRootFolder: (name: string, folder: string) => Promise<string | undefined>;
  /** A stable image file for a camera. */
  onFile: (cameraId: string, file: string) => Promise<void>;
}

const SWEEP_INTERVAL_MS = 5 * 60_000;

/** Strictly below the folder (the folder itself is not "inside" it here). */
const inside = (parent: string, child: string) => isInside(parent, child, { allowRoot: false });

/**
 * Watches the ingest root (each first-level folder is a camera) and every camera's own
 * folder. A file is offered once its size has been stable for `stabilitySeconds`.
 */
export class FolderWatcher {
  private watcher?: FSWatcher;
  private sweep?: NodeJS.Timeout;
  private folders = new Map<string, string>(); // folder → camera id
  private readonly log: Logger;

  constructor(private readonly o: FolderWatcherOptions) {
    this.log = o.logger.child({ module: 'watcher' });
  }

  async start(): Promise<void> {
    await fs.mkdir(this.o.root, { recursive: true });
    await this.syncCameras();
    const stabilityMs = Math.max(0, this.o.stabilitySeconds * 1000);
    this.watcher = watch([this.o.root, ...this.folders.keys()], {
      ignoreInitial: true,
      depth: 8,
      usePolling: this.o.usePolling,
      interval: 500,
      ignored: (p, stats) =>
        path.basename(p).startsWith('.') || (stats?.isFile() === true && !isImageName(p)),
      awaitWriteFinish:
        stabilityMs > 0
          ? { stabilityThreshold: stabilityMs, pollInterval: Math.min(100, stabilityMs) }
          : false,
    });
    this.watcher.on('add', (file) => void this.handle(file));
    // A new camera folder under the root: a file moved into it before the watcher looked
    // inside can go unreported; look again once such a file would be stable.
    this.watcher.on('addDir', (dir) => {
      if (path.dirname(path.resolve(dir)) !== path.resolve(this.o.root)) return;
      setTimeout(() => void this.rescan([dir]), stabilityMs + 500).unref();
    });
    this.watcher.on('change', (file) => void this.handle(file));
    this.watcher.on('error', (err) => this.log.error({ err }, 'watch error'));
    await new Promise<void>((resolve) => this.watcher!.once('ready', () => resolve()));
    // A safety net for events a watcher can miss (network shares, very busy folders).
    this.sweep = setInterval(() => void this.rescan(), SWEEP_INTERVAL_MS);
    this.sweep.unref();
  }

  /** Re-reads the camera list: new folders are watched, removed ones forgotten. */
  async syncCameras(): Promise<void> {
    const cameras = await this.o.cameras();
    const next = new Map<string, string>();
    for (const c of cameras) next.set(path.resolve(c.folder), c.id);
    const fresh = [...next.keys()].filter((f) => !this.folders.has(f));
    const added = fresh.filter((f) => !inside(this.o.root, f));
    const removed = [...this.folders.keys()].filter((f) => !next.has(f) && !inside(this.o.root, f));
    this.folders = next;
    if (this.watcher) {
      if (added.length) this.watcher.add(added);
      if (removed.length) this.watcher.unwatch(removed);
      // Files written into a brand-new folder before its watch was set up would be missed.
      if (fresh.length) {
        const delay = this.o.stabilitySeconds * 1000 + 500;
        setTimeout(() => void this.rescan(fresh), delay).unref();
      }
    }
  }

  /** Which camera a file belongs to: the deepest camera folder holding it, else the root's sub-folder. */
  async cameraFor(file: string): Promise<string | undefined> {
    let best: { folder: string; id: string } | undefined;
    for (const [folder, id] of this.folders) {
      if (inside(folder, file) && (!best || folder.length > best.folder.length))
        best = { folder, id };
    }
    if (best) return best.id;
    if (!inside(this.o.root, file)) return undefined;
    const first = path.relative(this.o.root, file).split(path.sep)[0];
    if (!first || first === path.basename(file)) return undefined; // files directly in the root
    const folder = path.join(this.o.root, first);
    const id = await this.o.cameraForRootFolder(first, folder);
    if (id) this.folders.set(folder, id);
    return id;
  }

  private async handle(file: string): Promise<void> {
    try {
      const cameraId = await this.cameraFor(path.resolve(file));
      if (cameraId) await this.o.onFile(cameraId, path.resolve(file));
    } catch (err) {
      this.log.error({ err, file }, 'could not take in file');
    }
  }

  /** Offers every image not taken in yet (start-up, after a pause, new folders, periodically). */
  async rescan(dirs?: string[]): Promise<number> {
    if (!this.watcher && dirs) return 0;
    let offered = 0;
    const roots = new Set(dirs ?? [this.o.root, ...this.folders.keys()]);
    for (const dir of roots) {
      let entries: string[];
      try {
        entries = await fs.readdir(dir, { recursive: true });
      } catch {
        continue;
      }
      for (const rel of entries.sort()) {
        const file = path.join(dir, rel);
        if (!isImageName(file) || rel.split(path.sep).some((part) => part.startsWith('.')))
          continue;
        await this.handle(file);
        offered += 1;
      }
    }
    return offered;
  }

  async close(): Promise<void> {
    clearInterval(this.sweep);
    await this.watcher?.close();
    this.watcher = undefined;
  }
}
