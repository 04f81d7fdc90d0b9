import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ImageDecodeError, ImageReadError } from '../../src-main/detect/image-tensor.mjs';
import { WorkerClient } from '../../src-main/detect/worker-client';
import { tempDir } from '../helpers/temp-app';

// A worker speaking the detector threads' protocol (worker-rpc.mjs), with tasks that fail the
// ways real ones do, and one that ends the thread.
const dir = tempDir('hsi-worker-');
const rpc = pathToFileURL(
  path.resolve(import.meta.dirname, '../../src-main/detect/worker-rpc.mjs'),
).href;
const tensors = pathToFileURL(
  path.resolve(import.meta.dirname, '../../src-main/detect/image-tensor.mjs'),
).href;
const script = path.join(dir, 'test-worker.mjs');
fs.writeFileSync(
  script,
  `import { serve } from '${rpc}';
import { ImageDecodeError, ImageReadError } from '${tensors}';
serve({
  double: ({ values }) => {
    const out = Float32Array.from(values, (v) => v * 2);
    return { value: out, transfer: [out.buffer] };
  },
  slow: ({ ms }) => new Promise((r) => setTimeout(() => r({ value: ms }), ms)),
  corrupt: () => { throw new ImageDecodeError('Image does not decode: bad huffman'); },
  gone: () => { throw new ImageReadError('File cannot be read: EACCES', 'EACCES'); },
  oops: () => { throw new Error('something else'); },
  die: () => process.exit(3),
});
`,
);
const clients: WorkerClient[] = [];
const client = () => {
  const c = new WorkerClient(pathToFileURL(script));
  clients.push(c);
  return c;
};
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('detector threads: requests and failures', () => {
  it('answers requests, moving typed arrays, and rethrows image errors as their classes', async () => {
    const c = client();
    const doubled = await c.request<Float32Array>({ type: 'double', values: [1, 2.5] });
    expect(Array.from(doubled)).toEqual([2, 5]);

    const corrupt = await c.request({ type: 'corrupt' }).catch((e: unknown) => e);
    expect(corrupt).toBeInstanceOf(ImageDecodeError);
    expect((corrupt as Error).message).toMatch(/bad huffman/);
    const gone = await c.request({ type: 'gone' }).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(ImageReadError);
    expect(gone).toMatchObject({ code: 'EACCES' });
    const other = await c.request({ type: 'oops' }).catch((e: unknown) => e);
    expect(other).not.toBeInstanceOf(ImageDecodeError);
    expect((other as Error).message).toBe('something else');
    await expect(c.request({ type: 'nope' })).rejects.toThrow(/Unknown request nope/);
    expect(c.alive).toBe(true);
  });

  it('says when everything asked is answered', async () => {
    const c = client();
    const answers: number[] = [];
    for (const ms of [30, 10])
      void c.request<number>({ type: 'slow', ms }).then((v) => answers.push(v));
    expect(c.load).toBe(2);
    await c.idle();
    expect(answers.sort()).toEqual([10, 30]);
    expect(c.load).toBe(0);
  });

  it('fails every waiting request when the thread ends, and refuses new ones', async () => {
    const c = client();
    const waiting = c.request({ type: 'slow', ms: 10_000 });
    const dying = c.request({ type: 'die' });
    await expect(dying).rejects.toThrow(/exited \(3\)/);
    await expect(waiting).rejects.toThrow(/exited \(3\)/);
    expect(c.alive).toBe(false);
    await expect(c.request({ type: 'double', values: [1] })).rejects.toThrow(/exited/);
    await c.idle(); // nothing left waiting
  });
});
