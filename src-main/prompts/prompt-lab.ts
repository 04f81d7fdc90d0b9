import { createHash } from 'node:crypto';
import type { ChannelParsedInput, EventFilter, Page } from '../../src-shared/contract';
import type { DeadLetter, FeedbackType, SecurityEvent } from '../../src-shared/domain';
import { riskLevelFor } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import type {
  EvaluationReport,
  EvaluationRow,
  PlaygroundResult,
  PromptAnalytics,
  PromptRunResult,
  PromptVersion,
  ShadowComparison,
  VersionAnalytics,
} from '../../src-shared/prompts';
import { EVALUATE_JOB_KIND, PROMOTE_MIN_RUNS } from '../../src-shared/prompts';
import type { CalibrationRepository } from '../calibration';
import type { JobRepository, JobService } from '../jobs';
import type { Logger } from '../system';
import { nowIso } from '../common/ids';
import { LlmError } from './llm-client';
import type { PromptRepository, RunStat } from './prompt-repository';
import type { PromptRunner, RunOutcome, RunnableVersion } from './prompt-runner';
import type { PromptService, VersionContent } from './prompt-service';
import { assertValidContent } from './prompt-service';
import { mean, percentile, stdDev } from '../common/stats';
import { agreesWithFeedback, shadowBucket } from './prompt-stats';
import type { PromptContext } from './prompt-variables';

/** What the lab reads of stored events (the events repository provides it). */
export interface PromptEventSource {
  get(id: string): Promise<SecurityEvent | undefined>;
  getMany(ids: string[]): Promise<Map<string, SecurityEvent>>;
  list(f: EventFilter & { cursor?: string; limit?: number }): Promise<Page<SecurityEvent>>;
  stats(f: EventFilter): Promise<{ total: number }>;
  feedbackTypes(eventIds: string[]): Promise<Map<string, FeedbackType>>;
  /** Events with feedback, by id, after `afterId`. */
  feedbackEventIds(afterId: string | null, limit: number): Promise<string[]>;
  countFeedback(): Promise<number>;
}

const PAGE = 50;

interface EvaluateParams {
  versionId: string;
  scope?: EventFilter;
  limit?: number;
  /** Golden set: the last event id done; scope: the cursor of the page being worked on. */
  cursor: string | null;
  /** Scope: events of that page already done. */
  skip: number;
  processed: number;
  parseFailures: number;
  /** A requeued run: exactly these events (dead letters), with how often each failed. */
  ids?: { eventId: string; attempts: number }[];
}

function draftHash(templateId: string, c: VersionContent): string {
  return createHash('sha256')
    .update(JSON.stringify([templateId, c.body, c.variables, c.constants, c.params]))
    .digest('hex');
}

function runResult(outcome: RunOutcome | null, err: unknown, latencyMs: number): PromptRunResult {
  return {
    ok: outcome !== null,
    error: err ? (err as Error).message : null,
    answer: outcome?.answer ?? null,
    score: outcome?.score ?? null,
    level: outcome?.level ?? null,
    latencyMs: outcome?.latencyMs ?? latencyMs,
    promptTokens: outcome?.promptTokens ?? null,
    completionTokens: outcome?.completionTokens ?? null,
    raw: outcome?.raw ?? null,
    imagesSent: outcome?.imagesSent ?? 0,
    imagesRejected: outcome?.imagesRejected ?? null,
  };
}

/**
 * Measuring prompts before trusting them: the playground (one event, stored result beside
 * the new one), evaluation on the homeowner's own history (a resumable job over the events
 * they gave feedback on) and analytics per version. None of it changes an event.
 */
export class PromptLab {
  private readonly log: Logger;

  constructor(
    private readonly d: {
      prompts: PromptRepository;
      service: PromptService;
      runner: PromptRunner;
      events: PromptEventSource;
      contextFor: (eventId: string) => Promise<PromptContext | undefined>;
      calibration: CalibrationRepository;
      jobs: JobRepository;
      jobService: JobService;
      logger: Logger;
    },
  ) {
    this.log = d.logger.child({ module: 'prompts' });
  }

  private async eventContext(
    eventId: string,
  ): Promise<{ event: SecurityEvent; ctx: PromptContext }> {
    const event = await this.d.events.get(eventId);
    if (!event) throw new AppError('not_found', `No event with id "${eventId}"`);
    const ctx = await this.d.contextFor(eventId);
    if (!ctx) throw new AppError('conflict', 'This event has no detections left to analyse');
    return { event, ctx };
  }

  /** Runs a version, or an unsaved draft, on one event; the event is left as it is. */
  async playground(input: ChannelParsedInput<'prompts.playground'>): Promise<PlaygroundResult> {
    const { event, ctx } = await this.eventContext(input.eventId);
    let runnable: RunnableVersion;
    let hash: string | null = null;
    if ('versionId' in input) {
      runnable = await this.d.service.version(input.versionId);
    } else {
      const content = await this.d.service.completeDraft(input.draft);
      assertValidContent(content, 'The draft');
      hash = draftHash(input.draft.templateId, content);
      runnable = { ...content, id: null, templateId: input.draft.templateId, textOnlyReason: null };
    }
    const started = performance.now();
    let outcome: RunOutcome | null = null;
    let error: unknown = null;
    try {
      outcome = await this.d.runner.ask(runnable, ctx, {
        kind: 'playground',
        eventId: event.id,
        draftHash: hash,
      });
    } catch (err) {
      if (!(err instanceof LlmError)) throw err;
      error = err;
    }
    const result = runResult(outcome, error, performance.now() - started);
    return {
      eventId: event.id,
      stored: {
        score: event.riskScore,
        level: event.riskLevel,
        summary: event.summary,
        reasoning: event.reasoning,
        scorer: event.scorer,
        promptVersionId: event.promptVersionId,
      },
      result,
      delta: result.score === null ? null : result.score - event.riskScore,
      runs: await this.d.prompts.playgroundRuns(
        hash ? { draftHash: hash } : { versionId: runnable.id! },
      ),
      draftHash: hash,
      renderedPrompt: outcome?.rendered ?? (await this.d.runner.render(runnable, ctx)),
    };
  }

  /**
   * Saves (for a draft) and activates a version once the playground ran it at least
   * `PROMOTE_MIN_RUNS` times.
   */
  async promote(input: ChannelParsedInput<'prompts.playground.promote'>): Promise<PromptVersion> {
    let runs: number;
    let content: VersionContent | undefined;
    if ('versionId' in input) {
      await this.d.service.version(input.versionId);
      runs = await this.d.prompts.playgroundRuns({ versionId: input.versionId });
    } else {
      content = await this.d.service.completeDraft(input.draft);
      assertValidContent(content, 'The draft');
      runs = await this.d.prompts.playgroundRuns({
        draftHash: draftHash(input.draft.templateId, content),
      });
    }
    if (runs < PROMOTE_MIN_RUNS) {
      throw new AppError(
        'conflict',
        `Run it in the playground at least ${PROMOTE_MIN_RUNS} times before promoting it (${runs} so far)`,
      );
    }
    if ('versionId' in input) return this.d.service.activate(input.versionId);
    return this.d.prompts.createVersion(
      {
        templateId: input.draft.templateId,
        ...content!,
        changeDescription:
          input.changeDescription || `Promoted from the playground after ${runs} runs`,
        createdBy: 'promotion',
      },
      true,
    );
  }

  /** Starts evaluating a version on the golden set (or a scope) as a resumable job. */
  async evaluate(input: ChannelParsedInput<'prompts.evaluate'>): Promise<{ jobId: string }> {
    await this.d.service.version(input.versionId);
    const available = input.scope
      ? (await this.d.events.stats(input.scope)).total
      : await this.d.events.countFeedback();
    const total = Math.min(available, input.limit ?? Number.MAX_SAFE_INTEGER);
    if (total === 0) {
      throw new AppError(
        'invalid_input',
        input.scope
          ? 'No events match this scope'
          : 'No events have feedback yet: mark some events correct, false positive or missed threat first',
      );
    }
    const params: EvaluateParams = {
      versionId: input.versionId,
      // Events arriving later stay out, so the pages (and a resume's place) stay put.
      scope: input.scope && {
        ...input.scope,
        to: input.scope.to && Date.parse(input.scope.to) < Date.now() ? input.scope.to : nowIso(),
      },
      limit: input.limit,
      cursor: null,
      skip: 0,
      processed: 0,
      parseFailures: 0,
    };
    const job = await this.d.jobs.create(EVALUATE_JOB_KIND, params, total);
    this.d.jobService.run(job.id, (signal) => this.work(job.id, signal));
    return { jobId: job.id };
  }

  /** Evaluates dead letters' events again: one job per prompt version. */
  private async requeue(letters: DeadLetter[]): Promise<string[]> {
    const byVersion = new Map<string, { eventId: string; attempts: number }[]>();
    for (const l of letters) {
      const versionId = String(l.item.versionId);
      const ids = byVersion.get(versionId) ?? [];
      ids.push({ eventId: String(l.item.eventId), attempts: l.attempts });
      byVersion.set(versionId, ids);
    }
    const jobIds: string[] = [];
    for (const [versionId, ids] of byVersion) {
      const params: EvaluateParams = {
        ...{ versionId, cursor: null, skip: 0, processed: 0, parseFailures: 0 },
        ids,
      };
      const job = await this.d.jobs.create(EVALUATE_JOB_KIND, params, ids.length);
      this.d.jobService.run(job.id, (signal) => this.work(job.id, signal));
      jobIds.push(job.id);
    }
    return jobIds;
  }

  /** Resumes evaluations a shutdown interrupted. */
  async start(): Promise<void> {
    this.d.jobService.onRequeue(EVALUATE_JOB_KIND, (letters) => this.requeue(letters));
    for (const { job } of await this.d.jobs.unfinished<EvaluateParams>(EVALUATE_JOB_KIND)) {
      this.d.jobService.run(job.id, (signal) => this.work(job.id, signal));
    }
  }

  /**
   * The next events to run: the golden set after the last id done; a scope from the page
   * its cursor starts, less the `skip` events of it already done (a page used up moves the
   * cursor on).
   */
  private async nextIds(p: EvaluateParams): Promise<string[]> {
    if (p.ids) return p.ids.slice(p.processed, p.processed + PAGE).map((i) => i.eventId);
    if (!p.scope) return this.d.events.feedbackEventIds(p.cursor, PAGE);
    while (p.cursor !== 'end') {
      const page = await this.d.events.list({
        ...p.scope,
        cursor: p.cursor ?? undefined,
        limit: PAGE,
      });
      const ids = page.items.slice(p.skip).map((e) => e.id);
      if (ids.length) return ids;
      p.cursor = page.nextCursor ?? 'end';
      p.skip = 0;
    }
    return [];
  }

  private async work(jobId: string, signal: AbortSignal): Promise<void> {
    const state = await this.d.jobs.state<EvaluateParams>(jobId);
    if (!state) return;
    const p = state.params;
    const version = await this.d.service.version(p.versionId);
    const total = state.job.total ?? 0;
    while (!signal.aborted && p.processed < total) {
      const ids = await this.nextIds(p);
      if (!ids.length) break;
      for (const id of ids) {
        if (signal.aborted || p.processed >= total) break;
        const ctx = await this.d.contextFor(id);
        if (ctx) {
          try {
            await this.d.runner.ask(version, ctx, { kind: 'evaluate', eventId: id, jobId });
          } catch (err) {
            if (!(err instanceof LlmError)) throw err;
            p.parseFailures += 1;
            const attempts = p.ids?.find((i) => i.eventId === id)?.attempts ?? 0;
            await this.d.jobService.deadLetter(
              { id: jobId, kind: EVALUATE_JOB_KIND },
              { eventId: id, versionId: p.versionId },
              err.message,
              attempts + 1,
            );
          }
        }
        p.processed += 1;
        // The position moves past an event only once its run is recorded (a resume re-runs
        // none of the events done).
        if (p.scope) p.skip += 1;
        else p.cursor = id;
        this.d.jobs.advanceInTx(jobId, p.processed, Math.floor((p.processed / total) * 100), p, {
          evaluated: p.processed,
          failures: p.parseFailures,
        });
        await this.d.jobService.progressed(jobId);
      }
    }
  }

  /** What an evaluation found: agreement with feedback, score changes against stored results. */
  async evaluation(jobId: string): Promise<EvaluationReport> {
    const state = await this.d.jobs.state<EvaluateParams>(jobId);
    if (!state || state.job.kind !== EVALUATE_JOB_KIND) {
      throw new AppError('not_found', `No prompt evaluation with job id "${jobId}"`);
    }
    // A run repeated after a restart counts once: the last one per event.
    const runs = new Map((await this.d.prompts.jobRuns(jobId)).map((r) => [r.eventId, r]));
    const ids = [...runs.keys()];
    const events = await this.d.events.getMany(ids);
    const feedback = await this.d.events.feedbackTypes(ids);
    const { thresholds } = await this.d.calibration.get();
    const rows: EvaluationRow[] = [];
    let storedAgreed = 0;
    let storedRated = 0;
    for (const [eventId, run] of runs) {
      const event = events.get(eventId);
      if (!event) continue;
      const type = feedback.get(eventId) ?? null;
      const ok = run.outcome === 'ok' && run.score !== null;
      const stored = agreesWithFeedback(type, event.riskScore, event.riskScore, thresholds.medium);
      if (stored !== null) {
        storedRated += 1;
        if (stored) storedAgreed += 1;
      }
      rows.push({
        eventId,
        feedback: type,
        storedScore: event.riskScore,
        newScore: ok ? run.score : null,
        delta: ok ? run.score! - event.riskScore : null,
        parseOk: ok,
        agrees: ok
          ? agreesWithFeedback(type, run.score!, event.riskScore, thresholds.medium)
          : null,
      });
    }
    const rated = rows.filter((r) => r.agrees !== null);
    const agreed = rated.filter((r) => r.agrees).length;
    const deltas = rows.flatMap((r) => (r.delta === null ? [] : [r.delta]));
    return {
      jobId,
      versionId: state.params.versionId,
      evaluated: rows.length,
      parseFailures: rows.filter((r) => !r.parseOk).length,
      rated: rated.length,
      agreed,
      agreementRate: rated.length ? agreed / rated.length : null,
      storedAgreementRate: storedRated ? storedAgreed / storedRated : null,
      meanDelta: mean(deltas),
      levelChanges: rows.filter(
        (r) =>
          r.newScore !== null &&
          riskLevelFor(r.newScore, thresholds) !== riskLevelFor(r.storedScore, thresholds),
      ).length,
      rows,
    };
  }

  /** Per version: uses, latency, parse failures, risk, agreement with feedback; shadow pairs. */
  async analytics(input: ChannelParsedInput<'prompts.analytics'>): Promise<PromptAnalytics> {
    const versions = await this.d.service.versions(input.templateId);
    const runs = await this.d.prompts.runStats(
      versions.map((v) => v.id),
      { from: input.from, to: input.to, kinds: ['live', 'shadow'] },
    );
    const eventIds = [...new Set(runs.flatMap((r) => (r.eventId ? [r.eventId] : [])))];
    const feedback = await this.d.events.feedbackTypes(eventIds);
    const events = await this.d.events.getMany([...feedback.keys()]);
    const { thresholds } = await this.d.calibration.get();
    const byVersion = new Map<string, RunStat[]>();
    for (const r of runs) {
      const list = byVersion.get(r.versionId);
      if (list) list.push(r);
      else byVersion.set(r.versionId, [r]);
    }

    const out: VersionAnalytics[] = versions
      .map((v) => {
        const own = byVersion.get(v.id) ?? [];
        const answered = own.filter((r) => r.outcome !== 'failed');
        const scored = own.flatMap((r) =>
          r.outcome === 'ok' && r.score !== null ? [r.score] : [],
        );
        const latencies = answered.map((r) => r.latencyMs);
        const fb = { rated: 0, agreed: 0, falsePositivesScoredHigh: 0, missedThreatsScoredLow: 0 };
        for (const r of own) {
          const type = r.eventId ? feedback.get(r.eventId) : undefined;
          const event = r.eventId ? events.get(r.eventId) : undefined;
          if (!type || !event || r.outcome !== 'ok' || r.score === null) continue;
          const agrees = agreesWithFeedback(type, r.score, event.riskScore, thresholds.medium);
          if (agrees === null) continue;
          fb.rated += 1;
          if (agrees) fb.agreed += 1;
          else if (type === 'false_positive') fb.falsePositivesScoredHigh += 1;
          else if (type === 'missed_threat') fb.missedThreatsScoredLow += 1;
        }
        const days = new Map<string, number[]>();
        const dayUses = new Map<string, number>();
        for (const r of own) {
          const day = r.at.slice(0, 10);
          dayUses.set(day, (dayUses.get(day) ?? 0) + 1);
          if (r.outcome === 'ok' && r.score !== null) {
            const scores = days.get(day);
            if (scores) scores.push(r.score);
            else days.set(day, [r.score]);
          }
        }
        const sumOf = (k: 'promptTokens' | 'completionTokens') => {
          const values = own.flatMap((r) => (r[k] === null ? [] : [r[k]]));
          return values.length ? values.reduce((a, b) => a + b, 0) : null;
        };
        const byKind: Record<string, number> = {};
        for (const r of own) byKind[r.kind] = (byKind[r.kind] ?? 0) + 1;
        return {
          versionId: v.id,
          number: v.number,
          active: v.active,
          uses: own.length,
          byKind,
          meanLatencyMs: mean(latencies),
          p95LatencyMs: percentile(latencies, 95),
          parseFailures: answered.length - scored.length,
          parseFailureRate: answered.length
            ? (answered.length - scored.length) / answered.length
            : null,
          meanRisk: mean(scored),
          riskStdDev: stdDev(scored),
          promptTokens: sumOf('promptTokens'),
          completionTokens: sumOf('completionTokens'),
          feedback: fb,
          feedbackAgreement: fb.rated ? fb.agreed / fb.rated : null,
          daily: [...dayUses.entries()]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([day, uses]) => ({ day, uses, meanRisk: mean(days.get(day) ?? []) })),
        };
      })
      .filter((v) => v.uses > 0 || v.active);

    // Shadow pairs: a candidate's shadow answer against the live answer on the same event.
    const live = new Map<string, RunStat>();
    for (const r of runs)
      if (r.kind === 'live' && r.outcome === 'ok' && r.eventId) live.set(r.eventId, r);
    const pairs = new Map<string, { active: string; diffs: number[] }>();
    for (const r of runs) {
      const base = r.eventId ? live.get(r.eventId) : undefined;
      if (
        r.kind !== 'shadow' ||
        r.outcome !== 'ok' ||
        r.score === null ||
        !base ||
        base.score === null
      )
        continue;
      const entry = pairs.get(r.versionId) ?? { active: base.versionId, diffs: [] };
      entry.diffs.push(r.score - base.score);
      pairs.set(r.versionId, entry);
    }
    const shadow: ShadowComparison[] = [...pairs.entries()].map(([versionId, p]) => {
      const distribution = [0, 0, 0, 0, 0];
      for (const diff of p.diffs) distribution[shadowBucket(diff)]! += 1;
      return {
        candidateVersionId: versionId,
        activeVersionId: p.active,
        pairs: p.diffs.length,
        meanDiff: mean(p.diffs),
        distribution,
      };
    });
    return {
      templateId: input.templateId,
      from: input.from ?? null,
      to: input.to ?? null,
      versions: out,
      shadow,
      rollbacks: await this.d.prompts.rollbacks(input.templateId),
    };
  }
}
