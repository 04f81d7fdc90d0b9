import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../src-shared/domain';
import { freePort } from '../helpers/http';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp, tempDir } from '../helpers/temp-app';

const MODEL = randomBytes(600 * 1024);
const SHA = createHash('sha256').update(MODEL).digest('hex');

let t: TestApp | undefined;
let server: http.Server | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

/** Serves the model with Range support; `cutAfter` bytes into the first answer, drops it. */
async function modelServer(cutAfter?: number) {
  const ranges: (string | undefined)[] = [];
  let cut = cutAfter;
  server = http.createServer((req, res) => {
    ranges.push(req.headers.range);
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const body = MODEL.subarray(start);
    res.writeHead(m ? 206 : 200, {
      'content-length': body.length,
      ...(m && { 'content-range': `bytes ${start}-${MODEL.length - 1}/${MODEL.length}` }),
    });
    if (cut !== undefined) {
      const upTo = cut;
      cut = undefined;
      res.write(body.subarray(0, upTo), () => res.destroy());
      return;
    }
    res.end(body);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, ranges };
}

/** An app whose manifest lists `tiny` (right checksum), `bad` (wrong) and `local` (no url). */
async function appWith(url: string): Promise<TestApp> {
  const modelsDir = tempDir('hsi-manifest-');
  const entry = { family: 'yolox', classes: 'coco80', bytes: MODEL.length };
  fs.writeFileSync(
    path.join(modelsDir, 'models.json'),
    JSON.stringify({
      models: [
        { ...entry, name: 'tiny', file: 'tiny.onnx', sha256: SHA, url: `${url}/tiny.onnx` },
        { ...entry, name: 'bad', file: 'bad.onnx', sha256: 'a'.repeat(64), url: `${url}/bad` },
        { ...entry, name: 'local', file: 'local.onnx', sha256: SHA },
      ],
    }),
  );
  t = await startTestApp({ modelsDir });
  return t;
}

describe('model downloads', () => {
  it('downloads with progress, resumes after a dropped connection, and checks the sha256', async () => {
    const { url, ranges } = await modelServer(200 * 1024);
    await appWith(url);
    expect((await t!.call('detector.models', {})).map((m) => [m.name, m.installed])).toEqual([
      ['tiny', false],
      ['bad', false],
      ['local', false],
    ]);
    const first = await t!.call('detector.download', { name: 'tiny' });
    const failed = await t!.app.jobs.finished(first.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/^Could not download tiny from .*what arrived is kept/);
    const part = path.join(t!.dataDir, 'models', 'tiny.onnx.part');
    const kept = fs.statSync(part).size;
    expect(kept).toBeGreaterThan(0);

    const progress: Job[] = [];
    t!.app.bus.on('job.changed', (j) => j.kind === 'model-download' && progress.push(j));
    const again = await t!.call('detector.download', { name: 'tiny' });
    expect(await t!.app.jobs.finished(again.id)).toMatchObject({
      status: 'completed',
      processed: MODEL.length,
      total: MODEL.length,
    });
    // The second request asked only for what was missing.
    expect(ranges).toEqual([undefined, `bytes=${kept}-`]);
    const file = path.join(t!.dataDir, 'models', 'tiny.onnx');
    expect(createHash('sha256').update(fs.readFileSync(file)).digest('hex')).toBe(SHA);
    expect(fs.existsSync(part)).toBe(false);
    expect(progress.at(-1)).toMatchObject({ status: 'completed' });
    expect((await t!.call('detector.models', {})).find((m) => m.name === 'tiny')).toMatchObject({
      installed: true,
      downloadable: true,
    });
  });

  it('refuses a file with the wrong checksum and leaves nothing behind', async () => {
    const { url } = await modelServer();
    await appWith(url);
    const job = await t!.call('detector.download', { name: 'bad' });
    const done = await t!.app.jobs.finished(job.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/bad failed its checksum .* deleted/);
    expect(fs.readdirSync(path.join(t!.dataDir, 'models'))).toEqual([]);
  });

  it('says what to do when offline, when a model has no address, or is unknown', async () => {
    await appWith(`http://127.0.0.1:${await freePort()}`);
    const job = await t!.call('detector.download', { name: 'tiny' });
    const done = await t!.app.jobs.finished(job.id);
    expect(done.error).toMatch(/Could not download tiny .*ECONNREFUSED.*choose a model file/);
    expect(await t!.raw('detector.download', { name: 'local' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringMatching(/no download address/) },
    });
    expect(await t!.raw('detector.download', { name: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });
});
