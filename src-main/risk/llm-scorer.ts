import { riskLevelFor } from '../../src-shared/domain';
import type { ScoreComponents } from '../../src-shared/calibration';
import { calibratedScore } from '../../src-shared/calibration';
import type { Settings } from '../../src-shared/settings';
import type { RetryPolicy } from 'cockatiel';
import { ExponentialBackoff, handleWhen, noJitterGenerator, retry } from 'cockatiel';
import type { CircuitBreaker } from './circuit-breaker';
import { CircuitOpenError } from './circuit-breaker';
import type { LlmAssessment } from './llm-client';
import { LlmError, chatCompletion, parseAssessment } from './llm-client';
import type { BatchContext, RiskAssessment, RiskScorer } from './risk-scorer';
import { timeOfDayFactor } from './rules-scorer';
import { zonesFor } from './risk-scorer';

export const DEFAULT_SYSTEM_PROMPT =
  'You are a home security analyst. You receive object detections from one security camera ' +
  'over a short time window and judge how concerning they are for the homeowner. Answer only ' +
  'with JSON: {"risk_score": 0-100, "risk_level": "low"|"medium"|"high"|"critical", ' +
  '"summary": one sentence, "reasoning": two or three sentences}. Routine activity (deliveries ' +
  'in daytime, pets, passing cars) is low; people lingering at night, at entry points or in ' +
  'restricted zones is high.';

/** The user message: camera, time window and context, detections, zones. */
export function renderPrompt(batch: BatchContext): string {
  const tod = timeOfDayFactor(batch.startedAt);
  const lines = batch.detections.map((d) => {
    const zones = zonesFor(d, batch.zones).map((z) => z.name);
    const box = d.bbox.map((v) => v.toFixed(2)).join(', ');
    return (
      `- ${d.detectedAt} ${d.objectClass} ${Math.round(d.confidence * 100)}% box [${box}]` +
      `${zones.length ? ` in ${zones.join(', ')}` : ''}${d.stationary ? ' (stationary)' : ''}`
    );
  });
  const zones = batch.zones
    .filter((z) => z.enabled)
    .map((z) => `- ${z.name} (${z.kind}, weight ${z.riskWeight})`);
  return [
    `Camera: ${batch.cameraName}`,
    `Time window: ${batch.startedAt} to ${batch.endedAt} (${tod.label}, local hour ${new Date(batch.startedAt).getHours()})`,
    `Detections (${batch.detections.length}):`,
    ...lines,
    zones.length
      ? `Zones on this camera:\n${zones.join('\n')}`
      : 'No zones are drawn on this camera.',
  ].join('\n');
}

/** Transient failures (network, timeout, 5xx, 429) are tried again this many times. */
const RETRIES = 2;

/**
 * Asks a local OpenAI-compatible server (llama.cpp, Ollama, LM Studio, vLLM) for the risk;
 * retries transient failures with exponential backoff (cockatiel's retry policy), behind a
 * circuit breaker that counts each event whose retries all failed.
 */
export class LlmScorer implements RiskScorer {
  readonly name = 'llm' as const;
  private readonly retry: RetryPolicy;

  constructor(
    private readonly settings: () => Settings['llm'],
    readonly breaker: CircuitBreaker,
    backoffMs = 250,
  ) {
    this.retry = retry(
      handleWhen((err) => err instanceof LlmError && err.retryable),
      {
        maxAttempts: RETRIES,
        backoff: new ExponentialBackoff({ initialDelay: backoffMs, generator: noJitterGenerator }),
      },
    );
  }

  enabled(): boolean {
    return this.settings().enabled;
  }

  async score(batch: BatchContext): Promise<RiskAssessment> {
    const s = this.settings();
    if (!s.enabled) throw new LlmError('The LLM scorer is turned off', false);
    const started = performance.now();
    let answer: LlmAssessment;
    try {
      answer = await this.breaker.execute(() =>
        this.retry.execute(async () =>
          parseAssessment(
            await chatCompletion({
              baseUrl: s.baseUrl,
              model: s.model,
              apiKey: s.apiKey,
              system: DEFAULT_SYSTEM_PROMPT,
              user: renderPrompt(batch),
              temperature: s.temperature,
              maxTokens: s.maxTokens,
              timeoutMs: s.timeoutMs,
            }),
          ),
        ),
      );
    } catch (err) {
      if (err instanceof CircuitOpenError) throw new LlmError(err.message, false);
      throw err;
    }
    const raw = Math.round(Math.min(100, Math.max(0, answer.risk_score)));
    const { calibration } = batch;
    const components: ScoreComponents = {};
    for (const d of batch.detections) components[d.objectClass] = raw;
    const calibrated = calibratedScore(components, calibration, batch.cameraId);
    // The level comes from the thresholds, as for every event (so a re-evaluation under the
    // same calibration changes nothing); the model's own word for it is not kept.
    return {
      riskScore: calibrated,
      rawRiskScore: raw,
      riskLevel: riskLevelFor(calibrated, calibration.thresholds),
      summary: answer.summary,
      reasoning: answer.reasoning,
      scorer: 'llm',
      model: s.model,
      promptVersionId: null,
      components,
      latencyMs: performance.now() - started,
    };
  }
}
