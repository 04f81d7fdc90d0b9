import { z } from 'zod';
import type { LlmAnswer, ResponseSchemaSpec } from '../../src-shared/prompts';
import { answerSchema, toLlmAnswer } from '../../src-shared/prompts';

export interface ChatRequest {
  baseUrl: string;
  model: string;
  apiKey?: string;
  system: string;
  user: string;
  /** Data URLs sent as OpenAI-style `image_url` parts after the text. */
  images?: string[];
  temperature: number;
  maxTokens: number;
  timeoutMs: number;
  /** Sent as `response_format` (JSON Schema) unless the server said it does not take it. */
  responseSchema?: Record<string, unknown>;
}

export interface ChatAnswer {
  content: string;
  promptTokens: number | null;
  completionTokens: number | null;
}

export class LlmError extends Error {
  constructor(
    message: string,
    /** Worth another try (network, timeout, 5xx, 429) — not a bad answer. */
    readonly retryable: boolean,
    /** The server refused the images (a text-only model). */
    readonly imagesRejected = false,
  ) {
    super(message);
    this.name = 'LlmError';
  }
}

/** Built once per distinct response schema (every analysis asks with one). */
const jsonSchemas = new Map<string, Record<string, unknown>>();

/** The JSON Schema sent for a response schema (derived from the zod schema, so they agree). */
export function responseJsonSchema(spec: ResponseSchemaSpec): Record<string, unknown> {
  const key = JSON.stringify(spec);
  let schema = jsonSchemas.get(key);
  if (!schema) {
    const { $schema: _dialect, ...rest } = z.toJSONSchema(answerSchema(spec, true), {
      target: 'draft-7',
    });
    schema = rest;
    jsonSchemas.set(key, schema);
  }
  return schema;
}

function v1Url(baseUrl: string, path: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return base.endsWith('/v1') ? `${base}${path}` : `${base}/v1${path}`;
}

/** `http://host:8080` and `http://host:8080/v1` both reach `/v1/chat/completions`. */
export function chatUrl(baseUrl: string): string {
  return v1Url(baseUrl, '/chat/completions');
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

/** The model's answer, validated by the version's response schema; a mismatch throws. */
export function parseAnswer(content: string, spec: ResponseSchemaSpec): LlmAnswer {
  const json = extractJsonObject(stripThinking(content));
  if (!json) throw new LlmError('The model answered without a JSON object', false);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new LlmError('The model answered with malformed JSON', false);
  }
  const parsed = answerSchema(spec).safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LlmError(
      `The model's JSON does not match the schema: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : ''}`,
      false,
    );
  }
  return toLlmAnswer(parsed.data);
}

/** Servers that answered 4xx to `response_format`: asked without it from then on. */
const noResponseFormat = new Set<string>();

const IMAGE_REFUSAL = /image|vision|multimodal|mmproj|modalit/i;
const FORMAT_REFUSAL = /response_format|json_schema/i;

/** One OpenAI-compatible chat completion asking for JSON by schema. */
export async function chatCompletion(req: ChatRequest): Promise<ChatAnswer> {
  const images = req.images ?? [];
  const withFormat = Boolean(req.responseSchema) && !noResponseFormat.has(req.baseUrl);
  const user =
    images.length === 0
      ? req.user
      : [
          { type: 'text', text: req.user },
          ...images.map((url) => ({ type: 'image_url', image_url: { url } })),
        ];
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
          { role: 'user', content: user },
        ],
        temperature: req.temperature,
        max_tokens: req.maxTokens,
        ...(withFormat && {
          response_format: {
            type: 'json_schema',
            json_schema: { name: 'risk_assessment', strict: true, schema: req.responseSchema },
          },
        }),
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
    const text = (await res.text().catch(() => '')).slice(0, 500);
    if (images.length > 0 && res.status !== 429 && IMAGE_REFUSAL.test(text)) {
      throw new LlmError(
        `The model does not accept images: ${text || `HTTP ${res.status}`}`,
        false,
        true,
      );
    }
    if (withFormat && res.status >= 400 && res.status < 500 && FORMAT_REFUSAL.test(text)) {
      noResponseFormat.add(req.baseUrl);
      return chatCompletion(req);
    }
    const retryable = res.status >= 500 || res.status === 429;
    throw new LlmError(`The LLM answered HTTP ${res.status}${text ? `: ${text}` : ''}`, retryable);
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new LlmError('The LLM answered with a body that is not JSON', false);
  }
  const b = body as {
    choices?: { message?: { content?: unknown } }[];
    usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
  };
  const content = b.choices?.[0]?.message?.content;
  if (typeof content !== 'string')
    throw new LlmError('The LLM answer has no message content', false);
  const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    content,
    promptTokens: count(b.usage?.prompt_tokens),
    completionTokens: count(b.usage?.completion_tokens),
  };
}

/**
 * The models a server offers: OpenAI's `/v1/models` (llama.cpp, LM Studio, vLLM, Ollama),
 * else Ollama's own `/api/tags`.
 */
export async function listModels(
  baseUrl: string,
  apiKey: string | undefined,
  timeoutMs = 3000,
): Promise<{ models: string[]; source: string }> {
  const headers = apiKey ? { authorization: `Bearer ${apiKey}` } : undefined;
  const get = async (url: string) => {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new LlmError(`${url} answered HTTP ${res.status}`, false);
    }
    return (await res.json()) as Record<string, unknown>;
  };
  const errors: string[] = [];
  try {
    const body = await get(v1Url(baseUrl, '/models'));
    const data = Array.isArray(body.data) ? (body.data as { id?: unknown }[]) : [];
    return { models: data.map((m) => String(m.id)).filter(Boolean), source: '/v1/models' };
  } catch (err) {
    errors.push((err as Error).message);
  }
  try {
    const root = baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
    const body = await get(`${root}/api/tags`);
    const models = Array.isArray(body.models) ? (body.models as { name?: unknown }[]) : [];
    return { models: models.map((m) => String(m.name)).filter(Boolean), source: '/api/tags' };
  } catch (err) {
    errors.push((err as Error).message);
  }
  throw new LlmError(`No model list from ${baseUrl}: ${errors.join('; ')}`, true);
}
