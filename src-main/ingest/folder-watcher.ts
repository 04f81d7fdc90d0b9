import fs from 'node:fs/promises';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { watch } from 'chokidar';
import type { FSWatcher } from 'chokidar';
import type { Camera } from '../../src-shared/domain';
import { isImageName } from '../../src-shared/images';
import { isInside } from '../common/paths';
import type { Logger } from '../system';
import { TreeWatcher } from './tree-watcher';

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
/** Sub-folders below a camera folder that are watched (cameras often file by date). */
const MAX_DEPTH = 8;

/** What watches the folders: TreeWatcher (inotify), or chokidar when polling. */
interface Tree {
  add(folders: string[]): Promise<void>;
  unwatch(folders: string[]): void;
  close(): Promise<void>;
}

/**
 * chokidar polling each file (network shares and file systems without change events), with
 * its own wait for stable files.
 */
function pollingTree(o: {
  stabilityMs: number;
  onFile: (file: string) => void;
  onDir: (dir: string) => void;
  onError: (err: Error) => void;
}): Tree {
  let watcher: FSWatcher | undefined;
  const start = async (folders: string[]) => {
    watcher = watch(folders, {
      ignoreInitial: true,
      depth: MAX_DEPTH,
      usePolling: true,
      interval: 500,
      ignored: (p, stats) =>
        path.basename(p).startsWith('.') || (stats?.isFile() === true && !isImageName(p)),
      awaitWriteFinish:
        o.stabilityMs > 0
          ? { stabilityThreshold: o.stabilityMs, pollInterval: Math.min(100, o.stabilityMs) }
          : false,
    });
    watcher.on('add', (file) => o.onFile(path.resolve(file)));
    watcher.on('change', (file) => o.onFile(path.resolve(file)));
    watcher.on('addDir', (dir) => o.onDir(path.resolve(dir)));
    watcher.on('error', (err) => o.onError(err as Error));
    await new Promise<void>((resolve) => watcher!.once('ready', () => resolve()));
  };
  return {
    add: async (folders) => {
      if (watcher) watcher.add(folders);
      else await start(folders);
    },
    unwatch: (folders) => void watcher?.unwatch(folders),
    close: async () => {
      await watcher?.close();
      watcher = undefined;
    },
  };
}

/** Strictly below the folder (the folder itself is not "inside" it here). */
const inside = (parent: string, child: string) => isInside(parent, child, { allowRoot: false });

/**
 * Watches the ingest root (each first-level folder is a camera) and every camera's own
 * folder. A file is offered once its size has been stable for `stabilitySeconds`.
 */
export class FolderWatcher {
  private tree?: Tree;
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
    const onDir = (dir: string) =>
      setTimeout(() => void this.rescan([dir]), stabilityMs + 500).unref();
    const onError = (err: Error) => this.log.error({ err }, 'watch error');
    this.tree = this.o.usePolling
      ? pollingTree({ stabilityMs, onFile: (f) => void this.handle(f), onDir, onError })
      : new TreeWatcher({
          stabilityMs,
          maxDepth: MAX_DEPTH,
          accept: isImageName,
          onFile: (f) => void this.handle(f),
          // A new folder: a file moved into it before it was watched goes unreported; look
          // again once such a file would be stable.
          onDir,
          onError,
        });
    await this.tree.add([this.o.root, ...this.folders.keys()]);
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
    if (this.tree) {
      if (added.length) await this.tree.add(added);
      if (removed.length) this.tree.unwatch(removed);
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
    if (!this.tree && dirs) return 0;
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
        // Thousands of kept snapshots: let other work run between them.
        if (offered % 100 === 0) await nextTurn();
      }
    }
    return offered;
  }

  async close(): Promise<void> {
    clearInterval(this.sweep);
    await this.tree?.close();
    this.tree = undefined;
  }
}
