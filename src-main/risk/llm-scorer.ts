import type { Settings } from '../../src-shared/settings';
import type { RetryPolicy } from 'cockatiel';
import { ExponentialBackoff, handleWhen, noJitterGenerator, retry } from 'cockatiel';
import type { CircuitBreaker } from './circuit-breaker';
import { CircuitOpenError } from './circuit-breaker';
import type { LivePrompts, RunOutcome } from '../prompts';
import { LlmError } from '../prompts';
import type { BatchContext, RiskAssessment, RiskScorer } from './risk-scorer';

/** Transient failures (network, timeout, 5xx, 429) are tried again this many times. */
const RETRIES = 2;

/**
 * Asks a local OpenAI-compatible server (llama.cpp, Ollama, LM Studio, vLLM) for the risk,
 * with the prompt version the live template (or its split experiment) gives the batch;
 * retries transient failures with exponential backoff (cockatiel's retry policy), behind a
 * circuit breaker that counts each event whose retries all failed.
 */
export class LlmScorer implements RiskScorer {
  readonly name = 'llm' as const;
  private readonly retry: RetryPolicy;

  constructor(
    private readonly settings: () => Settings['llm'],
    readonly breaker: CircuitBreaker,
    private readonly prompts: LivePrompts,
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
    const version = await this.prompts.versionFor(batch.batchId);
    if (!version) throw new LlmError('No prompt version is active for live analysis', false);
    // A re-score of a stored event records its runs against that event.
    const rec = batch.eventId
      ? { kind: 'live' as const, eventId: batch.eventId }
      : { kind: 'live' as const, batchId: batch.batchId };
    let outcome: RunOutcome;
    try {
      outcome = await this.breaker.execute(() =>
        this.retry.execute(() => this.prompts.ask(version, batch, rec)),
      );
    } catch (err) {
      if (err instanceof CircuitOpenError) throw new LlmError(err.message, false);
      throw err;
    }
    const { answer } = outcome;
    return {
      riskScore: outcome.score,
      rawRiskScore: answer.riskScore,
      riskLevel: outcome.level,
      summary: answer.summary,
      reasoning: answer.reasoning,
      scorer: 'llm',
      model: outcome.model,
      promptVersionId: version.id,
      components: outcome.components,
      latencyMs: outcome.latencyMs,
      analysis: answer.title
        ? {
            title: answer.title,
            observations: answer.observations,
            confidence: answer.confidence,
            otherConcerns: answer.otherConcerns,
          }
        : null,
    };
  }
}
