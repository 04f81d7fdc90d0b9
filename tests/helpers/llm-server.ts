import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type LlmMode = 'good' | 'garbage' | 'error500' | 'hang' | 'prose';

/** What one request looked like to the server. */
export interface LlmRequest {
  body: Record<string, unknown>;
  /** The user message's text (its text part when images came with it). */
  prompt: string;
  /** `image_url` data URLs sent with the user message. */
  images: string[];
  authorization: string | undefined;
}

/** A scripted reply: content to answer with, or an HTTP error, after a delay. */
export interface ScriptedReply {
  content?: string;
  status?: number;
  error?: string;
  delayMs?: number;
  usage?: { prompt_tokens: number; completion_tokens: number };
}

export interface FakeLlm {
  url: string;
  mode: LlmMode;
  /** Score the "good" modes answer with. */
  score: number;
  /** Fields laid over the default answer. */
  answer: Record<string, unknown>;
  requests: LlmRequest[];
  /** While set, answers wait for it (tests interleave other work with a slow model). */
  gate: Promise<void> | null;
  /** Answers per request (by prompt text, say); undefined falls back to `mode`. */
  script: ((req: LlmRequest) => ScriptedReply | undefined) | null;
  /** Refuse any request carrying images, as llama.cpp does without a vision projector. */
  rejectImages: boolean;
  /** Model names for `/v1/models`; with `ollamaOnly`, only `/api/tags` lists them. */
  models: string[];
  ollamaOnly: boolean;
  /** The Authorization header of each model-list request. */
  listings: (string | undefined)[];
  close(): Promise<void>;
}

/** The answer the structured schema asks for, every field within its limits. */
export function structuredAnswer(score: number, over: Record<string, unknown> = {}) {
  return {
    risk_score: score,
    risk_level: 'high',
    title: 'Person lingering at the front door',
    summary: 'A person is lingering at the front door',
    observations: ['one person', 'close to the door', 'stayed for a while'],
    reasoning: 'Someone stayed near the entry for a while at night. <script>alert(1)</script>',
    confidence: 0.8,
    other_concerns: [],
    ...over,
  };
}

/**
 * A real HTTP server on loopback speaking the OpenAI chat-completions API (and the model
 * listings of OpenAI and Ollama), able to answer well, answer garbage, fail with 500, hang,
 * refuse images, or follow a script per request.
 */
export async function startFakeLlm(mode: LlmMode = 'good'): Promise<FakeLlm> {
  const hanging = new Set<http.ServerResponse>();
  const state: FakeLlm = {
    url: '',
    mode,
    score: 77,
    answer: {},
    requests: [],
    gate: null,
    script: null,
    rejectImages: false,
    models: ['nemotron-mini', 'qwen2.5-vl'],
    ollamaOnly: false,
    listings: [],
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'GET') state.listings.push(req.headers.authorization);
      if (req.method === 'GET' && req.url === '/v1/models' && !state.ollamaOnly) {
        json(res, 200, {
          object: 'list',
          data: state.models.map((id) => ({ id, object: 'model' })),
        });
        return;
      }
      if (req.method === 'GET' && req.url === '/api/tags') {
        json(res, 200, { models: state.models.map((name) => ({ name })) });
        return;
      }
      if (req.url !== '/v1/chat/completions' || req.method !== 'POST') {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
      const messages = body.messages as { role: string; content: unknown }[];
      const user = messages.find((m) => m.role === 'user')?.content;
      const parts = Array.isArray(user)
        ? (user as { type: string; text?: string; image_url?: { url: string } }[])
        : [{ type: 'text', text: String(user) }];
      const request: LlmRequest = {
        body,
        prompt: parts.find((p) => p.type === 'text')?.text ?? '',
        authorization: req.headers.authorization,
        images: parts.flatMap((p) =>
          p.type === 'image_url' && p.image_url ? [p.image_url.url] : [],
        ),
      };
      state.requests.push(request);
      const reply = (content: string, usage?: ScriptedReply['usage']) =>
        json(res, 200, {
          id: 'x',
          object: 'chat.completion',
          choices: [{ index: 0, message: { role: 'assistant', content } }],
          ...(usage && { usage }),
        });
      if (state.rejectImages && request.images.length) {
        json(res, 500, {
          error: {
            code: 500,
            message:
              'image input is not supported - hint: if this is unexpected, you may need to provide the mmproj',
          },
        });
        return;
      }
      const scripted = state.script?.(request);
      if (scripted) {
        setTimeout(() => {
          if (scripted.status) json(res, scripted.status, { error: scripted.error ?? 'scripted' });
          else reply(scripted.content ?? '', scripted.usage);
        }, scripted.delayMs ?? 0);
        return;
      }
      const answer = JSON.stringify(structuredAnswer(state.score, state.answer));
      switch (state.mode) {
        case 'good':
          void (state.gate ?? Promise.resolve()).then(() =>
            reply(`<think>Let me weigh the detections…</think>${answer}`, {
              prompt_tokens: 321,
              completion_tokens: 54,
            }),
          );
          break;
        case 'prose':
          reply(`Here is my assessment:\n\`\`\`json\n${answer}\n\`\`\`\nStay safe.`);
          break;
        case 'garbage':
          reply('I cannot help with that {not json');
          break;
        case 'error500':
          json(res, 500, { error: 'model crashed' });
          break;
        case 'hang':
          hanging.add(res);
          break;
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
