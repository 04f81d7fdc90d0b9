import { CHANNEL_NAMES } from '../../src-shared/contract';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WebServer } from '../../src-main/web/server';
import { MAX_BODY_BYTES, startWebServer } from '../../src-main/web/server';
import { request } from '../helpers/http';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp, tempDir } from '../helpers/temp-app';

let t: TestApp;
let server: WebServer;
let rendererDir: string;

beforeEach(async () => {
  t = await startTestApp();
  rendererDir = tempDir('hsi-renderer-');
  fs.mkdirSync(path.join(rendererDir, 'assets'));
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>HSI</title>');
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  server = await startWebServer(t.app, { port: 0, token: 'test-token', rendererDir });
});
afterEach(async () => {
  await server.close();
  await t.close();
});

const rpc = (channel: string, body: unknown, headers: Record<string, string> = {}) =>
  request(`${server.url}/api/rpc/${channel}`, {
    method: 'POST',
    headers: { authorization: 'Bearer test-token', 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('HTTP transport', () => {
  it('answers a channel with 200 { ok, data }', async () => {
    const res = await rpc('cameras.create', { name: 'Front Door' });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, data: { id: 'front_door', name: 'Front Door' } });
    const list = await rpc('cameras.list', {});
    expect(list.json<{ data: unknown[] }>().data).toHaveLength(1);
  });

  it('401 without or with a wrong token', async () => {
    const none = await request(`${server.url}/api/rpc/cameras.list`, {
      method: 'POST',
      body: '{}',
    });
    expect(none.status).toBe(401);
    expect(none.json()).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const wrong = await rpc('cameras.list', {}, { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    const metrics = await request(`${server.url}/metrics`);
    expect(metrics.status).toBe(401);
  });

  it('400 invalid_input with zod issues, and for malformed JSON', async () => {
    const res = await rpc('zones.create', {
      cameraId: 'x',
      name: 'z',
      kind: 'line',
      points: [[0, 2]],
    });
    expect(res.status).toBe(400);
    const body = res.json<{ error: { code: string; issues: { path: unknown[] }[] } }>();
    expect(body.error.code).toBe('invalid_input');
    expect(body.error.issues.length).toBeGreaterThan(0);
    const malformed = await rpc('cameras.list', '{"name": ');
    expect(malformed.status).toBe(400);
    expect(malformed.json()).toMatchObject({ error: { code: 'invalid_input' } });
  });

  it('404 for unknown channels, debug channels while debug is off, and missing entities', async () => {
    expect((await rpc('cameras.fly', {})).json()).toMatchObject({
      error: { code: 'unknown_channel' },
    });
    expect((await rpc('cameras.fly', {})).status).toBe(404);
    const unknown = await rpc('debug.nothing', {});
    for (const channel of CHANNEL_NAMES.filter((c) => c.startsWith('debug.'))) {
      // Exactly what an unknown channel gets, but for the name.
      const debugOff = await rpc(channel, {});
      expect(debugOff.status, channel).toBe(unknown.status);
      expect(debugOff.json()).toEqual({
        ok: false,
        error: { code: 'unknown_channel', message: `Unknown channel: ${channel}` },
      });
    }
    const missing = await rpc('cameras.get', { id: 'ghost' });
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'not_found' } });
    await rpc('system.settings.update', { debug: true });
    expect((await rpc('debug.config', {})).status).toBe(200);
    expect((await rpc('debug.recordings.list', {})).status).toBe(200);
  });

  it('409 conflict and 413 too_large', async () => {
    await rpc('cameras.create', { name: 'Porch' });
    const dup = await rpc('cameras.create', { name: 'Porch' });
    expect(dup.status).toBe(409);
    expect(dup.json()).toMatchObject({ error: { code: 'conflict' } });
    const big = await rpc('cameras.create', { name: 'x'.repeat(MAX_BODY_BYTES + 10) });
    expect(big.status).toBe(413);
    expect(big.json()).toMatchObject({ error: { code: 'too_large' } });
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const res = await rpc('cameras.list', {}, { host: `evil.example:${server.port}` });
    expect(res.status).toBe(403);
    const page = await request(`${server.url}/`, { headers: { host: 'evil.example' } });
    expect(page.status).toBe(403);
    const ok = await rpc('cameras.list', {}, { host: `localhost:${server.port}` });
    expect(ok.status).toBe(200);
  });

  it('answers a malformed request line with 400 and keeps serving', async () => {
    // Raw, as a client that does not check what it sends would send it.
    const raw = (target: string, extra = '') =>
      new Promise<string>((resolve, reject) => {
        const { port } = new URL(server.url);
        const socket = net.connect(Number(port), '127.0.0.1', () => {
          socket.write(
            `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${extra}Connection: close\r\n\r\n`,
          );
        });
        let text = '';
        socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
    const unparsable = await raw('//[');
    expect(unparsable).toMatch(/^HTTP\/1.1 400/);
    expect(unparsable).toContain('"code":"invalid_input"');
    expect((await rpc('%zz', {})).json()).toMatchObject({ error: { code: 'invalid_input' } });
    const upgrade = await raw('//[', 'Upgrade: websocket\r\nConnection: Upgrade\r\n');
    expect(upgrade).toMatch(/^HTTP\/1.1 400/);
    expect((await rpc('cameras.list', {})).status).toBe(200);
  });

  it('serves /healthz without a token, /metrics with one', async () => {
    const health = await request(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' }); // the bundled detector model is ready
    await rpc('cameras.list', {});
    const metrics = await request(`${server.url}/metrics?token=test-token`);
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/hsi_rpc_calls_total\{channel="cameras.list",outcome="ok"\} 1/);
  });

  it('serves the renderer with a CSP, falls back to index.html, and refuses traversal', async () => {
    const index = await request(`${server.url}/`);
    expect(index.status).toBe(200);
    expect(index.text).toContain('<title>HSI</title>');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect((await request(`${server.url}/cameras`)).text).toContain('<title>HSI</title>');
    const asset = await request(`${server.url}/assets/app.js`);
    expect(asset.headers['content-type']).toContain('javascript');
    fs.writeFileSync(path.join(path.dirname(rendererDir), 'outside.txt'), 'secret');
    for (const p of ['/../outside.txt', '/%2e%2e/outside.txt', '/assets/..%2f..%2foutside.txt']) {
      const res = await request(`${server.url}${p}`);
      expect(res.text, p).not.toContain('secret');
    }
    expect((await request(`${server.url}/assets/missing.js`)).status).toBe(404);
  });

  it('pushes camera.status over the WebSocket to authorised clients only', async () => {
    const wsUrl = `${server.url.replace('http', 'ws')}/api/events?token=test-token`;
    const ws = new WebSocket(wsUrl);
    const messages: { type: string; data: unknown }[] = [];
    ws.on('message', (raw: Buffer) => messages.push(JSON.parse(raw.toString()) as never));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    expect(server.clientCount()).toBe(1);
    await rpc('cameras.create', { name: 'Side Gate' });
    await expect.poll(() => messages.map((m) => m.type)).toContain('camera.status');
    const status = messages.find((m) => m.type === 'camera.status');
    expect(status?.data).toMatchObject({ id: 'side_gate', status: 'unknown' });
    // The debug panel lists it: kind, origin, and the pushes it was sent.
    await rpc('system.settings.update', { debug: true });
    const listed = (await rpc('debug.connections', {})).json<{
      data: { kind: string; origin: string | null; sent: number }[];
    }>().data;
    expect(listed).toEqual([
      expect.objectContaining({ kind: 'websocket', origin: null, dropped: 0 }),
    ]);
    const pushed = messages.length - 1; // all but the hello
    expect(listed[0]!.sent).toBeGreaterThanOrEqual(pushed);
    ws.close();
    await expect
      .poll(async () => (await rpc('debug.connections', {})).json<{ data: unknown[] }>().data)
      .toEqual([]);

    const rejected = await new Promise<number>((resolve) => {
      const bad = new WebSocket(`${server.url.replace('http', 'ws')}/api/events?token=wrong`);
      bad.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      bad.on('error', () => undefined);
    });
    expect(rejected).toBe(401);
    const crossSite = await new Promise<number>((resolve) => {
      const bad = new WebSocket(wsUrl, { origin: 'http://evil.example' });
      bad.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      bad.on('error', () => undefined);
    });
    expect(crossSite).toBe(403);
  });
});
