import type { DeadLetter, SecurityEvent } from '../../src-shared/domain';
import type { JobRepository, JobService } from '../jobs';
import type { LlmScorer } from '../risk';
import type { Logger } from '../system';
import type { EventRepository } from './event-repository';
import type { EventService } from './event-service';

export const RESCORE_JOB = 'rescore';
const PAGE = 5;

interface RescoreParams {
  /** The last event done (newest first). */
  cursor: { startedAt: string; id: string } | null;
  rescored: number;
  failed: number;
  /** A requeued run: exactly these events (dead letters), with how often each failed. */
  ids?: { eventId: string; attempts: number }[];
}

/**
 * LLM re-scoring as a background job: while the LLM was down the rules scored events; once
 * it answers, a job offers each of them to it again, newest first, after live work. An
 * answer it cannot use becomes a dead letter and the job moves on; an LLM that stops
 * answering ends the run (the next starts when it is back). A run that left only dead
 * letters behind is not repeated until rules-scored events change.
 */
export class RescoreJobs {
  private timer?: NodeJS.Timeout;
  private current?: string;
  /** Rules-scored events left after the last run that went through them all. */
  private leftAfterLastRun?: number;
  private readonly log: Logger;

  constructor(
    private readonly d: {
      events: EventRepository;
      eventService: EventService;
      jobs: JobRepository;
      jobService: JobService;
      llm: LlmScorer;
      logger: Logger;
    },
  ) {
    this.log = d.logger.child({ module: 'events' });
  }

  /** Resumes an interrupted run now, and looks for new work every `intervalMs`. */
  async start(intervalMs = 5000): Promise<void> {
    this.d.jobService.onRequeue(RESCORE_JOB, (letters) => this.requeue(letters));
    await this.resume();
    const tick = () => {
      void this.tick()
        .catch((err: unknown) => this.log.error({ err }, 're-scoring could not start'))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, intervalMs).unref();
        });
    };
    this.timer = setTimeout(tick, intervalMs).unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A dependency came back (the LLM server): look now, even after a run that left some. */
  recovered(): void {
    this.leftAfterLastRun = undefined;
    void this.tick().catch((err: unknown) => this.log.error({ err }, 're-scoring failed'));
  }

  /**
   * One run at a time: an unfinished one (interrupted, or requeued dead letters) first; else a
   * new one when the LLM is on and answering and rules-scored events wait.
   */
  async tick(): Promise<string | undefined> {
    if (this.current) return undefined;
    const resumed = await this.resume();
    if (resumed || this.current) return resumed;
    const { llm } = this.d;
    if (!llm.enabled() || llm.breaker.state === 'open') return undefined;
    const waiting = await this.d.events.countRulesScored();
    if (waiting === 0 || waiting === this.leftAfterLastRun || this.current) return undefined;
    const params: RescoreParams = { cursor: null, rescored: 0, failed: 0 };
    const job = await this.d.jobs.create(RESCORE_JOB, params, waiting);
    this.begin(job.id);
    return job.id;
  }

  /** Runs the oldest unfinished run (interrupted, or requeued dead letters), if any. */
  private async resume(): Promise<string | undefined> {
    const [unfinished] = await this.d.jobs.unfinished<RescoreParams>(RESCORE_JOB);
    if (!unfinished || this.current) return undefined;
    this.begin(unfinished.job.id);
    return unfinished.job.id;
  }

  private begin(jobId: string): void {
    this.current = jobId;
    this.d.jobService.run(jobId, (signal) =>
      this.work(jobId, signal).finally(() => {
        if (this.current === jobId) this.current = undefined;
      }),
    );
  }

  private async requeue(letters: DeadLetter[]): Promise<string[]> {
    const ids = letters.map((l) => ({ eventId: String(l.item.eventId), attempts: l.attempts }));
    const params: RescoreParams = { cursor: null, rescored: 0, failed: 0, ids };
    const job = await this.d.jobs.create(RESCORE_JOB, params, ids.length);
    // Runs after the run under way, if any.
    void this.tick().catch((err: unknown) => this.log.error({ err }, 're-scoring failed'));
    return [job.id];
  }

  /** The next events: the requeued ones in order (a missing one as undefined), or the next page. */
  private async nextPage(
    p: RescoreParams,
    processed: number,
  ): Promise<{ id: string; event: SecurityEvent | undefined }[]> {
    if (p.ids) {
      const ids = p.ids.slice(processed, processed + PAGE).map((i) => i.eventId);
      const found = await this.d.events.getMany(ids);
      return ids.map((id) => ({ id, event: found.get(id) }));
    }
    const events = await this.d.events.rulesScoredAfter(p.cursor, PAGE);
    return events.map((event) => ({ id: event.id, event }));
  }

  private async work(jobId: string, signal: AbortSignal): Promise<void> {
    const state = await this.d.jobs.state<RescoreParams>(jobId);
    if (!state) return;
    const job = state.job;
    const p = state.params;
    let processed = job.processed;
    const total = job.total ?? 0;
    for (;;) {
      await this.d.jobService.yieldToLive(signal, jobId);
      if (signal.aborted) return;
      const page = await this.nextPage(p, processed);
      if (!page.length) break;
      for (const { id, event } of page) {
        if (signal.aborted) return;
        // Gone, or scored by the LLM meanwhile: nothing to do.
        const outcome =
          event?.scorer === 'rules' ? await this.d.eventService.rescore(event) : 'skipped';
        if (outcome === 'unavailable') {
          await this.d.jobService.note(
            jobId,
            'warn',
            'the LLM stopped answering; the rest wait for the next run',
          );
          return;
        }
        if (outcome === 'rescored') p.rescored += 1;
        if (typeof outcome === 'object') {
          p.failed += 1;
          const attempts = p.ids?.find((i) => i.eventId === id)?.attempts ?? 0;
          await this.d.jobService.deadLetter(job, { eventId: id }, outcome.failed, attempts + 1);
        }
        processed += 1;
        if (event) p.cursor = { startedAt: event.startedAt, id };
        const progress = Math.min(100, Math.floor((processed / Math.max(total, 1)) * 100));
        this.d.jobs.advanceInTx(jobId, processed, progress, p, {
          rescored: p.rescored,
          failed: p.failed,
        });
        await this.d.jobService.progressed(jobId);
      }
    }
    if (!p.ids) this.leftAfterLastRun = await this.d.events.countRulesScored();
  }
}
