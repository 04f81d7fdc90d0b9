import type { Page } from '../../src-shared/contract';
import type {
  DeadLetter,
  Job,
  JobHistoryEntry,
  JobStatus,
  RequeueResult,
} from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import type { Publish } from '../common/domain-events';
import type { Logger } from '../system';
import type { JobRepository, LetterScope } from './job-repository';

/** Runs dead letters of one kind again: new jobs over their items; returns their ids. */
export type Requeue = (letters: DeadLetter[]) => Promise<string[]>;

/** How often background work looks again whether live intake has calmed down. */
const YIELD_POLL_MS = 200;

/** How often a running job's progress reaches open windows, at most. */
const PROGRESS_EVERY_MS = 250;
/** The abort reason of a job stopped by shutdown (left running, resumed at the next start). */
export const JOB_STOPPING = 'stopping';
const STOPPING = JOB_STOPPING;

/**
 * Runs background jobs: one runner per job, cancelled through an AbortSignal it checks
 * between batches, with every status change published (`job.changed`) and progress at most
 * every 250 ms.
 */
export class JobService {
  private readonly running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private readonly lastProgress = new Map<string, number>();
  private readonly requeuers = new Map<string, Requeue>();
  private readonly cancellers = new Map<string, (id: string) => Promise<void>>();
  private readonly log: Logger;

  constructor(
    private readonly d: {
      jobs: JobRepository;
      publish: Publish;
      logger: Logger;
      /** Live intake is busy (images queued, events being scored): background work waits. */
      liveWork?: () => boolean;
    },
  ) {
    this.log = d.logger.child({ module: 'jobs' });
  }

  /** What else cancelling a job of `kind` that is not running yet means (its own records). */
  onCancel(kind: string, cancel: (id: string) => Promise<void>): void {
    this.cancellers.set(kind, cancel);
  }

  /** How dead letters of `kind` are run again (`jobs.deadLetters.requeue`). */
  onRequeue(kind: string, requeue: Requeue): void {
    this.requeuers.set(kind, requeue);
  }

  /**
   * Waits while live intake is busy (background work yields to it, between batches), or
   * until the job is cancelled or stopped.
   */
  async yieldToLive(signal: AbortSignal, jobId?: string): Promise<void> {
    if (jobId && !signal.aborted && this.d.liveWork?.()) {
      await this.note(jobId, 'info', 'waiting: live intake is busy');
    }
    while (!signal.aborted && this.d.liveWork?.()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, YIELD_POLL_MS);
        function done() {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        }
        signal.addEventListener('abort', done);
      });
    }
  }

  history(id: string): Promise<JobHistoryEntry[]> {
    return this.get(id).then(() => this.d.jobs.history(id));
  }

  /** A line in the job's history and the app's log. */
  async note(id: string, level: JobHistoryEntry['level'], message: string): Promise<void> {
    this.log[level]({ jobId: id }, message);
    await this.d.jobs.note(id, level, message);
  }

  /** An item the job could not process: kept with its error, never dropped. */
  async deadLetter(
    job: { id: string; kind: string },
    item: Record<string, unknown>,
    error: string,
    attempts = 1,
  ): Promise<void> {
    await this.d.jobs.addDeadLetter(job.id, job.kind, item, error, attempts);
    await this.note(job.id, 'warn', `dead letter: ${error}`);
  }

  deadLetters(f: {
    jobId?: string;
    kind?: string;
    cursor?: string;
    limit?: number;
  }): Promise<Page<DeadLetter>> {
    return this.d.jobs.deadLetters(f);
  }

  /**
   * Runs dead letters again: one new job per kind over their items (each remembers how many
   * times it failed). They leave the dead-letter table; a failure again writes a new one.
   */
  async requeue(scope: LetterScope): Promise<RequeueResult> {
    const letters = await this.d.jobs.lettersIn(scope);
    if (scope.id !== undefined && !letters.length) {
      throw new AppError('not_found', `No dead letter with id ${scope.id}`);
    }
    const byKind = new Map<string, DeadLetter[]>();
    for (const l of letters) byKind.set(l.kind, [...(byKind.get(l.kind) ?? []), l]);
    for (const kind of byKind.keys()) {
      if (!this.requeuers.has(kind)) {
        throw new AppError('conflict', `Items of "${kind}" jobs cannot be run again`);
      }
    }
    const jobIds: string[] = [];
    for (const [kind, group] of byKind) {
      jobIds.push(...(await this.requeuers.get(kind)!(group)));
      await this.d.jobs.removeLetters(group.map((l) => l.id));
    }
    return { requeued: letters.length, jobIds };
  }

  async purge(scope: LetterScope): Promise<{ purged: number }> {
    const letters = await this.d.jobs.lettersIn(scope);
    return { purged: await this.d.jobs.removeLetters(letters.map((l) => l.id)) };
  }

  async get(id: string): Promise<Job> {
    const job = await this.d.jobs.get(id);
    if (!job) throw new AppError('not_found', `No job with id "${id}"`);
    return job;
  }

  list(f: { kind?: string; status?: JobStatus; cursor?: string; limit?: number }): Promise<Job[]> {
    return this.d.jobs.list(f);
  }

  /**
   * Runs `work` for the job in the background: running, then completed, cancelled (when its
   * signal was aborted) or failed. A job found unfinished at start is run again the same way
   * (its work resumes from its own saved cursor).
   */
  run(id: string, work: (signal: AbortSignal) => Promise<void>): void {
    if (this.running.has(id)) return; // already under way
    const abort = new AbortController();
    const done = (async () => {
      try {
        await this.setStatus(id, 'running');
        await work(abort.signal);
        // Stopped by shutdown: left running, so the next start resumes it.
        if (abort.signal.reason === STOPPING) return;
        await this.setStatus(id, abort.signal.aborted ? 'cancelled' : 'completed');
      } catch (err) {
        this.log.error({ err, jobId: id }, 'job failed');
        await this.setStatus(id, 'failed', (err as Error).message).catch(() => undefined);
      } finally {
        this.running.delete(id);
        this.lastProgress.delete(id);
      }
    })();
    this.running.set(id, { abort, done });
  }

  /** Waits until the job is no longer running; the job as it ended. */
  async finished(id: string): Promise<Job> {
    await this.running.get(id)?.done;
    return this.get(id);
  }

  /** Stops a running job after its current batch (work already committed stays). */
  async cancel(id: string): Promise<Job> {
    const job = await this.get(id);
    const run = this.running.get(id);
    if (run) {
      run.abort.abort();
      await run.done;
      return this.get(id);
    }
    if (job.status === 'pending' || job.status === 'running') {
      await this.cancellers.get(job.kind)?.(id);
      return (await this.setStatus(id, 'cancelled'))!;
    }
    return job;
  }

  /** Stops these running jobs as shutdown does (left running; their owner resumes them). */
  async stopJobs(ids: string[]): Promise<void> {
    const runs = ids.flatMap((id) => this.running.get(id) ?? []);
    for (const r of runs) r.abort.abort(STOPPING);
    await Promise.all(runs.map((r) => r.done));
  }

  /** Tells open windows about progress (at most every 250 ms per job). */
  async progressed(id: string): Promise<void> {
    const now = Date.now();
    if (now - (this.lastProgress.get(id) ?? 0) < PROGRESS_EVERY_MS) return;
    this.lastProgress.set(id, now);
    const job = await this.d.jobs.get(id);
    if (job) this.d.publish('job.changed', job);
  }

  private async setStatus(id: string, status: JobStatus, error?: string): Promise<Job | undefined> {
    const job = await this.d.jobs.setStatus(id, status, error ?? null);
    if (job) this.d.publish('job.changed', job);
    return job;
  }

  /** Stops every running job after its current batch; they resume at the next start. */
  async stop(): Promise<void> {
    const runs = [...this.running.values()];
    for (const r of runs) r.abort.abort(STOPPING);
    await Promise.all(runs.map((r) => r.done));
  }
}
