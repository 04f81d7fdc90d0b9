import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebServer } from '../../src-main/web/server';
import { startWebServer } from '../../src-main/web/server';
import { request } from '../helpers/http';
import { jpeg } from '../helpers/images';
import { capturingLogger } from '../helpers/logs';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp, tempDir } from '../helpers/temp-app';

let t: TestApp | undefined;
let server: WebServer | undefined;
afterEach(async () => {
  await server?.close();
  await t?.close();
  server = undefined;
  t = undefined;
});

describe('one error responder', () => {
  it('an HTTP route that fails unexpectedly answers internal with a reference, logged once with its stack', async () => {
    const { logger, lines } = capturingLogger();
    t = await startTestApp({ logger });
    server = await startWebServer(t.app, { port: 0, token: 'tok' });
    const camera = await t.call('cameras.create', { name: 'Porch' });
    // The camera's folder turns into a file behind the app's back: writing into it fails.
    fs.rmSync(camera.folder, { recursive: true });
    fs.writeFileSync(camera.folder, 'not a folder');

    const res = await request(`${server.url}/api/ingest/upload/porch`, {
      method: 'POST',
      headers: { authorization: 'Bearer tok', 'x-file-name': 'snap.jpg' },
      body: await jpeg(64, 48),
    });
    expect(res.status).toBe(500);
    const error = res.json().error!;
    expect(error.code).toBe('internal');
    const reference = /^Internal error \(reference (.+)\)$/.exec(error.message)?.[1];
    expect(reference).toBeTruthy();
    expect(res.text).not.toMatch(/ENOTDIR|at .*\.ts/); // no stack, no internals

    const logged = lines.filter((l) => l.level >= 50);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      correlationId: reference,
      route: '/api/ingest/upload/porch',
    });
    expect(logged[0]!.err?.stack).toMatch(/ENOTDIR/);
  });

  it('expected failures of HTTP routes answer like RPC does, without an error log', async () => {
    const { logger, lines } = capturingLogger();
    t = await startTestApp({ logger });
    server = await startWebServer(t.app, { port: 0, token: 'tok' });
    const auth = { authorization: 'Bearer tok' };
    const missing = await request(`${server.url}/api/exports/nope/download`, { headers: auth });
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'No export with id "nope"' },
    });
    const media = await request(`${server.url}/api/media/images/12345`, { headers: auth });
    expect(media.status).toBe(404);
    expect(media.json()).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const upload = await request(`${server.url}/api/ingest/upload/nobody`, {
      method: 'POST',
      headers: auth,
      body: await jpeg(64, 48),
    });
    expect(upload.status).toBe(404);
    expect(upload.json()).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  });
});

describe('correlation over HTTP', () => {
  it("a channel call runs under the caller's x-correlation-id, and under a fresh one without it", async () => {
    const { logger, lines } = capturingLogger();
    t = await startTestApp({ logger });
    server = await startWebServer(t.app, { port: 0, token: 'tok' });
    const call = (headers: Record<string, string>) =>
      request(`${server!.url}/api/rpc/cameras.create`, {
        method: 'POST',
        headers: { authorization: 'Bearer tok', 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ name: `Cam ${Object.keys(headers).length}` }),
      });
    expect((await call({ 'x-correlation-id': 'trace-42' })).status).toBe(200);
    expect((await call({})).status).toBe(200);
    const calls = lines.filter((l) => l.msg === 'call' && l.channel === 'cameras.create');
    expect(calls).toHaveLength(2);
    expect(calls[0]!.correlationId).toBe('trace-42');
    expect(calls[1]!.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('stored settings that no longer validate', () => {
  it('keeps the valid parts, reports the invalid keys, and backs the old document up before saving over it', async () => {
    const dataDir = tempDir();
    t = await startTestApp({ dataDir });
    await t.call('system.settings.update', {
      batching: { windowSeconds: 45 },
      llm: { model: 'qwen2.5:3b' },
    });
    // Hand-edited (or written by a build with other rules): two bad values and an unknown key.
    const stored = JSON.parse(
      (await t.app.db.selectFrom('settings').select('value').executeTakeFirstOrThrow()).value,
    ) as Record<string, Record<string, unknown>>;
    stored.ingest!.highWater = -5;
    stored.exports!.concurrency = 'two';
    stored.bogus = { x: 1 };
    const text = JSON.stringify(stored);
    await t.app.db.updateTable('settings').set({ value: text }).where('key', '=', 'app').execute();
    await t.app.close();

    const { logger, lines } = capturingLogger();
    t = await startTestApp({ dataDir, logger });
    const settings = await t.call('system.settings.get', {});
    expect(settings.batching.windowSeconds).toBe(45);
    expect(settings.llm.model).toBe('qwen2.5:3b');
    expect(settings.ingest.highWater).toBe(1000);
    expect(settings.exports.concurrency).toBe(2);

    const health = await t.call('system.health', {});
    const entry = health.services.find((s) => s.name === 'settings');
    expect(entry?.status).toBe('degraded');
    for (const key of ['ingest.highWater', 'exports.concurrency', 'bogus']) {
      expect(entry?.detail).toContain(key);
    }
    // lowWater only failed a rule because of highWater: it is kept.
    expect(entry?.detail).not.toContain('lowWater');
    expect(
      lines.find((l) => l.msg.startsWith('stored settings have invalid values')),
    ).toMatchObject({
      invalid: expect.arrayContaining([expect.objectContaining({ key: 'bogus' })]),
    });
    // Nothing was written over at start.
    const row = () =>
      t!.app.db
        .selectFrom('settings')
        .selectAll()
        .where('key', '=', 'app')
        .executeTakeFirstOrThrow();
    expect((await row()).value).toBe(text);

    await t.call('system.settings.update', { retentionDays: 14 });
    const backups = await t.app.db
      .selectFrom('settings')
      .selectAll()
      .where('key', 'like', 'app.backup-%')
      .execute();
    expect(backups.map((b) => b.value)).toEqual([text]);
    expect(JSON.parse((await row()).value)).toMatchObject({
      retentionDays: 14,
      batching: { windowSeconds: 45 },
      ingest: { highWater: 1000 },
    });
    expect((await t.call('system.health', {})).services).toContainEqual({
      name: 'settings',
      status: 'running',
    });
  });
});
