import { z } from 'zod';
import { RISK_LEVELS } from '../../src-shared/domain';

export interface ChatRequest {
  baseUrl: string;
  model: string;
  apiKey?: string;
  system: string;
  user: string;
  temperature: number;
  maxTokens: number;
  timeoutMs: number;
}

export class LlmError extends Error {
  constructor(
    message: string,
    /** Worth another try (network, timeout, 5xx, 429) — not a bad answer. */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'LlmError';
  }
}

/** The JSON we ask for (and validate): score 0..100 and the words behind it. */
export const assessmentSchema = z.object({
  risk_score: z.coerce.number().finite(),
  risk_level: z.enum(RISK_LEVELS).optional().catch(undefined),
  summary: z.string().min(1).max(2000),
  reasoning: z.string().max(8000).default(''),
});
export type LlmAssessment = z.output<typeof assessmentSchema>;

/**
 * What the model is asked to answer, strictly (the server constrains its output to it). The
 * validation above is more forgiving: models still send "77" or levels of their own.
 */
export const assessmentAnswerSchema = z.strictObject({
  risk_score: z.int().min(0).max(100),
  risk_level: z.enum(RISK_LEVELS),
  summary: z.string(),
  reasoning: z.string(),
});

const { $schema: _dialect, ...answerJsonSchema } = z.toJSONSchema(assessmentAnswerSchema, {
  target: 'draft-7',
});
/** The JSON schema sent with each request (derived from the zod schema, so the two agree). */
export const ASSESSMENT_JSON_SCHEMA: Record<string, unknown> = answerJsonSchema;

/** `http://host:8080` and `http://host:8080/v1` both reach `/v1/chat/completions`. */
export function chatUrl(baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return base.endsWith('/v1') ? `${base}/chat/completions` : `${base}/v1/chat/completions`;
}

/** Reasoning models think out loud first; only what follows the thinking is the answer. */
export function stripThinking(text: string): string {
  return text
    .replace(/<think>[\s\S]*?<\/think>/gi, '')
    .replace(/^[\s\S]*<\/think>/i, '')
    .trim();
}

/** The first balanced {...} in the text (models wrap JSON in prose or code fences). */
export function extractJsonObject(text: string): string | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = start; i < text.length; i += 1) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') depth += 1;
    else if (ch === '}') {
      depth -= 1;
      if (depth === 0) return text.slice(start, i + 1);
    }
  }
  return undefined;
}

export function parseAssessment(content: string): LlmAssessment {
  const json = extractJsonObject(stripThinking(content));
  if (!json) throw new LlmError('The model answered without a JSON object', false);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new LlmError('The model answered with malformed JSON', false);
  }
  const parsed = assessmentSchema.safeParse(value);
  if (!parsed.success) {
    throw new LlmError(
      `The model's JSON does not match the schema: ${parsed.error.issues[0]?.message ?? ''}`,
      false,
    );
  }
  return parsed.data;
}

/** One OpenAI-compatible chat completion asking for JSON by schema. */
export async function chatCompletion(req: ChatRequest): Promise<string> {
  let res: Response;
  try {
    res = await fetch(chatUrl(req.baseUrl), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(req.apiKey ? { authorization: `Bearer ${req.apiKey}` } : {}),
      },
      body: JSON.stringify({
        model: req.model,
        messages: [
          { role: 'system', content: req.system },
          { role: 'user', content: req.user },
        ],
        temperature: req.temperature,
        max_tokens: req.maxTokens,
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'risk_assessment', strict: true, schema: ASSESSMENT_JSON_SCHEMA },
        },
      }),
      signal: AbortSignal.timeout(req.timeoutMs),
    });
  } catch (err) {
    const name = (err as Error).name;
    throw new LlmError(
      name === 'TimeoutError'
        ? `No answer within ${req.timeoutMs} ms`
        : `Cannot reach the LLM: ${(err as Error).message}`,
      true,
    );
  }
  if (!res.ok) {
    const retryable = res.status >= 500 || res.status === 429;
    await res.body?.cancel().catch(() => undefined);
    throw new LlmError(`The LLM answered HTTP ${res.status}`, retryable);
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new LlmError('The LLM answered with a body that is not JSON', false);
  }
  const content = (body as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]
    ?.message?.content;
  if (typeof content !== 'string')
    throw new LlmError('The LLM answer has no message content', false);
  return content;
}
