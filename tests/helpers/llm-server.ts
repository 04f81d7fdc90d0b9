import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type LlmMode = 'good' | 'garbage' | 'error500' | 'hang' | 'prose';

export interface FakeLlm {
  url: string;
  mode: LlmMode;
  /** Score the "good" modes answer with. */
  score: number;
  requests: { body: Record<string, unknown> }[];
  /** While set, answers wait for it (tests interleave other work with a slow model). */
  gate: Promise<void> | null;
  close(): Promise<void>;
}

/**
 * A real HTTP server on loopback speaking the OpenAI chat-completions API, able to answer
 * well, answer garbage, fail with 500 or hang.
 */
export async function startFakeLlm(mode: LlmMode = 'good'): Promise<FakeLlm> {
  const hanging = new Set<http.ServerResponse>();
  const state: FakeLlm = {
    url: '',
    mode,
    score: 77,
    requests: [],
    gate: null,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url !== '/v1/chat/completions' || req.method !== 'POST') {
        res.writeHead(404).end();
        return;
      }
      state.requests.push({
        body: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>,
      });
      const reply = (content: string) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'x',
            object: 'chat.completion',
            choices: [{ index: 0, message: { role: 'assistant', content } }],
          }),
        );
      };
      const json = JSON.stringify({
        risk_score: state.score,
        risk_level: 'high',
        summary: 'A person is lingering at the front door',
        reasoning: 'Someone stayed near the entry for a while at night. <script>alert(1)</script>',
      });
      switch (state.mode) {
        case 'good':
          void (state.gate ?? Promise.resolve()).then(() =>
            reply(`<think>Let me weigh the detections…</think>${json}`),
          );
          break;
        case 'prose':
          reply(`Here is my assessment:\n\`\`\`json\n${json}\n\`\`\`\nStay safe.`);
          break;
        case 'garbage':
          reply('I cannot help with that {not json');
          break;
        case 'error500':
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end('{"error":"model crashed"}');
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
