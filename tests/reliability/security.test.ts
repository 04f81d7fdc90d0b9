/**
 * Security checks of the edges that are not covered elsewhere (http-transport, ftp-server,
 * log-secrets and remote-detection tests cover the basics: a wrong token on one channel, a
 * foreign Host, one foreign Origin, `../..` on FTP, refused FTP commands, passwords in logs):
 * - no token → 401 on every route of the web server (every channel, the WebSocket, media,
 *   uploads, export downloads, /metrics);
 * - Host and Origin on the WebSocket and the non-RPC routes;
 * - path traversal, URL-encoded and double-encoded variants and symlink escapes on media,
 *   uploads, export downloads and FTP;
 * - the WebSocket client limit (503 past it, RPC still served);
 * - FTP brute force: per user and per address lockout, logged without the password.
 * The Electron window options are asserted by tests/unit/window-security.test.ts.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { Client, FTPError } from 'basic-ftp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CHANNEL_NAMES } from '../../src-shared/contract';
import type { FtpAccount, FtpIngestServer } from '../../src-main/ingest/ftp-server';
import { LOCKED_OUT_MESSAGE, startFtpServer } from '../../src-main/ingest/ftp-server';
import type { LockoutOptions } from '../../src-main/ingest/ftp-lockout';
import type { WebServer } from '../../src-main/web/server';
import { MAX_WS_CLIENTS, startWebServer } from '../../src-main/web/server';
import { request } from '../helpers/http';
import type { HttpResponse } from '../helpers/http';
import { jpeg } from '../helpers/images';
import { capturingLogger } from '../helpers/logs';
import type { LogLine } from '../helpers/logs';
import type { ScenarioOutcome } from '../helpers/reliability-report';
import { recordScenario, report } from '../helpers/reliability-report';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp, tempDir } from '../helpers/temp-app';

const TOKEN = 'security-test-token';
const POLL = { timeout: 5000, interval: 10 };

const scenarios: ScenarioOutcome[] = [];

/** An `it` whose outcome (and a detail it reports) goes into the reliability summary. */
function scenario(name: string, fn: (note: (detail: string) => void) => Promise<void>): void {
  it(name, () =>
    recordScenario(
      scenarios,
      name,
      async () => {
        let detail: string | undefined;
        await fn((d) => (detail = d));
        return detail;
      },
      300,
    ),
  );
}

afterAll(() => {
  report('security', {
    scenarios,
    notes: {
      coveredElsewhere: {
        'Electron webPreferences (contextIsolation, sandbox, no Node)':
          'tests/unit/window-security.test.ts',
        'foreign Host on RPC and the page; one foreign Origin on the WebSocket':
          'tests/integration/http-transport.test.ts',
        'FTP ../.., absolute paths, refused commands, passwords never logged':
          'tests/integration/ftp-server.test.ts',
      },
      publicByDesign: ['/healthz (status only)', 'the renderer bundle'],
    },
  });
});

const outsideDirs: string[] = [];
afterAll(() => {
  for (const dir of outsideDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A folder outside everything the app may read, with a secret in it. */
function outsideFolder(): { dir: string; secret: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsi-outside-'));
  outsideDirs.push(dir);
  const secret = path.join(dir, 'secret.txt');
  fs.writeFileSync(secret, 'TOP-SECRET-CONTENTS');
  return { dir, secret };
}

/** The status a WebSocket handshake ends with (101 when it opens). */
function wsStatus(
  url: string,
  options: WebSocket.ClientOptions = {},
): Promise<{ status: number; ws?: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, options);
    ws.once('open', () => resolve({ status: 101, ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('error', () => resolve({ status: 0 }));
  });
}

describe('web server', () => {
  let t: TestApp;
  let server: WebServer;
  let raw: Database.Database;
  let folder: string;
  let ingestRoot: string;
  let image: Buffer;
  let exportId: string;

  const url = (p: string) => `${server.url}${p}`;
  const auth = { authorization: `Bearer ${TOKEN}` };
  const rpc = (channel: string, body: unknown = {}) =>
    request(url(`/api/rpc/${channel}`), {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  /** Adds a processed image at `file` (as the pipeline would list it); returns its id. */
  const listImage = (file: string): number =>
    Number(
      raw
        .prepare(
          `INSERT INTO ingest_queue (camera_id, path, size, source, status, enqueued_at,
            finished_at) VALUES ('yard', ?, 1000, 'import', 'done', ?, ?)`,
        )
        .run(file, new Date().toISOString(), new Date().toISOString()).lastInsertRowid,
    );

  beforeAll(async () => {
    t = await startTestApp();
    server = await startWebServer(t.app, { port: 0, token: TOKEN });
    const camera = await t.call('cameras.create', { name: 'Yard' });
    folder = camera.folder;
    ingestRoot = path.dirname(folder);
    raw = new Database(path.join(t.dataDir, 'hsi.sqlite'));
    raw.pragma('busy_timeout = 5000');
    // Above the intake's 10 KiB minimum (smaller files are quarantined as partial uploads).
    image = await jpeg(320, 240);
    const job = await t.call('exports.create', { format: 'csv', filters: {} });
    exportId = job.id;
    for (let i = 0; ; i += 1) {
      if ((await t.call('exports.get', { id: job.id })).status === 'completed') break;
      if (i > 500) throw new Error('the export did not complete');
      await new Promise((r) => setTimeout(r, 10));
    }
  });

  afterAll(async () => {
    raw?.close();
    await server?.close();
    await t?.close();
  });

  scenario(
    'every RPC channel: 401 without a token, with a wrong one, or in the query string',
    async (note) => {
      const cameras = (await rpc('cameras.list')).json<{ data: unknown[] }>().data.length;
      const statuses = new Map<string, number[]>();
      for (const channel of CHANNEL_NAMES) {
        const body = JSON.stringify({});
        const attempts = await Promise.all([
          request(url(`/api/rpc/${channel}`), { method: 'POST', body }),
          request(url(`/api/rpc/${channel}`), {
            method: 'POST',
            headers: { authorization: 'Bearer wrong-token' },
            body,
          }),
          request(url(`/api/rpc/${channel}`), {
            method: 'POST',
            headers: { authorization: `Bearer ${TOKEN}x` },
            body,
          }),
          request(url(`/api/rpc/${channel}?token=${TOKEN}`), { method: 'POST', body }),
        ]);
        statuses.set(
          channel,
          attempts.map((r) => r.status),
        );
        for (const r of attempts) {
          expect(r.json(), channel).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
        }
      }
      const notRefused = [...statuses].filter(([, s]) => s.some((x) => x !== 401));
      expect(notRefused).toEqual([]);
      // With real inputs too: nothing runs (no camera created, no setting changed).
      for (const [channel, input] of [
        ['cameras.create', { name: 'Intruder' }],
        ['system.settings.update', { debug: true }],
        ['ingest.pause', {}],
      ] as const) {
        const res = await request(url(`/api/rpc/${channel}`), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(input),
        });
        expect(res.status, channel).toBe(401);
      }
      expect((await rpc('cameras.list')).json<{ data: unknown[] }>().data.length).toBe(cameras);
      expect(t.app.settings.get().debug).toBe(false);
      expect((await t.call('ingest.status', {})).pausedByUser).toBe(false);
      // Another method on the RPC route is answered 405 before the token is looked at: no data.
      const get = await request(url('/api/rpc/cameras.list'));
      expect(get.status).toBe(405);
      expect(get.json()).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      note(`${CHANNEL_NAMES.length} channels × 4 unauthorised calls, all 401`);
    },
  );

  scenario(
    'every other route: 401 without a token (WebSocket, media, upload, download, metrics)',
    async (note) => {
      const routes: { route: string; method: string; body?: Buffer }[] = [
        { route: '/metrics', method: 'GET' },
        { route: '/api/media/images/1', method: 'GET' },
        { route: '/api/media/images/1?boxes=1', method: 'GET' },
        { route: '/api/media/detections/some-detection', method: 'GET' },
        { route: '/api/ingest/upload/yard', method: 'POST', body: image },
        { route: `/api/exports/${exportId}/download`, method: 'GET' },
        { route: `/api/exports/${exportId}/download`, method: 'HEAD' },
        { route: '/api/events', method: 'GET' },
        { route: '/api/no-such-route', method: 'GET' },
      ];
      const seen: string[] = [];
      for (const { route, method, body } of routes) {
        const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }];
        for (const headers of attempts) {
          const res = await request(url(route), { method, headers, body });
          expect(res.status, `${method} ${route}`).toBe(401);
          if (method !== 'HEAD') expect(res.text).not.toContain('TOP-SECRET');
        }
        const wrongQuery = await request(url(`${route}${route.includes('?') ? '&' : '?'}token=x`), {
          method,
          body,
        });
        expect(wrongQuery.status, `${method} ${route}?token=x`).toBe(401);
        seen.push(`${method} ${route}`);
      }
      // Nothing was uploaded.
      expect(fs.existsSync(path.join(folder, 'imported'))).toBe(false);
      // The WebSocket: no token, a wrong one (query and header).
      const ws = `${server.url.replace('http', 'ws')}/api/events`;
      expect((await wsStatus(ws)).status).toBe(401);
      expect((await wsStatus(`${ws}?token=wrong`)).status).toBe(401);
      expect((await wsStatus(ws, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      // With the token each works (so the 401s above are about the token, not the route).
      expect((await request(url('/metrics'), { headers: auth })).status).toBe(200);
      expect(
        (await request(url(`/api/exports/${exportId}/download`), { headers: auth })).status,
      ).toBe(200);
      const open = await wsStatus(`${ws}?token=${TOKEN}`);
      expect(open.status).toBe(101);
      open.ws?.close();
      // Public on purpose: the health probe (status only) and the renderer bundle.
      const health = await request(url('/healthz'));
      expect(health.status).toBe(200);
      expect(Object.keys(health.json<Record<string, unknown>>())).toEqual(['status']);
      note(`${seen.length} routes (and the WebSocket) refused without a valid token`);
    },
  );

  scenario('Host and Origin: a WebSocket from a foreign page or name is refused', async (note) => {
    const ws = `${server.url.replace('http', 'ws')}/api/events?token=${TOKEN}`;
    const foreignOrigins = [
      'null',
      'http://evil.example',
      `http://127.0.0.1.evil.example:${server.port}`,
      `http://localhost:${server.port + 1}`,
      `ftp://127.0.0.1:${server.port}`,
      'file://',
      'chrome-extension://abcdef',
    ];
    for (const origin of foreignOrigins) {
      expect((await wsStatus(ws, { origin })).status, origin).toBe(403);
    }
    // DNS rebinding against the WebSocket: the token is right, the name is not ours.
    expect((await wsStatus(ws, { headers: { host: `evil.example:${server.port}` } })).status).toBe(
      403,
    );
    // The app's own page is let in.
    const own = await wsStatus(ws, { origin: `http://127.0.0.1:${server.port}` });
    expect(own.status).toBe(101);
    own.ws?.close();
    // The other token routes check the Host too (the RPC route and the page are covered elsewhere).
    for (const route of ['/metrics', '/api/media/images/1', `/api/exports/${exportId}/download`]) {
      const res = await request(url(route), {
        headers: { ...auth, host: `evil.example:${server.port}` },
      });
      expect(res.status, route).toBe(403);
    }
    note(`${foreignOrigins.length} foreign origins and a foreign Host refused (403)`);
  });

  /**
   * Refused: 404 (or 400), nothing of the secret, no image or file sent. A URL whose encoded
   * dot segments fold out of /api (URL parsing does that before routing) reaches the renderer
   * shell instead, which is no file of anyone's either.
   */
  const refused = (res: HttpResponse, what: string) => {
    const shown = `${what}: ${res.status} ${res.text.slice(0, 200)}`;
    expect(res.text, what).not.toContain('TOP-SECRET');
    expect(res.headers['content-disposition'], shown).toBeUndefined();
    expect(res.headers['content-type'] ?? '', shown).not.toMatch(/^image\//);
    if (res.status === 200) {
      expect(res.headers['content-security-policy'], shown).toBeDefined();
      expect(res.text, shown).toContain('renderer');
    } else {
      expect([400, 404], shown).toContain(res.status);
    }
  };

  const ENCODED = [
    '..%2f..%2f..%2fetc%2fpasswd',
    '..%2F..%2Fsecret.txt',
    '%2e%2e%2f%2e%2e%2fsecret.txt',
    '%2e%2e/%2e%2e/secret.txt',
    '%252e%252e%252fsecret.txt',
    '..%252f..%252fsecret.txt',
    '..%5c..%5csecret.txt',
    '%c0%ae%c0%ae%2fsecret.txt',
    '....%2f%2f....%2f%2fsecret.txt',
  ];

  scenario(
    'media: traversal in the URL, and stored paths or links that lead out, are refused',
    async (note) => {
      const { dir, secret } = outsideFolder();
      const outsideJpeg = path.join(dir, 'private.jpg');
      fs.writeFileSync(outsideJpeg, image);
      // A real image inside the camera folder is served (the route works).
      const inside = path.join(folder, 'inside.jpg');
      fs.writeFileSync(inside, image);
      const ok = await request(url(`/api/media/images/${listImage(inside)}`), { headers: auth });
      expect(ok.status).toBe(200);
      expect(ok.headers['content-type']).toMatch(/^image\//);

      for (const kind of ['images', 'detections']) {
        for (const p of ENCODED) {
          refused(await request(url(`/api/media/${kind}/${p}`), { headers: auth }), `${kind}/${p}`);
        }
      }
      // Stored paths (a database written by an older version, a moved folder) that lead out.
      const linkToFile = path.join(folder, 'link.jpg');
      fs.symlinkSync(outsideJpeg, linkToFile);
      const linkedDir = path.join(folder, 'linked');
      fs.symlinkSync(dir, linkedDir);
      const rootLink = path.join(ingestRoot, 'escape.jpg');
      fs.symlinkSync(outsideJpeg, rootLink);
      const stored = {
        'a link to a file outside': linkToFile,
        'a linked folder outside': path.join(linkedDir, 'private.jpg'),
        'a link in the ingest root': rootLink,
        'dot-dot out of the folder': path.join(
          folder,
          '..',
          '..',
          '..',
          path.relative('/', outsideJpeg),
        ),
        'an absolute path outside': outsideJpeg,
        'a text file outside': secret,
      };
      for (const [what, file] of Object.entries(stored)) {
        const id = listImage(file);
        refused(await request(url(`/api/media/images/${id}`), { headers: auth }), what);
        refused(await request(url(`/api/media/images/${id}?boxes=1`), { headers: auth }), what);
      }
      // A detection whose image leads out.
      raw
        .prepare(
          `INSERT INTO detections (id, camera_id, image_path, detected_at, object_class, confidence,
          x1, y1, x2, y2, created_at) VALUES ('det-out', 'yard', ?, ?, 'person', 0.9, 0, 0, 1, 1, ?)`,
        )
        .run(linkToFile, new Date().toISOString(), new Date().toISOString());
      refused(await request(url('/api/media/detections/det-out'), { headers: auth }), 'detection');
      note(
        `${ENCODED.length * 2} encoded URL variants and ${Object.keys(stored).length + 1} stored paths refused`,
      );
    },
  );

  scenario(
    'upload: names with traversal (plain, encoded, double-encoded) stay in the camera folder',
    async (note) => {
      const { dir } = outsideFolder();
      const names = [
        '../../../escape-1.jpg',
        '..%2f..%2f..%2fescape-2.jpg',
        '%252e%252e%252fescape-3.jpg',
        '..\\..\\..\\escape-4.jpg',
        `${dir}/escape-5.jpg`,
        '....//....//escape-6.jpg',
        '%2e%2e%2f%2e%2e%2fescape-7.jpg',
      ];
      let queued = 0;
      for (const name of names) {
        const res = await request(url('/api/ingest/upload/yard'), {
          method: 'POST',
          headers: { ...auth, 'x-file-name': encodeURIComponent(name) },
          body: image,
        });
        expect(res.status, name).toBe(200);
        // Queued under its base name, or refused as a hidden file (a name left starting with a dot).
        const { data } = res.json<{
          data: { queued: number; rejected: { reason: string }[] };
        }>();
        if (data.queued === 1) queued += 1;
        else
          expect(data.rejected, name).toEqual([
            expect.objectContaining({ reason: expect.any(String) }),
          ]);
      }
      const imported = fs.readdirSync(path.join(folder, 'imported'));
      expect(imported.filter((f) => f.endsWith('.jpg'))).toHaveLength(queued);
      expect(queued).toBeGreaterThanOrEqual(names.length - 2);
      for (const f of imported) expect(f).not.toMatch(/\.\.[/\\]|[/\\]/);
      // Nothing anywhere above the camera folder or in the outside folder.
      const escaped = (root: string) =>
        fs.readdirSync(root, { recursive: true }).filter((f) => /escape-\d/.test(String(f)));
      expect(escaped(dir)).toEqual([]);
      expect(escaped(t.dataDir).every((f) => String(f).includes(`yard${path.sep}imported`))).toBe(
        true,
      );
      // A camera id with traversal names no camera.
      for (const id of ['..%2f..%2fyard', '%2e%2e', '..%252fyard', 'yard%2f..%2f..']) {
        const res = await request(url(`/api/ingest/upload/${id}`), {
          method: 'POST',
          headers: auth,
          body: image,
        });
        expect(res.status, id).toBe(404);
      }
      note(`${names.length} hostile file names written as plain names in <camera>/imported`);
    },
  );

  scenario(
    "upload: a camera's imported folder replaced by a link out is not written through",
    async (note) => {
      const porch = await t.call('cameras.create', { name: 'Porch' });
      const { dir } = outsideFolder();
      fs.symlinkSync(dir, path.join(porch.folder, 'imported'));
      const res = await request(url('/api/ingest/upload/porch'), {
        method: 'POST',
        headers: { ...auth, 'x-file-name': 'through-link.jpg' },
        body: image,
      });
      expect(fs.readdirSync(dir).filter((f) => f.endsWith('.jpg'))).toEqual([]);
      expect(res.status).toBe(409);
      expect(res.json()).toMatchObject({
        ok: false,
        error: { code: 'conflict', message: expect.stringMatching(/leads outside its folder/) },
      });
      note('refused with 409: the imported folder leads outside the camera folder');
    },
  );

  scenario(
    'export download: ids with traversal, and an export file swapped for a link, are refused',
    async (note) => {
      const { secret } = outsideFolder();
      for (const id of ENCODED) {
        refused(await request(url(`/api/exports/${id}/download`), { headers: auth }), id);
      }
      const info = await t.call('exports.downloadInfo', { id: exportId });
      const before = await request(url(`/api/exports/${exportId}/download`), { headers: auth });
      expect(before.status).toBe(200);
      const file = path.join(t.app.exports.directory(), info.fileName);
      expect(fs.existsSync(file)).toBe(true);
      // Someone with write access to the exports folder replaces the file with a link.
      fs.rmSync(file);
      fs.symlinkSync(secret, file);
      const swapped = await request(url(`/api/exports/${exportId}/download`), { headers: auth });
      expect(swapped.text).not.toContain('TOP-SECRET');
      expect(swapped.status).toBe(404);
      note(`${ENCODED.length} encoded ids refused; a symlinked export file is not followed`);
    },
  );

  scenario(
    `WebSocket clients past ${MAX_WS_CLIENTS} get 503 while RPC keeps answering`,
    async (note) => {
      expect(MAX_WS_CLIENTS).toBe(64);
      const ws = `${server.url.replace('http', 'ws')}/api/events?token=${TOKEN}`;
      const open: WebSocket[] = [];
      try {
        const results = await Promise.all(
          Array.from({ length: MAX_WS_CLIENTS }, () => wsStatus(ws)),
        );
        for (const r of results) if (r.ws) open.push(r.ws);
        expect(results.every((r) => r.status === 101)).toBe(true);
        expect(server.clientCount()).toBe(MAX_WS_CLIENTS);
        // Past the limit: refused, a burst of them too, and the count stays.
        const over = await Promise.all(Array.from({ length: 5 }, () => wsStatus(ws)));
        expect(over.map((r) => r.status)).toEqual([503, 503, 503, 503, 503]);
        expect(server.clientCount()).toBe(MAX_WS_CLIENTS);
        // The server keeps serving RPC meanwhile.
        const res = await rpc('cameras.list');
        expect(res.status).toBe(200);
        // A client that leaves frees its place.
        const leaving = open.pop()!;
        leaving.close();
        await expect.poll(() => server.clientCount(), POLL).toBe(MAX_WS_CLIENTS - 1);
        const again = await wsStatus(ws);
        expect(again.status).toBe(101);
        open.push(again.ws!);
        expect((await wsStatus(ws)).status).toBe(503);
      } finally {
        for (const s of open) s.terminate();
      }
      await expect.poll(() => server.clientCount(), POLL).toBe(0);
      note(`${MAX_WS_CLIENTS} connected, 6 refused with 503, RPC answered 200 meanwhile`);
    },
  );
});

describe('FTP intake', () => {
  let servers: FtpIngestServer[] = [];
  let clients: Client[] = [];
  let sockets: net.Socket[] = [];
  let dirs: string[] = [];
  afterEach(async () => {
    for (const c of clients) c.close();
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((s) => s.close()));
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    servers = [];
    clients = [];
    sockets = [];
    dirs = [];
  });

  const PASSWORDS: Record<string, string> = { front: 'front-pass-1234', back: 'back-pass-5678' };

  async function harness(lockout?: Partial<LockoutOptions>) {
    const parent = tempDir('hsi-ftp-sec-');
    dirs.push(parent);
    const accounts: Record<string, FtpAccount> = {
      front: { cameraId: 'front', folder: path.join(parent, 'cams', 'front') },
      back: { cameraId: 'back', folder: path.join(parent, 'cams', 'back') },
    };
    const uploads: string[] = [];
    const { logger, lines } = capturingLogger();
    const server = await startFtpServer({
      host: '127.0.0.1',
      port: 0,
      authenticate: (user, password) =>
        Promise.resolve(PASSWORDS[user] === password ? (accounts[user] ?? null) : null),
      onUpload: (_account, file) => uploads.push(file),
      isPaused: () => false,
      logger,
      lockout,
    });
    servers.push(server);
    return { server, parent, accounts, uploads, lines };
  }

  async function login(server: FtpIngestServer, user: string, password: string): Promise<Client> {
    const client = new Client(5000);
    clients.push(client);
    await client.access({ host: server.host, port: server.port, user, password });
    return client;
  }

  /** The FTP reply code a promise fails with. */
  async function code(promise: Promise<unknown>): Promise<number> {
    const error = await promise.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(FTPError);
    return (error as FTPError).code;
  }

  /** USER/PASS over a raw control connection from a given loopback address; the reply line. */
  async function loginFrom(
    server: FtpIngestServer,
    localAddress: string,
    user: string,
    password: string,
  ): Promise<string> {
    const socket = net.connect({ port: server.port, host: '127.0.0.1', localAddress });
    sockets.push(socket);
    socket.setEncoding('utf8');
    let buffer = '';
    socket.on('data', (chunk: string) => (buffer += chunk));
    const reply = async (codes: RegExp): Promise<string> => {
      let line = '';
      await expect
        .poll(() => {
          line = /^\d{3} .*\r\n/m.exec(buffer)?.[0] ?? '';
          return codes.test(line);
        }, POLL)
        .toBe(true);
      buffer = buffer.slice(buffer.indexOf(line) + line.length);
      return line.trim();
    };
    await reply(/^220/);
    socket.write(`USER ${user}\r\n`);
    await reply(/^331/);
    socket.write(`PASS ${password}\r\n`);
    const answer = await reply(/^(230|530)/);
    socket.destroy();
    return answer;
  }

  const noPasswords = (lines: LogLine[]) =>
    lines.filter((l) => {
      const text = JSON.stringify(l);
      return Object.values(PASSWORDS).some((p) => text.includes(p)) || text.includes('guess-');
    });

  scenario(
    'FTP: encoded traversal names stay in the folder; CWD, MKD and RETR cannot leave it',
    async (note) => {
      const h = await harness();
      const client = await login(h.server, 'front', PASSWORDS.front!);
      const folder = h.accounts.front!.folder;
      // Names FTP does not decode: literal file names inside the folder, or a missing folder.
      await client.uploadFrom(Readable.from(Buffer.alloc(10)), '..%2f..%2fenc-1.jpg');
      expect(fs.existsSync(path.join(folder, '..%2f..%2fenc-1.jpg'))).toBe(true);
      expect(
        await code(client.uploadFrom(Readable.from(Buffer.alloc(10)), '%2e%2e/%2e%2e/enc-2.jpg')),
      ).toBe(550);
      await client.uploadFrom(Readable.from(Buffer.alloc(10)), '..\\..\\enc-3.jpg');
      expect(fs.existsSync(path.join(folder, 'enc-3.jpg'))).toBe(true);
      await client.send('MKD ../../made-outside');
      expect(fs.existsSync(path.join(folder, 'made-outside'))).toBe(true);
      await client.cd('..\\..\\..');
      expect(await client.pwd()).toBe('/');
      expect(await code(client.send('RETR ../../../../etc/passwd'))).toBe(502);
      expect(fs.readdirSync(h.parent)).toEqual(['cams']);
      expect(fs.readdirSync(path.join(h.parent, 'cams'))).toEqual(['front']);
      note('encoded names stored literally inside; MKD ../.. and CWD ..\\.. clamp at the folder');
    },
  );

  scenario(
    'FTP: links in the camera folder that lead out are refused for every command',
    async (note) => {
      const h = await harness();
      const { dir, secret } = outsideFolder();
      const folder = h.accounts.front!.folder;
      fs.mkdirSync(folder, { recursive: true });
      fs.symlinkSync(dir, path.join(folder, 'out'));
      fs.symlinkSync(secret, path.join(folder, 'secret.jpg'));
      fs.symlinkSync(path.join(dir, 'created-by-ftp.jpg'), path.join(folder, 'dangling.jpg'));
      fs.mkdirSync(path.join(folder, 'real'));
      fs.symlinkSync(path.join(folder, 'real'), path.join(folder, 'inner-link'));
      const client = await login(h.server, 'front', PASSWORDS.front!);
      const body = () => Readable.from(Buffer.from('OVERWRITTEN'));

      expect(await code(client.cd('out'))).toBe(550);
      // ftp-srv answers a failed listing with 451.
      expect(await code(client.list('out'))).toBe(451);
      expect(await code(client.send('MKD out/new-dir'))).toBe(550);
      expect(await code(client.size('out/secret.txt'))).toBe(550);
      expect(await code(client.uploadFrom(body(), 'out/x.jpg'))).toBe(550);
      expect(await code(client.uploadFrom(body(), 'secret.jpg'))).toBe(550);
      expect(await code(client.appendFrom(body(), 'secret.jpg'))).toBe(550);
      expect(await code(client.uploadFrom(body(), 'dangling.jpg'))).toBe(550);
      expect(fs.readFileSync(secret, 'utf8')).toBe('TOP-SECRET-CONTENTS');
      expect(fs.readdirSync(dir).sort()).toEqual(['secret.txt']);
      // A link that stays inside the folder still works.
      await client.uploadFrom(Readable.from(Buffer.alloc(10)), 'inner-link/ok.jpg');
      expect(fs.existsSync(path.join(folder, 'real', 'ok.jpg'))).toBe(true);
      expect(h.uploads).toEqual([path.join(folder, 'inner-link', 'ok.jpg')]);
      note('CWD, LIST, MKD, SIZE, STOR, APPE through outward links: 550; an inner link works');
    },
  );

  scenario(
    'FTP brute force: 5 failures from one address lock it out, logged without passwords',
    async (note) => {
      const h = await harness();
      for (let i = 0; i < 5; i += 1) {
        expect(await code(login(h.server, `nobody-${i}`, `guess-${i}`))).toBe(530);
      }
      // Locked: even the right password is refused, and not checked.
      const locked = await login(h.server, 'front', PASSWORDS.front!).then(
        () => undefined,
        (e: unknown) => e as FTPError,
      );
      expect(locked?.code).toBe(530);
      expect(locked?.message).toContain(LOCKED_OUT_MESSAGE);
      // Another address still gets in.
      expect(await loginFrom(h.server, '127.0.0.2', 'front', PASSWORDS.front!)).toMatch(/^230/);
      const lock = h.lines.filter((l) => l.msg.startsWith('FTP logins locked'));
      expect(lock).toEqual([
        expect.objectContaining({
          msg: 'FTP logins locked for this address after repeated failures',
          ip: '127.0.0.1',
          scope: 'address',
          failures: 5,
          level: 40,
        }),
      ]);
      expect(noPasswords(h.lines)).toEqual([]);
      note('6th login from the address refused (530, right password); the lock logged at warn');
    },
  );

  scenario(
    'FTP brute force: 5 failures for one user lock the user, not its camera’s own address',
    async (note) => {
      const h = await harness();
      // The camera logs in from its usual address.
      await login(h.server, 'front', PASSWORDS.front!);
      // Someone guesses its password from five other addresses (one try each).
      for (let i = 2; i <= 6; i += 1) {
        expect(await loginFrom(h.server, `127.0.0.${i}`, 'front', `guess-${i}`)).toMatch(/^530/);
      }
      // From a new address even the right password is refused; other users are not affected.
      const refusedLine = await loginFrom(h.server, '127.0.0.7', 'front', PASSWORDS.front!);
      expect(refusedLine).toMatch(/^530/);
      expect(refusedLine).toContain(LOCKED_OUT_MESSAGE);
      expect(await loginFrom(h.server, '127.0.0.7', 'back', PASSWORDS.back!)).toMatch(/^230/);
      // Upper case buys no extra guesses.
      expect(await loginFrom(h.server, '127.0.0.8', 'FRONT', 'guess-x')).toContain(
        LOCKED_OUT_MESSAGE,
      );
      // The camera itself keeps uploading.
      const camera = await login(h.server, 'front', PASSWORDS.front!);
      await camera.uploadFrom(Readable.from(Buffer.alloc(10)), 'still-works.jpg');
      expect(h.uploads).toEqual([path.join(h.accounts.front!.folder, 'still-works.jpg')]);
      expect(h.lines.filter((l) => l.msg.startsWith('FTP logins locked'))).toEqual([
        expect.objectContaining({
          msg: 'FTP logins locked for this user after repeated failures',
          user: 'front',
          scope: 'user',
        }),
      ]);
      expect(noPasswords(h.lines)).toEqual([]);
      note('user locked for new addresses; the camera’s own address and other users unaffected');
    },
  );

  scenario(
    'FTP brute force: the lock ends after its time, and only failures in the window count',
    async (note) => {
      // The default window and lock (15 minutes each), on a clock the test moves.
      let clock = Date.parse('2026-01-01T00:00:00Z');
      const minutes = (n: number) => (clock += n * 60_000);
      const h = await harness({ now: () => clock });
      // Four failures, then they age out of the window: no lock.
      for (let i = 0; i < 4; i += 1) await code(login(h.server, 'front', `guess-${i}`));
      minutes(16);
      for (let i = 0; i < 4; i += 1) await code(login(h.server, 'front', `guess-${i}`));
      await login(h.server, 'front', PASSWORDS.front!);
      // The fifth in the window locks (this address and this user).
      await code(login(h.server, 'front', 'guess-5'));
      expect(await code(login(h.server, 'back', PASSWORDS.back!))).toBe(530);
      minutes(14);
      expect(await code(login(h.server, 'back', PASSWORDS.back!))).toBe(530);
      // The lock ends on time.
      minutes(2);
      await login(h.server, 'back', PASSWORDS.back!);
      await login(h.server, 'front', PASSWORDS.front!);
      note('failures older than 15 minutes forgotten; the lock lifted after 15 minutes');
    },
  );
});
