import { setTimeout as delay } from 'node:timers/promises';
import type { SecurityEvent } from '../../src-shared/domain';
import type { DomainEventBus } from '../common/domain-events';
import type { Logger } from '../system';
import type { PromptRepository } from './prompt-repository';
import type { RunOutcome, RunRecord, RunnableVersion, PromptRunner } from './prompt-runner';
import { pickVariant, rollbackVerdict } from './prompt-stats';
import type { PromptContext } from './prompt-variables';

/** How the live scorer gets its prompt: the version for a batch, and one analysis with it. */
export interface LivePrompts {
  versionFor(batchId: string): Promise<RunnableVersion | undefined>;
  ask(v: RunnableVersion, ctx: PromptContext, rec: RunRecord): Promise<RunOutcome>;
}

/** Shadow work waiting for an idle model, at most this many (oldest dropped first). */
const SHADOW_QUEUE_MAX = 500;
const IDLE_POLL_MS = 250;

/**
 * Live analysis under the template's experiment: `split` gives each batch one variant
 * (deterministically from its id); `shadow` analyses with the active version and, once the
 * model is idle, runs each candidate on the same event and keeps its answer beside it without
 * touching the event. A candidate whose parse failures or p95 latency exceed the active
 * version's by the experiment's margin is taken out (`prompt.rolledBack`).
 */
export class PromptExperiments implements LivePrompts {
  private readonly shadowQueue: { eventId: string; versionId: string }[] = [];
  private draining?: Promise<void>;
  private stopped = false;
  private unsubscribe?: () => void;
  private checks: Promise<void> = Promise.resolve();
  /** `event.created` handling under way (linking runs, queueing shadow work). */
  private readonly handling = new Set<Promise<void>>();
  private readonly log: Logger;

  constructor(
    private readonly d: {
      prompts: PromptRepository;
      runner: PromptRunner;
      bus: DomainEventBus;
      logger: Logger;
      /** True while the model has no live work (shadow runs wait for it). */
      modelIdle: () => boolean;
      /** The batch context of a stored event (undefined when it is gone). */
      contextFor: (eventId: string) => Promise<PromptContext | undefined>;
    },
  ) {
    this.log = d.logger.child({ module: 'prompts' });
  }

  start(): void {
    this.stopped = false;
    this.unsubscribe = this.d.bus.on('event.created', (event) => {
      const handled = this.onEventCreated(event);
      this.handling.add(handled);
      void handled.catch(() => undefined).finally(() => this.handling.delete(handled));
      return handled;
    });
  }

  async versionFor(batchId: string): Promise<RunnableVersion | undefined> {
    const templateId = await this.d.prompts.liveTemplateId();
    if (!templateId) return undefined;
    const experiment = await this.d.prompts.getExperiment(templateId);
    if (experiment?.mode === 'split') {
      const chosen = await this.d.prompts.getVersion(pickVariant(batchId, experiment.variants));
      if (chosen) return chosen;
    }
    return this.d.prompts.activeVersion(templateId);
  }

  async ask(v: RunnableVersion, ctx: PromptContext, rec: RunRecord): Promise<RunOutcome> {
    try {
      return await this.d.runner.ask(v, ctx, rec);
    } finally {
      if (v.id) this.queueRollbackCheck(v.templateId, v.id);
    }
  }

  private async onEventCreated(event: SecurityEvent): Promise<void> {
    if (event.batchId) await this.d.prompts.linkBatchRuns(event.batchId, event.id);
    if (event.scorer !== 'llm' || !event.promptVersionId) return;
    const templateId = await this.d.prompts.liveTemplateId();
    const experiment = templateId && (await this.d.prompts.getExperiment(templateId));
    if (!experiment || experiment.mode !== 'shadow') return;
    const active = await this.d.prompts.activeVersion(experiment.templateId);
    if (!active || active.id !== event.promptVersionId) return;
    for (const v of experiment.variants) {
      if (v.versionId === active.id || v.weight <= 0) continue;
      this.shadowQueue.push({ eventId: event.id, versionId: v.versionId });
      if (this.shadowQueue.length > SHADOW_QUEUE_MAX) this.shadowQueue.shift();
    }
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  private async drain(): Promise<void> {
    while (this.shadowQueue.length && !this.stopped) {
      if (!this.d.modelIdle()) {
        await delay(IDLE_POLL_MS, undefined, { ref: false });
        continue;
      }
      const job = this.shadowQueue.shift()!;
      try {
        await this.shadowRun(job.eventId, job.versionId);
      } catch (err) {
        this.log.debug({ err: (err as Error).message, ...job }, 'shadow run failed');
      }
    }
  }

  private async shadowRun(eventId: string, versionId: string): Promise<void> {
    const version = await this.d.prompts.getVersion(versionId);
    const ctx = version && (await this.d.contextFor(eventId));
    if (!version || !ctx) return;
    await this.ask(version, ctx, { kind: 'shadow', eventId });
  }

  /** Serialised, so two runs finishing together cannot roll the same candidate back twice. */
  private queueRollbackCheck(templateId: string, versionId: string): void {
    this.checks = this.checks
      .then(() => this.checkRollback(templateId, versionId))
      .catch((err: unknown) => this.log.error({ err, versionId }, 'rollback check failed'));
  }

  private async checkRollback(templateId: string, versionId: string): Promise<void> {
    const experiment = await this.d.prompts.getExperiment(templateId);
    if (!experiment) return;
    const active = await this.d.prompts.activeVersion(templateId);
    if (!active || active.id === versionId) return;
    if (!experiment.variants.some((v) => v.versionId === versionId && v.weight > 0)) return;
    const verdict = rollbackVerdict(
      await this.d.prompts.runSummary(versionId, experiment.startedAt),
      await this.d.prompts.runSummary(active.id, experiment.startedAt),
      experiment.rollback,
    );
    if (!verdict) return;
    const remaining = experiment.variants.filter((v) => v.versionId !== versionId);
    const others = remaining.some((v) => v.versionId !== active.id && v.weight > 0);
    // Written only if nobody changed the experiment meanwhile (a new one, a promotion).
    const withdrawn = await this.d.prompts.withdrawVariant(
      templateId,
      experiment.updatedAt,
      others ? remaining : null,
    );
    if (!withdrawn) return;
    const rollback = await this.d.prompts.insertRollback({ templateId, versionId, ...verdict });
    this.log.warn({ templateId, versionId, ...verdict }, 'experiment candidate rolled back');
    this.d.bus.publish('prompt.rolledBack', rollback);
  }

  /** Resolves once queued shadow runs and rollback checks are done (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.handling.size || this.draining) {
      await Promise.allSettled([...this.handling]);
      await this.draining;
    }
    await this.checks;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    await this.idle();
  }
}
