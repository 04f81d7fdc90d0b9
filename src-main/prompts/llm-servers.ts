import { AppError } from '../../src-shared/errors';
import type { LlmTestResult, LocalLlmServer } from '../../src-shared/prompts';
import { REDACTED } from '../../src-shared/settings';
import type { Settings } from '../../src-shared/settings';
import { chatCompletion, listModels, stripThinking } from './llm-client';

/** Where common local servers listen by default. */
const LOCAL_LLM_SERVERS: readonly { name: string; port: number }[] = [
  { name: 'Ollama', port: 11434 },
  { name: 'llama.cpp', port: 8080 },
  { name: 'LM Studio', port: 1234 },
  { name: 'vLLM', port: 8000 },
];

/**
 * The LLM settings' helpers: list a server's models, test a model with a short question, and
 * find local servers on loopback.
 */
export class LlmServers {
  constructor(
    private readonly d: {
      llm: () => Settings['llm'];
      candidates?: readonly { name: string; port: number }[];
      testTimeoutMs?: number;
    },
  ) {}

  /** A server's models: the saved address and key unless others are given. */
  async models(input: {
    baseUrl?: string;
    apiKey?: string;
  }): Promise<{ models: string[]; source: string }> {
    const { baseUrl, apiKey } = this.target(input);
    try {
      return await listModels(baseUrl, apiKey, 5000);
    } catch (err) {
      throw new AppError('unavailable', (err as Error).message);
    }
  }

  /**
   * Asks a model for a one-word answer ("test it"): the server is reachable, the model loads
   * and answers, and how long that took. Saved address, model and key unless others are given.
   */
  async test(input: { baseUrl?: string; model?: string; apiKey?: string }): Promise<LlmTestResult> {
    const { baseUrl, apiKey } = this.target(input);
    const model = input.model ?? this.d.llm().model;
    const started = performance.now();
    try {
      const answer = await chatCompletion({
        baseUrl,
        model,
        apiKey,
        system: 'You are a connection check.',
        user: 'Reply with the single word OK.',
        temperature: 0,
        maxTokens: 16,
        // A local server may load the model into memory first.
        timeoutMs: this.d.testTimeoutMs ?? 60_000,
      });
      return {
        model,
        latencyMs: Math.round(performance.now() - started),
        reply: stripThinking(answer.content).slice(0, 200),
      };
    } catch (err) {
      throw new AppError('unavailable', (err as Error).message);
    }
  }

  /**
   * The address and key to use. The saved key (asked for by leaving it out or sending it back
   * redacted) only ever goes to the saved server's origin, never to another address.
   */
  private target(input: { baseUrl?: string; apiKey?: string }): {
    baseUrl: string;
    apiKey: string | undefined;
  } {
    const s = this.d.llm();
    const baseUrl = input.baseUrl ?? s.baseUrl;
    const savedKey = input.apiKey === undefined || input.apiKey === REDACTED;
    const apiKey = !savedKey
      ? input.apiKey
      : new URL(baseUrl).origin === new URL(s.baseUrl).origin
        ? s.apiKey
        : undefined;
    return { baseUrl, apiKey: apiKey || undefined };
  }

  /** Local servers answering on their usual loopback ports, with their models. */
  async detect(): Promise<LocalLlmServer[]> {
    const found = await Promise.all(
      (this.d.candidates ?? LOCAL_LLM_SERVERS).map(async ({ name, port }) => {
        const baseUrl = `http://127.0.0.1:${port}`;
        try {
          return [{ name, baseUrl, models: (await listModels(baseUrl, undefined, 800)).models }];
        } catch {
          return [];
        }
      }),
    );
    return found.flat();
  }
}
