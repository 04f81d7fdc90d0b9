import { AppError } from '../../src-shared/errors';
import type { LocalLlmServer } from '../../src-shared/prompts';
import { REDACTED } from '../../src-shared/settings';
import type { Settings } from '../../src-shared/settings';
import { listModels } from './llm-client';

/** Where common local servers listen by default. */
const LOCAL_LLM_SERVERS: readonly { name: string; port: number }[] = [
  { name: 'Ollama', port: 11434 },
  { name: 'llama.cpp', port: 8080 },
  { name: 'LM Studio', port: 1234 },
  { name: 'vLLM', port: 8000 },
];

/**
 * The LLM settings' helpers: list a server's models ("test connection") and find local
 * servers on loopback.
 */
export class LlmServers {
  constructor(
    private readonly d: {
      llm: () => Settings['llm'];
      candidates?: readonly { name: string; port: number }[];
    },
  ) {}

  /**
   * A server's models: the saved address and key unless others are given. The saved key
   * (asked for by leaving it out or sending it back redacted) only ever goes to the saved
   * server's origin, never to another address.
   */
  async models(input: {
    baseUrl?: string;
    apiKey?: string;
  }): Promise<{ models: string[]; source: string }> {
    const s = this.d.llm();
    const baseUrl = input.baseUrl ?? s.baseUrl;
    const savedKey = input.apiKey === undefined || input.apiKey === REDACTED;
    const apiKey = !savedKey
      ? input.apiKey
      : new URL(baseUrl).origin === new URL(s.baseUrl).origin
        ? s.apiKey
        : undefined;
    try {
      return await listModels(baseUrl, apiKey || undefined, 5000);
    } catch (err) {
      throw new AppError('unavailable', (err as Error).message);
    }
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
