import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ChannelParsedInput } from '../../src-shared/contract';
import type { ExportDownloadInfo, ExportJob, ExportStatus } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import { withCorrelation } from '../common/correlation';
import type { Publish } from '../common/domain-events';
import type { EventRepository, EventSource } from '../events';
import type { JobRepository, JobService } from '../jobs';
import { JOB_STOPPING } from '../jobs';
import type { Logger, SettingsService } from '../system';
import type { ExportJobRecord, ExportRepository } from './export-repository';
import { CONTENT_TYPES, exportFileName } from './export-formats';
import { WRITERS, passes } from './export-writers';

/** Desktop-only abilities the Electron edge lends (Save As dialog, show in folder). */
export interface DesktopFiles {
  /** Asks where to save a copy of `file`; resolves to the chosen path, or null if cancelled. */
  saveAs(file: string, suggestedName: string): Promise<string | null>;
  /** Shows the file in the system file manager. */
  reveal(file: string): void;
}

export interface ExportServiceDeps {
  exportJobs: ExportRepository;
  /** Exports run as jobs of kind `export` (same id): listed, cancelled and kept with the rest. */
  jobs: JobRepository;
  jobService: JobService;
  events: EventRepository;
  settings: SettingsService;
  publish: Publish;
  logger: Logger;
  dataDir: string;
  resolveImage(path: string): Promise<string | null>;
  /** Rows per chunk read from SQLite (tests make it small to catch a job mid-run). */
  chunkSize?: number;
}

/** Why a running job stopped early. */
type StopReason = 'cancel' | 'shutdown';

interface Running {
  job: ExportJobRecord;
  controller: AbortController;
  stop: StopReason | null;
  done: Promise<void>;
}

const PROGRESS_PUSH_MS = 250;
const PROGRESS_SAVE_MS = 1000;

/** The partial file of a job (a fixed name, so a restart can find and remove it). */
export function partialPath(dir: string, jobId: string): string {
  return path.join(dir, `.${jobId}.partial`);
}

/** A file-system error as a sentence a person can act on. */
export function describeWriteError(err: unknown, dir: string): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return `The disk is full: there was no room left to write the export in ${dir}. Free some space (or choose another export folder in Settings) and start the export again.`;
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return `The export folder ${dir} cannot be written to (${code}). Choose another export folder in Settings, or fix its permissions, and start the export again.`;
    case 'ENOTDIR':
    case 'ENOENT':
      return `The export folder ${dir} does not exist and could not be created (${code}). Choose another export folder in Settings.`;
    case 'EMFILE':
    case 'ENFILE':
      return 'Too many files are open on this computer to write the export right now. Try again in a moment.';
    default:
      return `The export failed: ${(err as Error | undefined)?.message ?? String(err)}`;
  }
}

export const EXPORT_JOB = 'export';

/**
 * Export jobs: rows first (pending → running → completed / failed / cancelled), a small
 * worker pool, progress pushes, prompt cancel, crash recovery, retention. Files are written
 * to a partial name, hashed while written, and renamed into place only when complete. Each
 * export runs on the shared job runner as a job of kind `export` with the same id (its
 * status, history and cancel are the runner's; its file and format details stay here).
 */
export class ExportService {
  private readonly running = new Map<string, Running>();
  private stopped = false;
  private sweepTimer: NodeJS.Timeout | null = null;
  private pumping = false;

  constructor(private readonly deps: ExportServiceDeps) {}

  directory(): string {
    return this.deps.settings.get().exports.directory || path.join(this.deps.dataDir, 'exports');
  }

  /** Fails jobs a crash interrupted (and removes their partial files), expires old ones, resumes pending. */
  async start(): Promise<void> {
    this.stopped = false;
    this.deps.jobService.onCancel(EXPORT_JOB, (id) => this.cancelPending(id));
    for (const job of await this.deps.exportJobs.interrupted()) {
      await this.removePartial(job.id);
      this.deps.logger.warn({ jobId: job.id }, 'export interrupted by a restart; marked failed');
      if (await this.deps.jobs.get(job.id)) {
        await this.deps.jobs.setStatus(job.id, 'failed', job.error);
      }
      this.emit(job);
    }
    // Stopped by a shutdown: waiting again, as the runner's record says too.
    for (const job of await this.deps.exportJobs.list({ status: 'pending', limit: 1000 })) {
      const runner = await this.deps.jobs.get(job.id);
      if (runner?.status === 'running') await this.deps.jobs.setStatus(job.id, 'pending');
    }
    await this.sweep();
    this.sweepTimer = setInterval(() => void this.sweep(), 3600_000);
    this.sweepTimer.unref();
    this.pump();
  }

  async create(input: ChannelParsedInput<'exports.create'>): Promise<ExportJob> {
    if (this.stopped) throw new AppError('unavailable', 'The app is shutting down');
    if (input.filters.q) await this.deps.events.checkSearch(input.filters.q);
    const job = await this.deps.exportJobs.create({
      format: input.format,
      filters: input.filters,
      includeImages: input.format === 'zip' && (input.includeImages ?? true),
    });
    await this.deps.jobs.create(EXPORT_JOB, { format: job.format }, 0, job.id);
    this.emit(job);
    this.pump();
    return publicJob(job);
  }

  list(filter: { status?: ExportStatus; limit?: number }): Promise<ExportJob[]> {
    return this.deps.exportJobs.list(filter);
  }

  async get(id: string): Promise<ExportJob> {
    return publicJob(await this.record(id));
  }

  /**
   * Pending: cancelled at once. Running: the writer stops at its next chunk, the partial
   * file is removed, and this resolves once that is done. Finished jobs cannot be cancelled.
   */
  async cancel(id: string): Promise<ExportJob> {
    const job = await this.record(id);
    const run = this.running.get(id);
    if (run || job.status === 'pending') {
      // Through the runner: a running export stops at its next chunk, a pending one at once.
      if (await this.deps.jobs.get(id)) await this.deps.jobService.cancel(id);
      else await this.cancelPending(id);
      await run?.done;
      const after = await this.record(id);
      if (after.status === 'cancelled') return publicJob(after);
    }
    throw new AppError('conflict', `This export is already ${job.status} and cannot be cancelled`);
  }

  /** A pending export cancelled (through `exports.cancel` or `jobs.cancel`). */
  private async cancelPending(id: string): Promise<void> {
    if (await this.deps.exportJobs.finish(id, 'cancelled', null, ['pending'])) {
      this.emit(await this.record(id));
    }
  }

  async downloadInfo(id: string): Promise<ExportDownloadInfo & { path: string }> {
    const job = await this.record(id);
    if (job.status !== 'completed' || !job.filePath || !job.fileName) {
      throw new AppError(
        'conflict',
        `This export is ${job.status}; only a completed export can be downloaded`,
      );
    }
    try {
      const stat = await fsp.stat(job.filePath);
      return {
        fileName: job.fileName,
        fileSize: stat.size,
        contentType: CONTENT_TYPES[job.format],
        sha256: job.sha256 ?? '',
        path: job.filePath,
      };
    } catch {
      throw new AppError(
        'not_found',
        'The export file is no longer on disk; start the export again',
      );
    }
  }

  /** Desktop app: a Save As dialog, then a copy of the finished file. */
  async saveAs(id: string, desktop: DesktopFiles | undefined) {
    const info = await this.downloadInfo(id);
    const target = await desktopOnly(desktop).saveAs(info.path, info.fileName);
    if (!target) return { saved: false, path: null };
    await fsp.copyFile(info.path, target);
    return { saved: true, path: target };
  }

  /** Desktop app: shows the finished file in the system file manager. */
  async reveal(id: string, desktop: DesktopFiles | undefined) {
    const files = desktopOnly(desktop);
    files.reveal((await this.downloadInfo(id)).path);
    return { ok: true };
  }

  /** Stops the workers; running jobs go back to pending and start over next time. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    const runs = [...this.running.values()];
    await this.deps.jobService.stopJobs([...this.running.keys()]);
    await Promise.all(runs.map((r) => r.done));
  }

  /** Deletes finished jobs (and files) past the retention period. */
  async sweep(now = Date.now()): Promise<number> {
    const days = this.deps.settings.get().exports.retentionDays;
    const expired = await this.deps.exportJobs.expire(
      new Date(now - days * 86400_000).toISOString(),
    );
    for (const job of expired) {
      if (job.filePath) await fsp.rm(job.filePath, { force: true });
      await this.removePartial(job.id);
    }
    if (expired.length) this.deps.logger.info({ count: expired.length }, 'expired exports removed');
    return expired.length;
  }

  /** Resolves when no export is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running.values()].map((r) => r.done));
  }

  private async record(id: string): Promise<ExportJobRecord> {
    const job = await this.deps.exportJobs.get(id);
    if (!job) throw new AppError('not_found', `No export with id "${id}"`);
    return job;
  }

  private emit(job: ExportJob): void {
    this.deps.publish('export.changed', publicJob(job));
  }

  private pump(): void {
    if (this.pumping || this.stopped) return;
    this.pumping = true;
    void (async () => {
      try {
        while (!this.stopped && this.running.size < this.deps.settings.get().exports.concurrency) {
          const job = await this.deps.exportJobs.claimNext();
          if (!job) break;
          const run: Running = {
            job,
            controller: new AbortController(),
            stop: null,
            done: Promise.resolve(),
          };
          this.running.set(job.id, run);
          // An export from before exports ran as jobs gets its runner record now.
          if (!(await this.deps.jobs.get(job.id))) {
            await this.deps.jobs.create(EXPORT_JOB, { format: job.format }, 0, job.id);
          }
          if (this.stopped) {
            // Shut down meanwhile: it waits for the next start.
            await this.deps.exportJobs.requeue(job.id);
            this.running.delete(job.id);
            break;
          }
          // A job's log lines share one correlation id, whoever started it.
          this.deps.jobService.run(job.id, (signal) =>
            withCorrelation(`export-${job.id}`, () => this.runAsJob(run, signal)),
          );
          run.done = this.deps.jobService
            .finished(job.id)
            .then(() => undefined)
            .finally(() => {
              this.running.delete(job.id);
              this.pump();
            });
        }
      } catch (err) {
        this.deps.logger.error({ err }, 'export queue failed');
      } finally {
        this.pumping = false;
      }
    })();
  }

  /**
   * The runner's side of an export: its cancel or shutdown stops the export the same way;
   * a failed export fails the job with the same message.
   */
  private async runAsJob(run: Running, signal: AbortSignal): Promise<void> {
    const stop = () => {
      run.stop = signal.reason === JOB_STOPPING ? 'shutdown' : 'cancel';
      run.controller.abort(new Error(run.stop === 'cancel' ? 'cancelled' : 'shutdown'));
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    await this.run(run);
    const final = await this.deps.exportJobs.get(run.job.id);
    if (final?.status === 'failed') throw new Error(final.error ?? 'The export failed');
  }

  private async run(run: Running): Promise<void> {
    const { job, controller } = run;
    const { signal } = controller;
    const dir = this.directory();
    const partial = partialPath(dir, job.id);
    const log = this.deps.logger.child({ jobId: job.id, format: job.format });
    this.emit(job);
    let source: EventSource | null = null;
    try {
      await fsp.mkdir(dir, { recursive: true });
      source = await this.deps.events.exportSource(job.filters, {
        key: job.id,
        chunkSize: this.deps.chunkSize,
        signal,
        columns: job.format === 'json' ? 'all' : 'sheet',
      });
      const rowCount = await source.count(signal);
      const total = rowCount * passes(job.format, job.includeImages);
      await this.deps.exportJobs.setTotal(job.id, total, rowCount);
      await this.deps.jobs.setTotal(job.id, total);
      let current: ExportJobRecord = { ...job, total, rowCount };
      this.emit(current);

      const hash = createHash('sha256');
      let bytes = 0;
      const tap = new Transform({
        highWaterMark: 1 << 20,
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          bytes += chunk.length;
          cb(null, chunk);
        },
      });
      const file = fs.createWriteStream(partial, { highWaterMark: 1 << 20 });
      const written = pipeline(tap, file, { signal });
      // A disk error stops the writer at once (it may be waiting for a drain that never comes).
      written.catch((err: unknown) => {
        if (!signal.aborted) controller.abort(err);
      });

      let processed = 0;
      let pushedAt = 0;
      let savedAt = Date.now();
      await WRITERS[job.format]({
        source,
        out: tap,
        signal,
        includeImages: job.includeImages,
        resolveImage: (p) => this.deps.resolveImage(p),
        advance: (n) => {
          processed += n;
          const now = Date.now();
          if (now - pushedAt >= PROGRESS_PUSH_MS) {
            pushedAt = now;
            current = { ...current, processed, progress: percent(processed, total) };
            this.emit(current);
          }
          if (now - savedAt >= PROGRESS_SAVE_MS) {
            savedAt = now;
            const progress = percent(processed, total);
            void this.deps.exportJobs.setProgress(job.id, processed, progress);
            this.deps.jobs.advanceInTx(
              job.id,
              processed,
              progress,
              { format: job.format },
              {
                rows: rowCount,
              },
            );
            void this.deps.jobService.progressed(job.id);
          }
        },
      });
      await written;
      await fsyncFile(partial);
      const fileName = exportFileName(job.id, job.createdAt, job.format);
      const finalPath = path.join(dir, fileName);
      await fsp.rename(partial, finalPath);
      await this.deps.exportJobs.complete(job.id, {
        fileName,
        filePath: finalPath,
        fileSize: bytes,
        sha256: hash.digest('hex'),
        processed: total,
      });
      log.info({ rows: rowCount, bytes }, 'export completed');
    } catch (err) {
      await this.removePartial(job.id, dir);
      const reason = signal.aborted ? (signal.reason as unknown) : err;
      if (run.stop === 'cancel') {
        await this.deps.exportJobs.finish(job.id, 'cancelled', null);
        log.info('export cancelled');
      } else if (run.stop === 'shutdown') {
        await this.deps.exportJobs.requeue(job.id);
      } else if (reason instanceof AppError) {
        await this.deps.exportJobs.finish(job.id, 'failed', reason.message);
      } else {
        const message = describeWriteError(reason, dir);
        await this.deps.exportJobs.finish(job.id, 'failed', message);
        log.warn({ err: reason }, 'export failed');
      }
    } finally {
      source?.close();
    }
    const final = await this.deps.exportJobs.get(job.id);
    if (final) this.emit(final);
  }

  private async removePartial(jobId: string, dir = this.directory()): Promise<void> {
    await fsp.rm(partialPath(dir, jobId), { force: true }).catch(() => undefined);
  }
}

function desktopOnly(desktop: DesktopFiles | undefined): DesktopFiles {
  if (!desktop) {
    throw new AppError(
      'unavailable',
      'Save As and Show in folder are desktop-app features; download the file instead',
    );
  }
  return desktop;
}

function percent(processed: number, total: number): number {
  return total > 0 ? Math.min(100, Math.round((processed / total) * 1000) / 10) : 0;
}

async function fsyncFile(file: string): Promise<void> {
  const handle = await fsp.open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function publicJob(job: ExportJob | ExportJobRecord): ExportJob {
  const { filePath: _ignored, ...rest } = job as ExportJobRecord;
  void _ignored;
  return rest;
}
