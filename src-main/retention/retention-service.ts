import fsp from 'node:fs/promises';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { DeadLetter, Job } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import type { RetentionReport } from '../../src-shared/retention';
import type { PurgeChunk, PurgeRequest } from '../db/purge';
import type { RecordingRepository } from '../debug';
import type { DetectionRepository } from '../detections';
import type { EventRepository } from '../events';
import type { ExportRepository } from '../exports';
import { partialPath } from '../exports';
import type { IngestRepository } from '../ingest';
import type { JobRepository, JobService } from '../jobs';
import type { LogRepository, SettingsService, Logger } from '../system';
import type { RumRepository } from '../rum';

export const RETENTION_JOB = 'retention';

const PHASES = [
  'events',
  'detections',
  'images',
  'logs',
  'rum',
  'jobs',
  'recordings',
  'orphanRows',
  'orphanFiles',
] as const;
type Phase = (typeof PHASES)[number];

/** A file younger than this is never an orphan (it may be being written). */
const ORPHAN_MIN_AGE_MS = 3600_000;
/** Aim for chunks this long, so the app answers in between (p99 < 50 ms). */
const CHUNK_TARGET_MS = 5;
/** Each phase starts small: a row of one table can cost far more than a row of another. */
const FIRST_CHUNK = 100;
const DAY_MS = 86400_000;

interface RetentionParams {
  dryRun: boolean;
  cutoffs: RetentionReport['cutoffs'];
  /** Events, detections and snapshots before this go: the events cutoff, or earlier while an unfinished export needs them. */
  eventsBefore: string;
  phase: number;
  after: string | null;
  report: RetentionReport;
  /** A requeued run: only these files (dead letters) are deleted. */
  files?: { path: string; attempts: number }[];
}

/** What a report counts: the rows of each table phase, then files, orphans and what stayed. */
const COUNTS = [
  ...(PHASES.slice(0, 7) as Exclude<Phase, 'orphanRows' | 'orphanFiles'>[]),
  ...(['files', 'bytes', 'orphanFiles', 'orphanRows', 'protected', 'failed'] as const),
];

function emptyReport(dryRun: boolean, cutoffs: RetentionReport['cutoffs']): RetentionReport {
  return {
    dryRun,
    cutoffs,
    ...(Object.fromEntries(COUNTS.map((k) => [k, 0])) as Record<(typeof COUNTS)[number], number>),
  };
}

/**
 * The retention job, daily and on demand, or as a dry run that only counts: events,
 * detections and snapshot files past `retentionDays`, logs, RUM samples, finished jobs and
 * debug recordings past theirs; never what an active alert or an unfinished export needs;
 * then orphans (snapshot rows whose file is gone, quarantined files and partial exports
 * without a row). It works in chunks sized to stay short, yields to live intake between
 * them, and resumes after a restart from the last committed chunk.
 */
export class RetentionService {
  private timer?: NodeJS.Timeout;
  private chunk = FIRST_CHUNK;
  private readonly log: Logger;

  constructor(
    private readonly d: {
      events: EventRepository;
      detections: DetectionRepository;
      images: IngestRepository;
      logs: LogRepository;
      rum: RumRepository;
      jobs: JobRepository;
      recordings: RecordingRepository;
      exportJobs: ExportRepository;
      jobService: JobService;
      settings: SettingsService;
      dataDir: string;
      exportsDir: () => string;
      logger: Logger;
      now?: () => number;
    },
  ) {
    this.log = d.logger.child({ module: 'retention' });
  }

  private now(): number {
    return this.d.now?.() ?? Date.now();
  }

  /** Resumes an interrupted run, takes requeued files, and schedules the daily run. */
  async start(): Promise<void> {
    this.d.jobService.onRequeue(RETENTION_JOB, (letters) => this.requeue(letters));
    for (const { job } of await this.d.jobs.unfinished<RetentionParams>(RETENTION_JOB)) {
      this.d.jobService.run(job.id, (signal) => this.work(job.id, signal));
    }
    this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    const next = nextDailyRun(this.now(), this.d.settings.get().retention.hour);
    this.timer = setTimeout(() => {
      if (this.d.settings.get().retention.daily) {
        void this.run({ dryRun: false }).catch((err: unknown) =>
          this.log.error({ err }, 'daily retention could not start'),
        );
      }
      this.schedule();
    }, next - this.now());
    this.timer.unref();
  }

  /** Starts a run (a dry run only counts); one at a time. */
  async run(input: { dryRun?: boolean }): Promise<Job> {
    const running = await this.d.jobs.unfinished(RETENTION_JOB);
    if (running.length) {
      throw new AppError(
        'conflict',
        `A retention run is already going (job ${running[0]!.job.id}); wait for it or cancel it`,
      );
    }
    const dryRun = input.dryRun ?? false;
    const params = await this.plan(dryRun);
    const job = await this.d.jobs.create(RETENTION_JOB, params, PHASES.length);
    await this.d.jobService.note(
      job.id,
      'info',
      `${dryRun ? 'dry run' : 'run'}: events before ${params.eventsBefore}`,
    );
    this.d.jobService.run(job.id, (signal) => this.work(job.id, signal));
    return job;
  }

  /** What a run would delete now: a dry run, waited for. */
  async preview(): Promise<RetentionReport> {
    const job = await this.run({ dryRun: true });
    const done = await this.d.jobService.finished(job.id);
    if (done.status !== 'completed') {
      throw new AppError('unavailable', `The dry run ${done.status}: ${done.error ?? ''}`);
    }
    return (await this.d.jobs.state<RetentionParams>(job.id))!.params.report;
  }

  /** The report of a run (its job id). */
  async report(jobId: string): Promise<RetentionReport> {
    const state = await this.d.jobs.state<RetentionParams>(jobId);
    if (!state || state.job.kind !== RETENTION_JOB) {
      throw new AppError('not_found', `No retention run with job id "${jobId}"`);
    }
    return state.params.report;
  }

  private async plan(dryRun: boolean): Promise<RetentionParams> {
    const s = this.d.settings.get();
    const ago = (days: number) => new Date(this.now() - days * DAY_MS).toISOString();
    const cutoffs = {
      events: ago(s.retentionDays),
      logs: ago(s.retention.logsDays),
      rum: ago(s.retention.rumDays),
      jobs: ago(s.retention.jobsDays),
      recordings: ago(s.retention.recordingsDays),
    };
    // An unfinished export reads events from its `from` on (all of them without one).
    let eventsBefore = cutoffs.events;
    for (const job of await this.d.exportJobs.unfinished()) {
      const from = typeof job.filters.from === 'string' ? job.filters.from : '';
      if (from < eventsBefore) eventsBefore = from;
    }
    const report = emptyReport(dryRun, cutoffs);
    report.protected =
      (await this.d.events.keptForAlerts(eventsBefore)) +
      (eventsBefore < cutoffs.events
        ? await this.d.events.countBetween(eventsBefore, cutoffs.events)
        : 0);
    return { dryRun, cutoffs, eventsBefore, phase: 0, after: null, report };
  }

  private async requeue(letters: DeadLetter[]): Promise<string[]> {
    const params = await this.plan(false);
    params.files = letters.map((l) => ({ path: String(l.item.path), attempts: l.attempts }));
    const job = await this.d.jobs.create(RETENTION_JOB, params, params.files.length);
    this.d.jobService.run(job.id, (signal) => this.work(job.id, signal));
    return [job.id];
  }

  private async work(jobId: string, signal: AbortSignal): Promise<void> {
    const state = await this.d.jobs.state<RetentionParams>(jobId);
    if (!state) return;
    const job = state.job;
    const p = state.params;
    if (p.files) {
      await this.deleteFiles(job, p, p.files);
      this.advance(jobId, p, 100);
      return;
    }
    while (!signal.aborted && p.phase < PHASES.length) {
      await this.d.jobService.yieldToLive(signal, jobId);
      if (signal.aborted) break;
      const began = performance.now();
      const next = await this.step(job, p, PHASES[p.phase]!);
      this.tune(performance.now() - began);
      if (next === null) {
        p.phase += 1;
        p.after = null;
        this.chunk = FIRST_CHUNK;
      } else {
        p.after = next;
      }
      this.advance(jobId, p, Math.floor((p.phase / PHASES.length) * 100));
      await this.d.jobService.progressed(jobId);
      await nextTurn();
    }
    if (!signal.aborted) {
      const r = p.report;
      await this.d.jobService.note(
        jobId,
        'info',
        `${p.dryRun ? 'would delete' : 'deleted'} ${r.events} events, ${r.detections} detections, ` +
          `${r.files} files (${r.bytes} bytes), ${r.orphanRows + r.orphanFiles} orphans; ` +
          `${r.protected} kept for active alerts or exports`,
      );
    }
  }

  /** The next chunk sized from how long this one took (growing by half at most). */
  private tune(ms: number): void {
    const scaled = Math.round((this.chunk * CHUNK_TARGET_MS) / Math.max(ms, 0.5));
    this.chunk = Math.max(25, Math.min(scaled, Math.ceil(this.chunk * 1.5), 5000));
  }

  private advance(jobId: string, p: RetentionParams, progress: number): void {
    const { dryRun: _d, cutoffs: _c, ...counts } = p.report;
    this.d.jobs.advanceInTx(jobId, p.phase, progress, p, { ...counts, dryRun: p.dryRun ? 1 : 0 });
  }

  /** One chunk of one phase; the next position, or null when the phase is done. */
  private async step(
    job: { id: string; kind: string },
    p: RetentionParams,
    phase: Phase,
  ): Promise<string | null> {
    const r = p.report;
    const req = (before: string): PurgeRequest => ({
      before,
      after: p.after,
      limit: this.chunk,
      dryRun: p.dryRun,
    });
    const count = (key: keyof typeof r, chunk: PurgeChunk) => {
      (r[key] as number) += chunk.count;
      return chunk.next;
    };
    switch (phase) {
      case 'events':
        return count('events', await this.d.events.purge(req(p.eventsBefore)));
      case 'detections':
        return count('detections', await this.d.detections.purge(req(p.eventsBefore)));
      case 'images': {
        const chunk = await this.d.images.purge(req(p.eventsBefore));
        await this.deleteFiles(
          job,
          p,
          chunk.files.map((file) => ({ path: file, attempts: 0 })),
        );
        return count('images', chunk);
      }
      case 'logs':
        return count('logs', await this.d.logs.purge(req(p.cutoffs.logs)));
      case 'rum':
        return count('rum', await this.d.rum.purge(req(p.cutoffs.rum)));
      case 'jobs':
        return count('jobs', await this.d.jobs.purge(req(p.cutoffs.jobs)));
      case 'recordings':
        return count('recordings', await this.d.recordings.purge(req(p.cutoffs.recordings)));
      case 'orphanRows':
        return this.orphanRows(p);
      case 'orphanFiles':
        await this.orphanFiles(job, p);
        return null;
    }
  }

  /**
   * Deletes (or in a dry run, counts) files with their sizes on disk; one that cannot go
   * becomes a dead letter (a dry run counts what is not a plain file as failing).
   */
  private async deleteFiles(
    job: { id: string; kind: string },
    p: RetentionParams,
    files: { path: string; attempts: number }[],
  ): Promise<void> {
    const r = p.report;
    for (const f of files) {
      try {
        const st = await fsp.stat(f.path);
        if (p.dryRun) {
          if (!st.isFile()) throw Object.assign(new Error('not a plain file'), { code: 'EISDIR' });
        } else {
          await fsp.unlink(f.path);
        }
        r.files += 1;
        r.bytes += st.size;
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'ENOENT') continue; // already gone: nothing to free
        r.failed += 1;
        if (p.dryRun) continue;
        await this.d.jobService.deadLetter(
          job,
          { path: f.path },
          `could not delete ${f.path}: ${e.message}`,
          f.attempts + 1,
        );
      }
    }
  }

  /** Snapshot rows nothing points at whose file is gone: counted, then removed. */
  private async orphanRows(p: RetentionParams): Promise<string | null> {
    const after = Number(p.after ?? 0);
    // Snapshots due were handled with their events (a dry run left them in place).
    const page = await this.d.images.unreferencedPage(
      after,
      Math.min(this.chunk, 500),
      p.eventsBefore,
    );
    const missing: number[] = [];
    await Promise.all(
      page.map(async (row) => {
        const exists = await fsp.access(row.path).then(
          () => true,
          () => false,
        );
        if (!exists) missing.push(row.id);
      }),
    );
    p.report.orphanRows += missing.length;
    if (!p.dryRun) await this.d.images.deleteImages(missing);
    const last = page.at(-1);
    return page.length < Math.min(this.chunk, 500) || !last ? null : String(last.id);
  }

  /**
   * Files in the app's own folders without a row: quarantined copies no snapshot names, and
   * partial exports no unfinished export is writing (younger than an hour: left alone).
   */
  private async orphanFiles(job: { id: string; kind: string }, p: RetentionParams): Promise<void> {
    const old = (st: { mtimeMs: number }) => this.now() - st.mtimeMs >= ORPHAN_MIN_AGE_MS;
    const orphans: { path: string; attempts: number }[] = [];
    const quarantine = await listFiles(path.join(this.d.dataDir, 'quarantine'), 2);
    for (let i = 0; i < quarantine.length; i += 500) {
      const slice = quarantine.slice(i, i + 500);
      const known = await this.d.images.knownQuarantinePaths(slice.map((f) => f.path));
      for (const f of slice) {
        if (!known.has(f.path) && old(f)) orphans.push({ path: f.path, attempts: 0 });
      }
    }
    const exportsDir = this.d.exportsDir();
    const writing = new Set(
      (await this.d.exportJobs.unfinished()).map((j) => partialPath(exportsDir, j.id)),
    );
    for (const f of await listFiles(exportsDir, 1)) {
      const partial = /^\..+\.partial$/.test(path.basename(f.path));
      if (partial && !writing.has(f.path) && old(f)) orphans.push({ path: f.path, attempts: 0 });
    }
    p.report.orphanFiles += orphans.length;
    await this.deleteFiles(job, p, orphans);
  }
}

/** The next time it is `hour`:00 local time, after `now` (a day with no such hour: the next one). */
export function nextDailyRun(now: number, hour: number): number {
  const next = new Date(now);
  next.setHours(hour, 0, 0, 0);
  if (next.getTime() <= now) next.setDate(next.getDate() + 1);
  // setHours on a day the clocks skip that hour lands an hour later; that is still the day.
  return next.getTime();
}

/** Regular files under `dir`, `depth` levels down at most (a missing folder has none). */
async function listFiles(
  dir: string,
  depth: number,
): Promise<{ path: string; bytes: number; mtimeMs: number }[]> {
  const entries = await fsp.readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: { path: string; bytes: number; mtimeMs: number }[] = [];
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory() && depth > 1) out.push(...(await listFiles(full, depth - 1)));
    else if (e.isFile()) {
      const st = await fsp.stat(full).catch(() => null);
      if (st) out.push({ path: full, bytes: st.size, mtimeMs: st.mtimeMs });
    }
  }
  return out;
}
