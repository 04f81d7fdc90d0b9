import type { Job, JobStatus } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import type { Publish } from '../common/domain-events';
import type { Logger } from '../system';
import type { JobRepository } from './job-repository';

/** How often a running job's progress reaches open windows, at most. */
const PROGRESS_EVERY_MS = 250;
const STOPPING = 'stopping';

/**
 * Runs background jobs: one runner per job, cancelled through an AbortSignal it checks
 * between batches, with every status change published (`job.changed`) and progress at most
 * every 250 ms.
 */
export class JobService {
  private readonly running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private readonly lastProgress = new Map<string, number>();
  private readonly log: Logger;

  constructor(private readonly d: { jobs: JobRepository; publish: Publish; logger: Logger }) {
    this.log = d.logger.child({ module: 'jobs' });
  }

  async get(id: string): Promise<Job> {
    const job = await this.d.jobs.get(id);
    if (!job) throw new AppError('not_found', `No job with id "${id}"`);
    return job;
  }

  list(f: { kind?: string; status?: JobStatus }): Promise<Job[]> {
    return this.d.jobs.list(f);
  }

  /**
   * Runs `work` for the job in the background: running, then completed, cancelled (when its
   * signal was aborted) or failed. A job found unfinished at start is run again the same way
   * (its work resumes from its own saved cursor).
   */
  run(id: string, work: (signal: AbortSignal) => Promise<void>): void {
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
      return (await this.setStatus(id, 'cancelled'))!;
    }
    return job;
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
