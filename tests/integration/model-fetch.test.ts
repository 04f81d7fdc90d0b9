import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchModels } from '../../src-main/detect/model-fetch';
import type { ModelEntry } from '../../src-main/detect/models';
import { tempDir } from '../helpers/temp-app';

const payload = Buffer.from('not really a model, but bytes with a known hash '.repeat(500));
const sha = createHash('sha256').update(payload).digest('hex');
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/model.onnx') {
      res.writeHead(200, { 'content-length': payload.length });
      res.end(payload);
    } else if (req.url === '/truncated.onnx') {
      res.writeHead(200);
      res.end(payload.subarray(0, 100));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const entry = (over: Partial<ModelEntry>): ModelEntry => ({
  name: 'm',
  family: 'yolox',
  file: 'm.onnx',
  classes: 'coco80',
  sha256: sha,
  bytes: payload.length,
  url: `${base}/model.onnx`,
  ...over,
});

describe('models:fetch', () => {
  it('downloads, checks size and sha256, and keeps a verified file on the next run', async () => {
    const dir = tempDir();
    const seen: number[] = [];
    const [first] = await fetchModels([entry({})], dir, (_n, received) => seen.push(received));
    expect(first).toMatchObject({ status: 'downloaded' });
    expect(fs.readFileSync(path.join(dir, 'm.onnx')).equals(payload)).toBe(true);
    expect(seen[seen.length - 1]).toBe(payload.length);
    const [second] = await fetchModels([entry({})], dir);
    expect(second).toMatchObject({ status: 'present' });
  });

  it('refuses a wrong hash, a short file and a 404, leaving no partial file behind', async () => {
    const dir = tempDir();
    const results = await fetchModels(
      [
        entry({ name: 'bad-hash', file: 'a.onnx', sha256: 'f'.repeat(64), bytes: undefined }),
        entry({ name: 'short', file: 'b.onnx', url: `${base}/truncated.onnx` }),
        entry({ name: 'missing', file: 'c.onnx', url: `${base}/nope.onnx` }),
        entry({ name: 'manual', file: 'd.onnx', url: undefined }),
      ],
      dir,
    );
    expect(results.map((r) => r.status)).toEqual(['failed', 'failed', 'failed', 'skipped']);
    expect(results[0]!.detail).toMatch(/does not match/);
    expect(results[1]!.detail).toMatch(/size 100 bytes/);
    expect(results[2]!.detail).toMatch(/HTTP 404/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
