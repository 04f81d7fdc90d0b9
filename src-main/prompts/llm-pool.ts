import type { Settings } from '../../src-shared/settings';
import { AllEndpointsFailed, CallerError, EndpointPool } from '../common/endpoint-pool';
import { redactUrl } from '../common/redact';
import type { ChatAnswer, ChatRequest } from './llm-client';
import { LlmError, chatCompletion } from './llm-client';

type LlmSettings = Settings['llm'];

interface Target {
  baseUrl: string;
  /** The model there (default: the version's or the settings' model). */
  model?: string;
  apiKey?: string;
}

/** A failure of the request itself (a bad answer, a refusal): the same on any server. */
class RequestProblem extends CallerError {
  constructor(readonly original: unknown) {
    super((original as Error).message);
  }
}

/**
 * The OpenAI-compatible servers the analyses go to: the configured server first, then the
 * extra `llm.endpoints` (vLLM replicas, a GPU box, a local fallback), by priority (the first
 * healthy one) or in turn (`llm.balance`), each behind its own breaker. A server that cannot
 * be reached, times out, or answers 5xx / 429 is taken out and the request goes to the next;
 * a bad answer is not retried elsewhere. Built again when the settings change.
 */
export class LlmPool {
  private pool?: EndpointPool<Target>;
  private key = '';

  constructor(private readonly settings: () => LlmSettings) {}

  private current(): EndpointPool<Target> {
    const s = this.settings();
    const key = JSON.stringify([s.baseUrl, s.apiKey, s.endpoints, s.balance]);
    if (!this.pool || key !== this.key) {
      const targets: Target[] = [
        { baseUrl: s.baseUrl, apiKey: s.apiKey },
        ...s.endpoints.map((e) => ({ baseUrl: e.baseUrl, model: e.model, apiKey: e.apiKey })),
      ];
      this.pool = new EndpointPool(
        targets.map((t, i) => ({
          key: `${i + 1}: ${redactUrl(t.baseUrl)}`,
          endpoint: t,
          maxConcurrent: 8,
        })),
        {
          mode: s.balance === 'round-robin' ? 'least-outstanding' : 'priority',
          cooldownMs: 30_000,
        },
      );
      this.key = key;
    }
    return this.pool;
  }

  /** One chat completion on the first server that answers; the answer says which. */
  async complete(
    req: Omit<ChatRequest, 'baseUrl' | 'apiKey'>,
  ): Promise<ChatAnswer & { baseUrl: string; model: string }> {
    const pool = this.current();
    // One server: exactly the old behaviour (its errors as they are).
    if (pool.size === 1) {
      const t = pool.endpoints()[0]!.endpoint;
      const model = t.model || req.model;
      return {
        ...(await chatCompletion({ ...req, model, baseUrl: t.baseUrl, apiKey: t.apiKey })),
        baseUrl: t.baseUrl,
        model,
      };
    }
    try {
      return await pool.run(async (t) => {
        const model = t.model || req.model;
        try {
          const answer = await chatCompletion({
            ...req,
            model,
            baseUrl: t.baseUrl,
            apiKey: t.apiKey,
          });
          return { ...answer, baseUrl: t.baseUrl, model };
        } catch (err) {
          if (err instanceof LlmError && !err.retryable) throw new RequestProblem(err);
          throw err;
        }
      });
    } catch (err) {
      if (err instanceof RequestProblem) throw err.original;
      if (err instanceof AllEndpointsFailed) throw new LlmError(err.message, true);
      throw err;
    }
  }
}
