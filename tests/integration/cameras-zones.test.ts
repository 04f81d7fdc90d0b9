import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PushMessage } from '../../src-shared/contract';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp, tempDir } from '../helpers/temp-app';

let t: TestApp;
let pushes: PushMessage[];
beforeEach(async () => {
  t = await startTestApp();
  pushes = [];
  t.app.push.subscribe((m) => pushes.push(m));
});
afterEach(() => t.close());

describe('cameras through the router', () => {
  it('creates a camera with a slug id and a watched default folder', async () => {
    const cam = await t.call('cameras.create', { name: 'Front Door' });
    expect(cam).toMatchObject({
      id: 'front_door',
      name: 'Front Door',
      enabled: true,
      status: 'unknown',
      lastSeenAt: null,
      folder: path.join(t.dataDir, 'ingest', 'front_door'),
    });
    expect(fs.statSync(cam.folder).isDirectory()).toBe(true);
    expect(await t.call('cameras.list', {})).toEqual([cam]);
    expect(await t.call('cameras.get', { id: 'front_door' })).toEqual(cam);
    expect(pushes).toContainEqual({ type: 'camera.status', data: cam });
  });

  it('uses a given absolute folder and rejects relative ones with a field issue', async () => {
    const folder = path.join(tempDir(), 'cams', 'garage');
    const cam = await t.call('cameras.create', { name: 'Garage', folder, enabled: false });
    expect(cam.folder).toBe(folder);
    expect(cam.enabled).toBe(false);
    const bad = await t.raw('cameras.create', { name: 'Shed', folder: 'relative/dir' });
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', issues: [{ path: ['folder'] }] },
    });
  });

  it('answers conflict for a duplicate name, id or folder', async () => {
    const first = await t.call('cameras.create', { name: 'Front Door' });
    expect(await t.raw('cameras.create', { name: 'front door' })).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
    expect(await t.raw('cameras.create', { name: 'Front-Door' })).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
    expect(await t.raw('cameras.create', { name: 'Other', folder: first.folder })).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringContaining('Front Door') },
    });
  });

  it('validates names', async () => {
    for (const name of ['', '   ', '!!!', 'x'.repeat(81)]) {
      const r = await t.raw('cameras.create', { name });
      expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    }
    expect(await t.call('cameras.list', {})).toEqual([]);
  });

  it('updates name, folder and enabled; the id stays', async () => {
    await t.call('cameras.create', { name: 'Porch' });
    const folder = path.join(tempDir(), 'porch2');
    const updated = await t.call('cameras.update', {
      id: 'porch',
      name: 'Porch East',
      folder,
      enabled: false,
    });
    expect(updated).toMatchObject({ id: 'porch', name: 'Porch East', folder, enabled: false });
    expect(updated.updatedAt >= updated.createdAt).toBe(true);
    expect(await t.raw('cameras.update', { id: 'missing', name: 'X' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('delete cascades to zones and reports counts; a second delete is not_found', async () => {
    await t.call('cameras.create', { name: 'Yard' });
    await t.call('zones.create', {
      cameraId: 'yard',
      name: 'Lawn',
      kind: 'polygon',
      points: [
        [0, 0],
        [1, 0],
        [1, 1],
      ],
    });
    const result = await t.call('cameras.delete', { id: 'yard' });
    expect(result).toEqual({ deleted: { events: 0, detections: 0, zones: 1 } });
    expect(await t.call('cameras.list', {})).toEqual([]);
    expect(await t.app.db.selectFrom('zones').selectAll().execute()).toEqual([]);
    expect(pushes).toContainEqual({ type: 'camera.deleted', data: { id: 'yard' } });
    expect(await t.raw('cameras.delete', { id: 'yard' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });
});

describe('zones through the router', () => {
  beforeEach(async () => {
    await t.call('cameras.create', { name: 'Drive' });
  });

  const square: [number, number][] = [
    [0.1, 0.1],
    [0.9, 0.1],
    [0.9, 0.9],
    [0.1, 0.9],
  ];

  it('creates, lists, updates and deletes zones', async () => {
    const zone = await t.call('zones.create', {
      cameraId: 'drive',
      name: 'Driveway',
      kind: 'polygon',
      points: square,
      riskWeight: 1.5,
    });
    expect(zone).toMatchObject({
      cameraId: 'drive',
      name: 'Driveway',
      kind: 'polygon',
      points: square,
      riskWeight: 1.5,
      color: '#3B82F6',
      enabled: true,
    });
    const line = await t.call('zones.create', {
      cameraId: 'drive',
      name: 'Gate line',
      kind: 'line',
      points: [
        [0, 0.5],
        [1, 0.5],
      ],
    });
    expect((await t.call('zones.list', { cameraId: 'drive' })).map((z) => z.id)).toEqual([
      zone.id,
      line.id,
    ]);
    const renamed = await t.call('zones.update', { id: zone.id, name: 'Drive', enabled: false });
    expect(renamed).toMatchObject({ name: 'Drive', enabled: false, points: square });
    expect(await t.call('zones.delete', { id: line.id })).toMatchObject({ id: line.id });
    expect(await t.call('zones.list', { cameraId: 'drive' })).toHaveLength(1);
  });

  it('validates points: 3+ for polygons, exactly 2 for lines, within 0..1', async () => {
    const cases: unknown[] = [
      {
        kind: 'polygon',
        points: [
          [0, 0],
          [1, 1],
        ],
      },
      {
        kind: 'line',
        points: [
          [0, 0],
          [1, 1],
          [0, 1],
        ],
      },
      {
        kind: 'polygon',
        points: [
          [0, 0],
          [1.2, 0],
          [1, 1],
        ],
      },
      {
        kind: 'polygon',
        points: [
          [0, 0],
          [-0.1, 0],
          [1, 1],
        ],
      },
      { kind: 'polygon', points: [[0, 0], [1], [1, 1]] },
      { kind: 'circle', points: square },
    ];
    for (const c of cases) {
      const r = await t.raw('zones.create', { cameraId: 'drive', name: 'z', ...(c as object) });
      expect(r, JSON.stringify(c)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    }
    expect(await t.call('zones.list', { cameraId: 'drive' })).toEqual([]);
  });

  it('checks the merged shape on update', async () => {
    const zone = await t.call('zones.create', {
      cameraId: 'drive',
      name: 'Area',
      kind: 'polygon',
      points: square,
    });
    const r = await t.raw('zones.update', { id: zone.id, kind: 'line' });
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', issues: [{ path: ['points'] }] },
    });
  });

  it('answers not_found for a missing camera or zone', async () => {
    expect(await t.raw('zones.list', { cameraId: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(
      await t.raw('zones.create', {
        cameraId: 'nope',
        name: 'z',
        kind: 'line',
        points: [
          [0, 0],
          [1, 1],
        ],
      }),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await t.raw('zones.delete', { id: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });
});

describe('settings through the router', () => {
  it('returns defaults, applies deep partials and persists them', async () => {
    const before = await t.call('system.settings.get', {});
    expect(before.batching.windowSeconds).toBe(90);
    const after = await t.call('system.settings.update', {
      batching: { windowSeconds: 0.2 },
      llm: { apiKey: 'sk-secret' },
    });
    expect(after.batching.windowSeconds).toBe(0.2);
    expect(after.batching.idleSeconds).toBe(30);
    expect(after.llm.apiKey).toBe('[REDACTED]');
    expect(t.app.settings.get().llm.apiKey).toBe('sk-secret');
    // Sending the redacted placeholder back keeps the stored secret.
    await t.call('system.settings.update', { llm: { apiKey: '[REDACTED]', model: 'qwen' } });
    expect(t.app.settings.get().llm).toMatchObject({ apiKey: 'sk-secret', model: 'qwen' });
    const dataDir = t.dataDir;
    await t.app.close();
    const { startTestApp: start } = await import('../helpers/temp-app');
    const again = await start({ dataDir });
    expect(again.app.settings.get().batching.windowSeconds).toBe(0.2);
    expect(again.app.settings.get().llm.apiKey).toBe('sk-secret');
    await again.close();
  });

  it('rejects invalid settings with issue paths and changes nothing', async () => {
    const r = await t.raw('system.settings.update', {
      detector: { confidence: 1.5 },
      ingest: { lowWater: 5000 },
    });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const cross = await t.raw('system.settings.update', { ingest: { lowWater: 5000 } });
    expect(cross).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', issues: [{ path: ['ingest', 'lowWater'] }] },
    });
    expect(t.app.settings.get().ingest.lowWater).toBe(500);
  });

  it('reports health and debug config with secrets redacted', async () => {
    await t.close();
    // No detector model anywhere (the bundled one hidden): the app runs, degraded, and says why.
    t = await startTestApp({ modelsDir: tempDir('hsi-no-models-') });
    const health = await t.call('system.health', {});
    expect(health).toMatchObject({ status: 'degraded', version: '0.1.0' });
    expect(health.services).toContainEqual({ name: 'database', status: 'running' });
    expect(health.services).toContainEqual({
      name: 'detector',
      status: 'degraded',
      detail: expect.stringContaining('No model file'),
    });
    await t.call('system.settings.update', {
      llm: { apiKey: 'sk-zzz', baseUrl: 'http://u:p@127.0.0.1:1234' },
    });
    expect(await t.raw('debug.config', {})).toMatchObject({ error: { code: 'unknown_channel' } });
    await t.call('system.settings.update', { debug: true });
    const cfg = await t.call('debug.config', {});
    const text = JSON.stringify(cfg);
    expect(text).not.toContain('sk-zzz');
    expect(text).not.toContain('u:p@');
    expect(text).toContain('[REDACTED]');
  });
});
