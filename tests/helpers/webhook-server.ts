import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface FakeWebhook {
  url: string;
  received: Received[];
  /** What to answer next (status, headers); defaults to 200. */
  script: { status: number; headers?: Record<string, string> }[];
  hang: boolean;
  close(): Promise<void>;
}

/** A real HTTP receiver on loopback that records webhook calls and answers as scripted. */
export async function startWebhookServer(): Promise<FakeWebhook> {
  const state: FakeWebhook = {
    url: '',
    received: [],
    script: [],
    hang: false,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (state.hang) return;
      const next = state.script.shift() ?? { status: 200 };
      res.writeHead(next.status, next.headers);
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return state;
}
