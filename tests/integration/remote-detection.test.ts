import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { DetectResult } from '../../src-main/detect';
import type { SettingsPatch } from '../../src-shared/settings';
import { freePort } from '../helpers/http';
import { startServe } from '../helpers/serve-process';
import { COCO_139_JPG, DOG_JPG } from '../helpers/shared-assets';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp, tempDir } from '../helpers/temp-app';
import path from 'node:path';
import { nanodetModel } from '../fixtures/onnx-models';
import type { FixtureBox } from '../fixtures/onnx-models';
import { png } from '../helpers/images';
import type { V2Server } from '../helpers/v2-server';
import { startV2Server } from '../helpers/v2-server';

const apps: TestApp[] = [];
const v2servers: V2Server[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
  for (const v of v2servers.splice(0)) await v.close();
});

const TOKEN = 'node-token-6a1f';
const photos = [DOG_JPG, COCO_139_JPG].filter((f) => fs.existsSync(f));

async function app(settingsPatch: SettingsPatch): Promise<TestApp> {
  const t = await startTestApp({ settingsPatch });
  apps.push(t);
  return t;
}

/** A second app serving its local detector (the bundled YOLOX-Nano) on a free loopback port. */
async function detectionNode(extra: Record<string, unknown> = {}) {
  const port = await freePort();
  const node = await app({
    detector: { providers: ['cpu'] },
    detectionServer: { enabled: true, port, token: TOKEN, ...extra },
  });
  expect(await node.app.detector.ensureLoaded()).toBe(true);
  await expect.poll(() => node.app.supervisor.get('detection-server').status).toBe('running');
  return { node, url: `http://127.0.0.1:${port}` };
}

function expectSame(remote: DetectResult, local: DetectResult, tolerance: number) {
  expect([remote.width, remote.height]).toEqual([local.width, local.height]);
  expect(remote.detections.map((d) => d.objectClass)).toEqual(
    local.detections.map((d) => d.objectClass),
  );
  remote.detections.forEach((d, i) => {
    const l = local.detections[i]!;
    expect(Math.abs(d.confidence - l.confidence)).toBeLessThanOrEqual(1e-3);
    d.box.forEach((v, k) => expect(Math.abs(v - l.box[k]!)).toBeLessThanOrEqual(tolerance));
  });
}

const options = { confidence: 0.3, classes: [] };

describe.skipIf(photos.length === 0)('detection on another machine', () => {
  it('over V2 (binary, JSON and shared-memory tensors): the model learned from the server, the same detections as local', async () => {
    const { node, url } = await detectionNode();
    for (const [v2Binary, v2SharedMemory, transport] of [
      [true, false, 'binary'],
      [false, false, 'JSON'],
      [true, true, 'shared memory'],
    ] as const) {
      const client = await app({
        detector: {
          backend: 'v2',
          endpoints: [{ url, token: TOKEN }],
          v2Binary,
          v2SharedMemory,
          providers: ['cpu'],
        },
      } as SettingsPatch);
      expect(await client.app.detector.ensureLoaded()).toBe(true);
      expect(client.app.detector.status()).toMatchObject({
        status: 'ready',
        backend: 'v2',
        family: 'yolox',
        inputSize: [416, 416],
        endpoints: [{ url, state: 'closed' }],
      });
      for (const photo of photos) {
        const remote = await client.app.detector.detect(photo, options);
        const local = await node.app.detector.detect(photo, options);
        expect(local.detections.length).toBeGreaterThan(0);
        expectSame(remote, local, 1e-3);
      }
      const [endpoint] = client.app.detector.status().endpoints;
      expect(endpoint).toMatchObject({ requests: photos.length, errors: 0, transport });
      expect(endpoint!.latencyMs).toBeGreaterThan(0);
    }
  });

  it('one app on a second hsi serve process as its detection node (V2 and CodeProject.AI)', async () => {
    const port = await freePort();
    const dir = tempDir('hsi-node-');
    const settingsFile = path.join(dir, 'node.json');
    fs.writeFileSync(
      settingsFile,
      JSON.stringify({
        detector: { providers: ['cpu'] },
        detectionServer: { enabled: true, port },
      }),
    );
    const serve = await startServe(['--data-dir', dir, '--port', '0', '--settings', settingsFile]);
    try {
      const url = `http://127.0.0.1:${port}`;
      const local = await app({ detector: { providers: ['cpu'] } });
      expect(await local.app.detector.ensureLoaded()).toBe(true);
      for (const backend of ['v2', 'codeproject'] as const) {
        const client = await app({
          detector: { backend, endpoints: [{ url }], fallbackToLocal: false, providers: ['cpu'] },
        } as SettingsPatch);
        expect(await client.app.detector.ensureLoaded()).toBe(true);
        for (const photo of photos) {
          expectSame(
            await client.app.detector.detect(photo, options),
            await local.app.detector.detect(photo, options),
            backend === 'v2' ? 1e-3 : 0.5,
          );
        }
      }
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  });

  it('over the CodeProject.AI endpoint: predictions in image pixels', async () => {
    const { node, url } = await detectionNode();
    const form = new FormData();
    form.set('image', new Blob([fs.readFileSync(photos[0]!)]), 'snap.jpg');
    form.set('min_confidence', '0.3');
    const res = await fetch(`${url}/v1/vision/detection`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      success: boolean;
      predictions: { label: string; confidence: number; x_min: number; x_max: number }[];
    };
    const local = await node.app.detector.detect(photos[0]!, options);
    expect(body.success).toBe(true);
    expect(body.predictions.map((p) => p.label)).toEqual(
      local.detections.map((d) => d.objectClass),
    );
    body.predictions.forEach((p, i) => {
      const l = local.detections[i]!;
      expect(Math.abs(p.confidence - l.confidence)).toBeLessThanOrEqual(1e-3);
      expect(Math.abs(p.x_min - l.box[0])).toBeLessThanOrEqual(0.5);
      expect(Math.abs(p.x_max - l.box[2])).toBeLessThanOrEqual(0.5);
    });
  });

  it('on a CodeProject.AI-compatible server: the image sent as it is, the same detections in pixels', async () => {
    const { node, url } = await detectionNode();
    const client = await app({
      detector: { backend: 'codeproject', endpoints: [{ url, token: TOKEN }], providers: ['cpu'] },
    } as SettingsPatch);
    expect(await client.app.detector.ensureLoaded()).toBe(true);
    expect(client.app.detector.status()).toMatchObject({
      status: 'ready',
      backend: 'codeproject',
      endpoints: [{ url, state: 'closed' }],
    });
    for (const photo of photos) {
      const remote = await client.app.detector.detect(photo, options);
      const local = await node.app.detector.detect(photo, options);
      // The server rounds boxes to whole pixels.
      expectSame(remote, local, 0.5);
    }
    // A file that is not an image is refused here, before any request.
    await expect(
      client.app.detector.detect(Buffer.from('not a picture'), options),
    ).rejects.toMatchObject({
      name: 'ImageDecodeError',
    });
    expect(client.app.detector.status().endpoints[0]).toMatchObject({
      requests: photos.length,
      errors: 0,
    });
  });

  it('refuses requests beyond its rate (429), and counts them on /metrics', async () => {
    const { node, url } = await detectionNode({ maxPerSecond: 2 });
    const statuses = await Promise.all(
      Array.from({ length: 6 }, () =>
        fetch(`${url}/v2/models/yolox_nano/infer`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}` },
          body: '{}',
        }).then((r) => r.status),
      ),
    );
    // Two fit in the bucket (and are malformed: 400); the rest are refused.
    expect(statuses.filter((x) => x === 429).length).toBeGreaterThanOrEqual(3);
    expect(statuses.filter((x) => x === 400).length).toBeGreaterThanOrEqual(1);
    const metrics = await node.app.metrics.registry.metrics();
    expect(metrics).toMatch(/hsi_detection_server_refused [3-6]\b/);
    expect(metrics).toMatch(/hsi_detection_server_errors [1-3]\b/);
  });

  it('says where it listens, and why not when the port is taken', async () => {
    const { node } = await detectionNode();
    const port = node.app.settings.get().detectionServer.port;
    const service = async (t: TestApp) =>
      (await t.call('services.list', {})).find((x) => x.name === 'detection-server')!;
    await node.app.supervisor.checkAll();
    expect((await service(node)).detail).toBe(`listening on 127.0.0.1:${port}`);
    const other = await app({ detectionServer: { enabled: false, port } });
    await other.call('system.settings.update', { detectionServer: { enabled: true } });
    await expect
      .poll(async () => {
        await other.app.supervisor.checkAll();
        return service(other);
      })
      .toMatchObject({
        status: 'degraded',
        detail: expect.stringMatching(/not listening: .*EADDRINUSE/),
      });
  });

  it('refuses what it should: no token, another model, an oversized or malformed request, a wrong shape', async () => {
    const { url } = await detectionNode({ maxBodyMegabytes: 1 });
    const auth = { authorization: `Bearer ${TOKEN}` };
    const get = (path: string, headers: Record<string, string> = auth) =>
      fetch(`${url}${path}`, { headers });
    expect((await get('/v2/health/ready', {})).status).toBe(401);
    expect((await get('/v2/health/ready', { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await get('/v2/health/ready')).status).toBe(200);
    expect(await (await get('/v2')).json()).toMatchObject({
      extensions: ['binary_tensor_data', 'system_shared_memory'],
    });
    const missing = await get('/v2/models/resnet50');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: expect.stringContaining('resnet50') });
    const meta = (await (await get('/v2/models/yolox_nano')).json()) as {
      inputs: { name: string; shape: number[] }[];
      outputs: { name: string }[];
    };
    expect(meta.inputs[0]).toMatchObject({ datatype: 'FP32', shape: [1, 3, 416, 416] });

    const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
      fetch(`${url}/v2/models/yolox_nano/infer`, {
        method: 'POST',
        headers: { ...auth, ...headers },
        body: typeof body === 'string' ? body : new Uint8Array(body),
      });
    const big = await post(Buffer.alloc(2 * 1024 * 1024));
    expect(big.status).toBe(413);
    const malformed = await post('{"inputs": [');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ error: expect.stringMatching(/JSON/) });
    const shape = await post(
      JSON.stringify({
        inputs: [
          {
            name: meta.inputs[0]!.name,
            shape: [1, 3, 2, 2],
            datatype: 'FP32',
            data: Array(12).fill(0),
          },
        ],
      }),
    );
    expect(shape.status).toBe(400);
    expect(await shape.json()).toEqual({ error: expect.stringContaining('does not fit') });
    const dtype = await post(
      JSON.stringify({
        inputs: [{ name: meta.inputs[0]!.name, shape: [1], datatype: 'INT64', data: [1] }],
      }),
    );
    expect(dtype.status).toBe(400);
    // A header length past the body.
    const framing = await post(Buffer.from('{}'), { 'inference-header-content-length': '99' });
    expect(framing.status).toBe(400);
  });

  it('shared memory: only regular files of its own user in /dev/shm, within their size, from this computer', async () => {
    const { url } = await detectionNode();
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const register = (name: string, body: unknown) =>
      fetch(`${url}/v2/systemsharedmemory/region/${name}/register`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify(body),
      });
    const name = `hsi-v2-test-${process.pid}`;
    // Another program's object of this user: never the server's to read or write.
    const foreign = `/dev/shm/other-app-${process.pid}`;
    fs.writeFileSync(foreign, Buffer.alloc(64));
    const file = `/dev/shm/${name}`;
    fs.writeFileSync(file, Buffer.alloc(64));
    const link = `/dev/shm/${name}-link`;
    fs.symlinkSync(file, link);
    try {
      for (const [body, message] of [
        [{ key: '../etc/passwd', byte_size: 8 }, /key must name/],
        [{ key: `/other-app-${process.pid}`, byte_size: 8 }, /this app made/],
        [{ key: '/%2e%2e%2fetc%2fpasswd', byte_size: 8 }, /key must name/],
        [{ key: `/${name}-link`, byte_size: 8 }, /cannot be opened/],
        [{ key: '/hsi-v2-no-such-object', byte_size: 8 }, /cannot be opened/],
        [{ key: `/${name}`, byte_size: 65 }, /smaller than offset \+ byte_size/],
        [{ key: `/${name}`, offset: -1, byte_size: 8 }, /offset/],
      ] as const) {
        const res = await register('r1', body);
        expect(res.status).toBe(400);
        expect(((await res.json()) as { error: string }).error).toMatch(message);
      }
      expect((await register('r1', { key: `/${name}`, byte_size: 64 })).status).toBe(200);
      expect((await register('r1', { key: `/${name}`, byte_size: 64 })).status).toBe(400);
      const status = await fetch(`${url}/v2/systemsharedmemory/status`, { headers: auth });
      expect(await status.json()).toEqual([
        { name: 'r1', key: `/${name}`, offset: 0, byte_size: 64 },
      ]);
      // A tensor past its region is refused, not read.
      const infer = await fetch(`${url}/v2/models/yolox_nano/infer`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({
          inputs: [
            {
              name: 'images',
              shape: [1, 3, 416, 416],
              datatype: 'FP32',
              parameters: { shared_memory_region: 'r1', shared_memory_byte_size: 2076672 },
            },
          ],
        }),
      });
      expect(infer.status).toBe(400);
      expect(((await infer.json()) as { error: string }).error).toMatch(/do not fit region r1/);
      const unregister = await fetch(`${url}/v2/systemsharedmemory/unregister`, {
        method: 'POST',
        headers: auth,
      });
      expect(unregister.status).toBe(200);
      expect(
        await (await fetch(`${url}/v2/systemsharedmemory/status`, { headers: auth })).json(),
      ).toEqual([]);
      // A region whose object was removed (its client crashed; the next swept it) is let go.
      const gone = `hsi-v2-gone-${process.pid}`;
      fs.writeFileSync(`/dev/shm/${gone}`, Buffer.alloc(64));
      expect((await register('r2', { key: `/${gone}`, byte_size: 64 })).status).toBe(200);
      fs.rmSync(`/dev/shm/${gone}`);
      expect((await register('r3', { key: `/${name}`, byte_size: 64 })).status).toBe(200);
      expect(
        (
          (await (
            await fetch(`${url}/v2/systemsharedmemory/status`, { headers: auth })
          ).json()) as {
            name: string;
          }[]
        ).map((r) => r.name),
      ).toEqual(['r3']);
      // Without the token: 401, as everywhere.
      expect((await fetch(`${url}/v2/systemsharedmemory/status`)).status).toBe(401);
    } finally {
      fs.rmSync(file, { force: true });
      fs.rmSync(link, { force: true });
      fs.rmSync(foreign, { force: true });
    }
  });

  it('a pool: a dead endpoint is skipped and taken out, and with every endpoint down the local model stands in', async () => {
    const { url } = await detectionNode();
    const dead = `http://127.0.0.1:${await freePort()}`;
    const client = await app({
      detector: {
        backend: 'v2',
        endpoints: [{ url: dead }, { url, token: TOKEN }],
        providers: ['cpu'],
      },
    } as SettingsPatch);
    expect(await client.app.detector.ensureLoaded()).toBe(true);
    for (let i = 0; i < 4; i += 1) {
      const r = await client.app.detector.detect(photos[0]!, options);
      expect(r.detections.length).toBeGreaterThan(0);
    }
    const [down, up] = client.app.detector.status().endpoints;
    expect(down).toMatchObject({
      url: dead,
      state: 'open',
      lastError: expect.stringMatching(/cannot connect/),
    });
    expect(up).toMatchObject({ url, state: 'closed', errors: 0 });
    // The same on /metrics.
    const metrics = await client.app.metrics.registry.metrics();
    expect(metrics).toContain('hsi_detector_backend{backend="v2"} 1');
    expect(metrics).toContain(`hsi_detector_endpoint_up{endpoint="${dead}"} 0`);
    expect(metrics).toContain(`hsi_detector_endpoint_up{endpoint="${url}"} 1`);
    expect(metrics).toMatch(
      new RegExp(`hsi_detector_endpoint_latency_seconds\\{endpoint="${url}"\\} 0\\.\\d+`),
    );

    // The token reads back redacted and, sent back so, stays as it was.
    const shown = await client.call('system.settings.get', {});
    expect(shown.detector.endpoints[1]!.token).toBe('[REDACTED]');
    await client.call('system.settings.update', {
      detector: { endpoints: shown.detector.endpoints },
    });
    expect(client.app.settings.get().detector.endpoints[1]!.token).toBe(TOKEN);

    // Everything down: the bundled model on this computer takes over.
    const alone = await app({
      detector: { backend: 'v2', endpoints: [{ url: dead }], providers: ['cpu'] },
    } as SettingsPatch);
    expect(await alone.app.detector.ensureLoaded()).toBe(true);
    expect(alone.app.detector.status()).toMatchObject({
      status: 'ready',
      backend: 'local (fallback)',
    });
    const r = await alone.app.detector.detect(photos[0]!, options);
    expect(r.detections.length).toBeGreaterThan(0);
    // A local model already loaded stands in the same way, and says so; back to local, it is local.
    const switching = await app({ detector: { providers: ['cpu'] } });
    expect(await switching.app.detector.ensureLoaded()).toBe(true);
    await switching.call('system.settings.update', {
      detector: { backend: 'v2', endpoints: [{ url: dead }] },
    });
    expect(await switching.app.detector.ensureLoaded()).toBe(true);
    expect(switching.app.detector.status()).toMatchObject({
      status: 'ready',
      backend: 'local (fallback)',
      endpoints: [{ url: dead, state: 'open', lastError: expect.stringMatching(/cannot connect/) }],
    });
    // Other servers are tried at once (not after the pause a failed try waits).
    await switching.call('system.settings.update', {
      detector: { endpoints: [{ url, token: TOKEN }] },
    });
    expect(await switching.app.detector.ensureLoaded()).toBe(true);
    expect(switching.app.detector.status()).toMatchObject({ backend: 'v2', endpoints: [{ url }] });
    await switching.call('system.settings.update', { detector: { backend: 'local' } });
    expect(await switching.app.detector.ensureLoaded()).toBe(true);
    expect(switching.app.detector.status()).toMatchObject({ status: 'ready', backend: 'local' });
    // Not allowed to: unavailable, with the reason.
    const strict = await app({
      detector: {
        backend: 'v2',
        endpoints: [{ url: dead }],
        fallbackToLocal: false,
        providers: ['cpu'],
      },
    } as SettingsPatch);
    expect(await strict.app.detector.ensureLoaded()).toBe(false);
    expect(strict.app.detector.status()).toMatchObject({
      status: 'unavailable',
      reason: expect.stringMatching(/No inference server is ready .*cannot connect/),
    });
  });
});

// Known boxes in 64×64 input pixels: a person and a car.
const BOXES: FixtureBox[] = [
  { classIndex: 0, score: 0.92, box: [10, 8, 30, 60] },
  { classIndex: 2, score: 0.75, box: [34, 40, 62, 60] },
];

/** An app whose manifest knows the fixture model's input size (for servers that say -1). */
async function clientOf(endpoints: { url: string; maxConcurrent?: number }[], extra = {}) {
  const modelsDir = tempDir('hsi-v2-models-');
  fs.writeFileSync(
    path.join(modelsDir, 'models.json'),
    JSON.stringify({
      models: [{ name: 'fixture', family: 'nanodet', file: 'fixture.onnx', inputSize: [64, 64] }],
    }),
  );
  const t = await startTestApp({
    modelsDir,
    settingsPatch: {
      detector: { model: 'fixture', backend: 'v2', endpoints, providers: ['cpu'], ...extra },
    } as SettingsPatch,
  });
  apps.push(t);
  return t;
}

describe('the V2 client against a server written from the protocol', () => {
  it('reads open (-1) shapes and six outputs, in binary and in JSON, and decodes the known boxes', async () => {
    for (const binary of [true, false]) {
      const server = await startV2Server({
        modelName: 'fixture',
        modelBytes: nanodetModel({ boxes: BOXES }),
        size: 64,
        dynamicShapes: true,
        binary,
      });
      v2servers.push(server);
      const client = await clientOf([{ url: server.url }]);
      expect(await client.app.detector.ensureLoaded()).toBe(true);
      expect(client.app.detector.status()).toMatchObject({
        backend: 'v2',
        family: 'nanodet',
        inputSize: [64, 64],
      });
      const found = await client.app.detector.detect(await png(64, 64), {
        confidence: 0.5,
        classes: [],
      });
      expect(found.detections.map((d) => [d.objectClass, Number(d.confidence.toFixed(3))])).toEqual(
        [
          ['person', 0.92],
          ['car', 0.75],
        ],
      );
      const person = found.detections[0]!.box;
      [10, 8, 30, 60].forEach((v, i) => expect(Math.abs(person[i]! - v)).toBeLessThanOrEqual(0.05));
      // Binary both ways when the server offers it, JSON otherwise; each request has an id.
      const last = server.infers.at(-1)!;
      expect([last.binaryIn, last.binaryOut]).toEqual([binary, binary]);
      expect(last.id).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
    }
  });

  it('passes tensors through shared memory with a server on this computer, and sends them in the body again when the server forgets its regions', async () => {
    const server = await startV2Server({
      modelName: 'fixture',
      modelBytes: nanodetModel({ boxes: BOXES }),
      size: 64,
      sharedMemory: true,
    });
    v2servers.push(server);
    // A region file a crashed process left behind (no such process) is removed.
    const stale = '/dev/shm/hsi-v2-99999999-dead-0';
    fs.writeFileSync(stale, '');
    const client = await clientOf([{ url: server.url, maxConcurrent: 2 }]);
    expect(await client.app.detector.ensureLoaded()).toBe(true);
    const image = await png(64, 64);
    const detect = () => client.app.detector.detect(image, { confidence: 0.5, classes: [] });
    expect((await detect()).detections.map((d) => d.objectClass)).toEqual(['person', 'car']);
    expect(server.infers.at(-1)).toMatchObject({
      sharedIn: true,
      sharedOut: true,
      binaryIn: false,
    });
    expect(fs.existsSync(stale)).toBe(false);
    // One region per request that may be in flight, each a file of this process.
    const keys = [...server.regions.values()].map((r) => r.key);
    expect(keys).toHaveLength(2);
    for (const key of keys) expect(fs.existsSync(`/dev/shm${key}`)).toBe(true);
    expect(client.app.detector.status().endpoints[0]).toMatchObject({ transport: 'shared memory' });
    // Two at once use both regions.
    const both = await Promise.all([detect(), detect()]);
    for (const r of both) expect(r.detections).toHaveLength(2);

    // The server restarted and forgot them: the request is sent again in the body, and said.
    server.regions.clear();
    expect((await detect()).detections).toHaveLength(2);
    expect(server.infers.at(-1)).toMatchObject({ sharedIn: false, binaryIn: true });
    expect(client.app.detector.status().endpoints[0]).toMatchObject({
      transport: 'binary',
      errors: 0,
      lastError: expect.stringMatching(/shared memory failed: .*region .* is not registered/),
    });
    // They are unregistered and removed in the background.
    await expect.poll(() => keys.filter((key) => fs.existsSync(`/dev/shm${key}`))).toEqual([]);

    // Closing the app unregisters its regions and removes their files.
    const again = await clientOf([{ url: server.url }]);
    expect(await again.app.detector.ensureLoaded()).toBe(true);
    await again.app.detector.detect(image, { confidence: 0.5, classes: [] });
    const live = [...server.regions.values()].map((r) => r.key);
    expect(live.length).toBeGreaterThan(0);
    await again.close();
    expect(server.regions.size).toBe(0);
    for (const key of live) expect(fs.existsSync(`/dev/shm${key}`)).toBe(false);
  });

  it('spreads requests over replicas by requests in flight, skips a failing one, and maps errors to clear states', async () => {
    const bytes = nanodetModel({ boxes: BOXES });
    const fast = await startV2Server({ modelName: 'fixture', modelBytes: bytes, size: 64 });
    const slow = await startV2Server({ modelName: 'fixture', modelBytes: bytes, size: 64 });
    const failing = await startV2Server({ modelName: 'fixture', modelBytes: bytes, size: 64 });
    v2servers.push(fast, slow, failing);
    const client = await clientOf([
      { url: failing.url, maxConcurrent: 2 },
      { url: slow.url, maxConcurrent: 2 },
      { url: fast.url, maxConcurrent: 2 },
    ]);
    expect(await client.app.detector.ensureLoaded()).toBe(true);
    failing.failWith = 500;
    slow.delayMs = 300;
    const image = await png(64, 64);
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        client.app.detector.detect(image, { confidence: 0.5, classes: [] }),
      ),
    );
    for (const r of results) expect(r.detections).toHaveLength(2);
    // The slow replica holds its requests longer: the fast one takes more of them.
    expect(fast.infers.length).toBeGreaterThan(slow.infers.length);
    expect(failing.infers).toHaveLength(0);
    const byUrl = Object.fromEntries(client.app.detector.status().endpoints.map((e) => [e.url, e]));
    expect(byUrl[failing.url]).toMatchObject({
      state: 'open',
      lastError: 'HTTP 500: replica is failing',
    });
    expect(byUrl[fast.url]).toMatchObject({ state: 'closed', errors: 0 });

    // A model the servers do not have: unavailable with their answer (no local model here).
    const none = await clientOf([{ url: fast.url }], { model: 'resnet50', fallbackToLocal: false });
    expect(await none.app.detector.ensureLoaded()).toBe(false);
    expect(none.app.detector.status().reason).toMatch(
      /HTTP 404: no route GET \/v2\/models\/resnet50\/ready/,
    );
    // Not ready: the same.
    fast.ready = false;
    const waiting = await clientOf([{ url: fast.url }], { fallbackToLocal: false });
    expect(await waiting.app.detector.ensureLoaded()).toBe(false);
    expect(waiting.app.detector.status().reason).toMatch(/HTTP 503: not ready/);
  });
});
