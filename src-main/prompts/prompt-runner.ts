import sharp from 'sharp';
import type { ScoreComponents } from '../../src-shared/calibration';
import { calibratedScore } from '../../src-shared/calibration';
import type { RiskLevel } from '../../src-shared/domain';
import { riskLevelFor } from '../../src-shared/domain';
import type { LlmAnswer, VersionParams } from '../../src-shared/prompts';
import { RenderError, renderTemplate } from '../../src-shared/prompts';
import { AppError } from '../../src-shared/errors';
import type { Settings } from '../../src-shared/settings';
import type { CalibrationRepository } from '../calibration';
import type { Publish } from '../common/domain-events';
import type { Logger } from '../system';
import { LlmPool } from './llm-pool';
import type { chatCompletion } from './llm-client';
import { LlmError, parseAnswer, responseJsonSchema } from './llm-client';
import type { PromptRepository, RunKind, RunOutcomeKind } from './prompt-repository';
import type { PromptContext, RecentEvent } from './prompt-variables';
import { builtInValues } from './prompt-variables';

/** A saved version, or a playground draft (no id), as far as running it goes. */
export interface RunnableVersion {
  id: string | null;
  templateId: string;
  body: string;
  variables: string[];
  constants: Record<string, string>;
  params: VersionParams;
  textOnlyReason: string | null;
}

/** Where a run is recorded: which kind, for which batch, event, job or draft. */
export interface RunRecord {
  kind: RunKind;
  batchId?: string | null;
  eventId?: string | null;
  jobId?: string | null;
  draftHash?: string | null;
}

export interface RunOutcome {
  answer: LlmAnswer;
  /** The model's score for every class of the batch (what calibration multiplies). */
  components: ScoreComponents;
  /** The model's score under the batch's calibration, and its level. */
  score: number;
  level: RiskLevel;
  model: string;
  latencyMs: number;
  promptTokens: number | null;
  completionTokens: number | null;
  raw: string;
  rendered: string;
  imagesSent: number;
  /** The model refused the images and the run was repeated text-only. */
  imagesRejected: string | null;
}

/** The camera's last events before a time (`{{recent_activity}}`). */
export type RecentEvents = (
  cameraId: string,
  before: string,
  limit: number,
) => Promise<RecentEvent[]>;

/**
 * A model's score as the app reads it: the same score for every class of the batch, times
 * the calibration's class and camera factors; the level from its thresholds.
 */
function calibratedAnswer(
  rawScore: number,
  ctx: PromptContext,
): { components: ScoreComponents; score: number; level: RiskLevel } {
  const raw = Math.round(Math.min(100, Math.max(0, rawScore)));
  const components: ScoreComponents = {};
  for (const d of ctx.detections) components[d.objectClass] = raw;
  const score = calibratedScore(components, ctx.calibration, ctx.cameraId);
  return { components, score, level: riskLevelFor(score, ctx.calibration.thresholds) };
}

/** One variable named in an `invalid_input` error. */
export function variableIssue(name: string, code: string, message = code.replace('_', ' ')) {
  return { path: ['variables', name], message: `${name}: ${message}`, code };
}

/** `renderTemplate`, with a missing or unknown variable as `invalid_input` naming it. */
export function renderOrInvalid(
  body: string,
  declared: readonly string[],
  values: Readonly<Record<string, string>>,
): string {
  try {
    return renderTemplate(body, declared, values);
  } catch (err) {
    if (!(err instanceof RenderError)) throw err;
    throw new AppError('invalid_input', err.message, [
      ...err.missing.map((name) => variableIssue(name, 'missing_variable')),
      ...err.unknown.map((name) => variableIssue(name, 'unknown_variable')),
    ]);
  }
}

/** Fixed framing around every version's text: answer JSON only, in this shape. */
function systemMessage(schema: Record<string, unknown>): string {
  return (
    'Answer with exactly one JSON object and nothing else. It must match this JSON Schema: ' +
    JSON.stringify(schema)
  );
}

/** Up to `maxImages` snapshots of the batch, best detection first, downscaled, as data URLs. */
export async function snapshots(
  ctx: PromptContext,
  vision: VersionParams['vision'],
  log?: Logger,
): Promise<string[]> {
  const paths: string[] = [];
  for (const d of [...ctx.detections].sort((a, b) => b.confidence - a.confidence)) {
    if (d.imagePath && !paths.includes(d.imagePath)) paths.push(d.imagePath);
    if (paths.length >= vision.maxImages) break;
  }
  const urls: string[] = [];
  for (const p of paths) {
    try {
      const jpeg = await sharp(p)
        .rotate()
        .resize({
          width: vision.maxSide,
          height: vision.maxSide,
          fit: 'inside',
          withoutEnlargement: true,
        })
        .jpeg({ quality: 80 })
        .toBuffer();
      urls.push(`data:image/jpeg;base64,${jpeg.toString('base64')}`);
    } catch (err) {
      log?.warn({ err: (err as Error).message, path: p }, 'snapshot left out of the prompt');
    }
  }
  return urls;
}

/**
 * Runs one prompt version on one batch: fills its variables, attaches snapshots when the
 * version asks for vision, asks the model, validates the answer against the version's
 * response schema, and records the run (latency, tokens, outcome, score) whatever happened.
 */
export class PromptRunner {
  private readonly log: Logger;

  constructor(
    private readonly d: {
      prompts: PromptRepository;
      calibration: CalibrationRepository;
      llm: () => Settings['llm'];
      recentEvents: RecentEvents;
      publish: Publish;
      logger: Logger;
    },
  ) {
    this.log = d.logger.child({ module: 'prompts' });
    this.pool = new LlmPool(d.llm);
  }

  /** The servers analyses go to (the configured one, then `llm.endpoints`). */
  private readonly pool: LlmPool;

  /** The text the model gets for this batch (`invalid_input` naming what is missing). */
  async render(v: RunnableVersion, ctx: PromptContext): Promise<string> {
    const declared = new Set(v.variables);
    const values: Record<string, string> = {};
    if (v.variables.length) {
      // Events that started before this batch: an event re-run later does not see itself.
      const recent = declared.has('recent_activity')
        ? await this.d.recentEvents(ctx.cameraId, ctx.startedAt, 5)
        : [];
      const timezone = (await this.d.calibration.get()).night?.timezone;
      for (const [k, val] of Object.entries(builtInValues(ctx, recent, timezone))) {
        if (declared.has(k)) values[k] = val;
      }
    }
    for (const [k, val] of Object.entries(v.constants)) if (declared.has(k)) values[k] = val;
    return renderOrInvalid(v.body, v.variables, values);
  }

  /**
   * One analysis. Throws `LlmError` when the model could not be reached or its answer did not
   * validate (after recording the run); a model that refuses images marks the version
   * text-only and is asked again without them.
   */
  async ask(v: RunnableVersion, ctx: PromptContext, rec: RunRecord): Promise<RunOutcome> {
    const s = this.d.llm();
    const rendered = await this.render(v, ctx);
    const useVision = v.params.vision.enabled && !v.textOnlyReason;
    let images = useVision ? await snapshots(ctx, v.params.vision, this.log) : [];
    let imagesRejected: string | null = null;
    const model = v.params.model || s.model;
    const schema = responseJsonSchema(v.params.responseSchema);
    const started = performance.now();
    let content: Awaited<ReturnType<LlmPool['complete']>> | undefined;
    let outcome: RunOutcome;
    try {
      for (;;) {
        try {
          content = await this.pool.complete({
            model,
            system: systemMessage(schema),
            user: rendered,
            images,
            temperature: v.params.temperature,
            maxTokens: v.params.maxTokens,
            timeoutMs: s.timeoutMs,
            responseSchema: schema,
          });
          break;
        } catch (err) {
          if (!(err instanceof LlmError) || !err.imagesRejected || images.length === 0) throw err;
          imagesRejected = err.message;
          images = [];
          if (v.id) {
            await this.d.prompts.markTextOnly(v.id, err.message);
            this.log.warn(
              { versionId: v.id, reason: err.message },
              'the model refused images; the version now runs text-only',
            );
          }
        }
      }
      const answer = parseAnswer(content.content, v.params.responseSchema);
      outcome = {
        answer,
        ...calibratedAnswer(answer.riskScore, ctx),
        // The server that answered may name its model differently (llm.endpoints).
        model: content.model,
        latencyMs: performance.now() - started,
        promptTokens: content.promptTokens,
        completionTokens: content.completionTokens,
        raw: content.content,
        rendered,
        imagesSent: images.length,
        imagesRejected,
      };
    } catch (err) {
      const latency = performance.now() - started;
      // An answer that came but did not validate is a parse failure; no answer is a failure.
      await this.record(v, rec, content ? 'parse_failed' : 'failed', latency, content, null, err);
      throw err;
    }
    await this.record(v, rec, 'ok', outcome.latencyMs, content, outcome, null);
    return outcome;
  }

  private async record(
    v: RunnableVersion,
    rec: RunRecord,
    outcome: RunOutcomeKind,
    latencyMs: number,
    content: Awaited<ReturnType<typeof chatCompletion>> | undefined,
    result: RunOutcome | null,
    err: unknown,
  ): Promise<void> {
    const run = {
      versionId: v.id,
      draftHash: rec.draftHash ?? null,
      kind: rec.kind,
      eventId: rec.eventId ?? null,
      batchId: rec.batchId ?? null,
      jobId: rec.jobId ?? null,
      latencyMs,
      promptTokens: content?.promptTokens ?? null,
      completionTokens: content?.completionTokens ?? null,
      outcome,
      error: err ? (err as Error).message : null,
      riskScore: result?.answer.riskScore ?? null,
      score: result?.score ?? null,
      answer: result?.answer ?? null,
      raw: content?.content ?? null,
    };
    try {
      await this.d.prompts.insertRun(run);
    } catch (e) {
      // The event (or the version) was deleted while the model answered: nothing to keep.
      if ((e as { code?: string }).code !== 'SQLITE_CONSTRAINT_FOREIGNKEY') throw e;
      this.log.debug({ eventId: rec.eventId, versionId: v.id }, 'run of a deleted event not kept');
    }
    this.d.publish('prompt.ran', {
      versionId: v.id,
      templateId: v.templateId,
      kind: rec.kind,
      outcome,
      latencyMs,
    });
  }
}
