import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import type { PushMessage } from '../../src-shared/contract';
import { jpeg } from '../helpers/images';
import { fixtureModel, startIngestApp, writeAtomically } from '../helpers/ingest-app';
import type { TestApp } from '../helpers/temp-app';
import { tempDir } from '../helpers/temp-app';
import { startWebServer } from '../../src-main/web/server';

let t: TestApp | undefined;

/** Mean absolute RGB difference between two JPEGs along column x, rows y0..y1. */
async function columnDiff(
  a: Buffer,
  b: Buffer,
  x: number,
  y0: number,
  y1: number,
): Promise<number> {
  const raw = async (img: Buffer) => sharp(img).raw().toBuffer({ resolveWithObject: true });
  const [ra, rb] = [await raw(a), await raw(b)];
  let sum = 0;
  for (let y = y0; y < y1; y += 1) {
    const i = (y * ra.info.width + x) * ra.info.channels;
    for (let c = 0; c < 3; c += 1) sum += Math.abs(ra.data[i + c]! - rb.data[i + c]!);
  }
  return sum / ((y1 - y0) * 3);
}
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const status = () => t!.call('ingest.status', {});

describe('folder intake → detection', () => {
  it('a JPEG dropped into DATA/ingest/<folder> creates the camera and its detections', async () => {
    t = await startIngestApp();
    const pushes: PushMessage[] = [];
    t.app.push.subscribe((m) => pushes.push(m));
    const file = path.join(t.dataDir, 'ingest', 'Front Door', 'snap', 'MDAlarm_001.jpg');
    writeAtomically(file, await jpeg(128, 96));

    await expect.poll(() => status().then((s) => s.processed), { timeout: 10_000 }).toBe(1);
    const cameras = await t.call('cameras.list', {});
    expect(cameras).toMatchObject([{ id: 'front_door', name: 'Front Door', status: 'online' }]);
    expect(cameras[0]!.lastSeenAt).not.toBeNull();

    const page = await t.call('detections.list', { cameraId: 'front_door' });
    expect(page.items.map((d) => d.objectClass).sort()).toEqual(['car', 'person']);
    const person = page.items.find((d) => d.objectClass === 'person')!;
    expect(person.confidence).toBeCloseTo(0.93, 3);
    // Model-input box [8,8,24,40] on a 64×64 top-left letterbox of a 128×96 image (r = 0.5).
    expect(person.bbox.map((v) => Number(v.toFixed(3)))).toEqual([0.125, 0.167, 0.375, 0.833]);
    expect(person).toMatchObject({
      imageWidth: 128,
      imageHeight: 96,
      imagePath: file,
    });

    const snaps = await t.call('cameras.snapshots', {});
    expect(snaps).toHaveLength(1);
    expect(snaps[0]).toMatchObject({ cameraId: 'front_door', width: 128, height: 96 });
    expect(snaps[0]!.detections).toHaveLength(2);

    // The media route: the snapshot, with boxes drawn when asked.
    const server = await startWebServer(t.app, { port: 0, token: 'tok' });
    try {
      const base = `${server.url}/api/media/images/${snaps[0]!.imageId}`;
      const withBoxes = await fetch(`${base}?boxes=1&token=tok`);
      expect(withBoxes.status).toBe(200);
      expect(withBoxes.headers.get('content-type')).toBe('image/jpeg');
      const boxed = Buffer.from(await withBoxes.arrayBuffer());
      const plain = Buffer.from(await (await fetch(`${base}?token=tok`)).arrayBuffer());
      const meta = await sharp(boxed).metadata();
      expect([meta.width, meta.height]).toEqual([128, 96]);
      // The person box's left edge (x = 16) is drawn; a column away from every box is not.
      const edge = await columnDiff(boxed, plain, 16, 24, 72);
      const control = await columnDiff(boxed, plain, 4, 24, 72);
      expect(edge).toBeGreaterThan(3 * control + 10);
      expect((await fetch(base)).status).toBe(401);
      expect((await fetch(`${server.url}/api/media/images/999?token=tok`)).status).toBe(404);
      expect(
        (await fetch(`${server.url}/api/media/images/..%2F..%2Fhsi.sqlite?token=tok`)).status,
      ).toBe(404);
      const det = await fetch(`${server.url}/api/media/detections/${person.id}?boxes=1&token=tok`);
      expect(det.status).toBe(200);
    } finally {
      await server.close();
    }

    expect(pushes.some((m) => m.type === 'camera.status' && m.data.status === 'online')).toBe(true);
    expect(pushes).toContainEqual({
      type: 'detections.created',
      data: { cameraId: 'front_door', imageId: snaps[0]!.imageId, count: 2 },
    });
    await expect.poll(() => pushes.some((m) => m.type === 'ingest.status')).toBe(true);
  });

  it('ignores non-images, dot files and files directly in the root', async () => {
    t = await startIngestApp();
    const root = path.join(t.dataDir, 'ingest');
    await t.call('cameras.create', { name: 'Yard' });
    fs.writeFileSync(path.join(root, 'yard', 'notes.txt'), 'x'.repeat(5000));
    fs.writeFileSync(path.join(root, 'yard', '.hidden.jpg'), await jpeg(64, 64));
    fs.writeFileSync(path.join(root, 'loose.jpg'), await jpeg(64, 64));
    writeAtomically(path.join(root, 'yard', 'real.jpg'), await jpeg(64, 64, 2));
    await expect.poll(() => status().then((s) => s.processed), { timeout: 10_000 }).toBe(1);
    const s = await status();
    expect(s).toMatchObject({ queueDepth: 0, failed: 0, quarantined: 0 });
  });

  it('watches folders made later, files written slowly, in a folder that holds many files', async () => {
    t = await startIngestApp({ settings: { ingest: { stabilitySeconds: 0.3 } } });
    const camera = await t.call('cameras.create', { name: 'Drive' });
    // A folder that holds a lot already (the camera's own clips and notes).
    for (let i = 0; i < 500; i += 1) {
      fs.writeFileSync(path.join(camera.folder, `clip-${i}.txt`), 'x');
    }
    // Date folders made after the start, as cameras file by day: watched as they appear (a
    // file in before the watch is found by reading the new folder).
    const day = path.join(camera.folder, '2026', '11', '30');
    fs.mkdirSync(day, { recursive: true });
    writeAtomically(path.join(day, 'a.jpg'), await jpeg(64, 64, 1));
    // A slow upload: half, a pause longer than a poll, the rest; taken in once, whole.
    const slow = path.join(camera.folder, 'slow.jpg');
    const bytes = await jpeg(64, 64, 2);
    fs.writeFileSync(slow, bytes.subarray(0, bytes.length >> 1));
    await new Promise((r) => setTimeout(r, 150));
    fs.appendFileSync(slow, bytes.subarray(bytes.length >> 1));
    await expect.poll(() => status().then((s) => s.processed), { timeout: 10_000 }).toBe(2);
    expect(await status()).toMatchObject({ failed: 0, quarantined: 0 });
  });

  it('polls instead, for shares without change events (ingest.usePolling)', async () => {
    t = await startIngestApp({ settings: { ingest: { usePolling: true } } });
    const camera = await t.call('cameras.create', { name: 'Share' });
    writeAtomically(path.join(camera.folder, 'snap.jpg'), await jpeg(64, 64, 3));
    await expect.poll(() => status().then((s) => s.processed), { timeout: 10_000 }).toBe(1);
  });

  it('drops duplicate content within the window and counts it', async () => {
    t = await startIngestApp();
    await t.call('cameras.create', { name: 'Porch' });
    const bytes = await jpeg(96, 96, 3);
    const folder = path.join(t.dataDir, 'ingest', 'porch');
    writeAtomically(path.join(folder, 'a.jpg'), bytes);
    await expect.poll(() => status().then((s) => s.processed), { timeout: 10_000 }).toBe(1);
    writeAtomically(path.join(folder, 'b.jpg'), bytes);
    await expect.poll(() => status().then((s) => s.duplicates), { timeout: 10_000 }).toBe(1);
    expect((await t.call('detections.list', {})).items).toHaveLength(2);
    expect((await status()).processed).toBe(1);
  });

  it('quarantines truncated, corrupt and too-small files with a reason, and keeps going', async () => {
    t = await startIngestApp();
    await t.call('cameras.create', { name: 'Garage' });
    const folder = path.join(t.dataDir, 'ingest', 'garage');
    const good = await jpeg(160, 120, 4);
    writeAtomically(
      path.join(folder, 'truncated.jpg'),
      good.subarray(0, Math.floor(good.length * 0.6)),
    );
    writeAtomically(path.join(folder, 'garbage.jpg'), Buffer.alloc(4000, 0x41));
    writeAtomically(path.join(folder, 'tiny.jpg'), Buffer.alloc(200, 0x42));
    writeAtomically(path.join(folder, 'good.jpg'), good);

    await expect
      .poll(() => status().then((s) => [s.quarantined, s.processed]), { timeout: 10_000 })
      .toEqual([3, 1]);
    const list = await t.call('ingest.quarantine.list', { cameraId: 'garage' });
    const byName = new Map(list.map((q) => [path.basename(q.path), q]));
    expect(byName.get('tiny.jpg')!.reason).toMatch(/too small/);
    expect(byName.get('truncated.jpg')!.reason).toMatch(/does not decode|readable/);
    expect(byName.get('garbage.jpg')!.reason).toMatch(/does not decode|readable/);
    for (const q of list) {
      expect(q.quarantinePath!.startsWith(path.join(t.dataDir, 'quarantine', 'garage'))).toBe(true);
      expect(fs.existsSync(q.quarantinePath!)).toBe(true);
      expect(fs.existsSync(q.path)).toBe(false);
    }
  });

  it('imports files by path, refusing relative, missing and non-image paths', async () => {
    t = await startIngestApp();
    await t.call('cameras.create', { name: 'Drive' });
    const outside = tempDir('hsi-import-');
    const picture = path.join(outside, 'picture.jpg');
    fs.writeFileSync(picture, await jpeg(100, 80, 5));
    fs.writeFileSync(path.join(outside, 'doc.pdf'), 'x'.repeat(3000));
    const result = await t.call('ingest.importFiles', {
      cameraId: 'drive',
      paths: [
        picture,
        'relative.jpg',
        path.join(outside, 'missing.jpg'),
        path.join(outside, 'doc.pdf'),
      ],
    });
    expect(result.queued).toBe(1);
    expect(result.rejected.map((r) => r.reason)).toEqual([
      'Path must be absolute',
      'File not found',
      'Only .jpg, .jpeg and .png images can be imported',
    ]);
    await expect.poll(() => status().then((s) => s.processed), { timeout: 10_000 }).toBe(1);
    expect(fs.existsSync(picture)).toBe(true); // the original is left alone
    expect(await t.raw('ingest.importFiles', { cameraId: 'nope', paths: [picture] })).toMatchObject(
      {
        error: { code: 'not_found' },
      },
    );
  });
});

describe('per-camera detection settings', () => {
  it("a camera's own confidence and class list override the detector settings", async () => {
    t = await startIngestApp();
    await t.call('cameras.create', { name: 'Strict' });
    await t.call('cameras.create', { name: 'Cars' });
    expect(await t.call('cameras.update', { id: 'strict', confidence: 0.9 })).toMatchObject({
      confidence: 0.9,
      classes: null,
    });
    await t.call('cameras.update', { id: 'cars', classes: ['car'] });
    writeAtomically(path.join(t.dataDir, 'ingest', 'strict', 'a.jpg'), await jpeg(64, 64, 60));
    writeAtomically(path.join(t.dataDir, 'ingest', 'cars', 'a.jpg'), await jpeg(64, 64, 61));
    await expect.poll(() => status().then((s) => s.processed), { timeout: 10_000 }).toBe(2);
    const classes = async (cameraId: string) =>
      (await t!.call('detections.list', { cameraId })).items.map((d) => d.objectClass);
    expect(await classes('strict')).toEqual(['person']); // the car is at 0.81
    expect(await classes('cars')).toEqual(['car']);
    await t.call('cameras.update', { id: 'strict', confidence: null });
    expect((await t.call('cameras.get', { id: 'strict' })).confidence).toBeNull();
    expect(await t.raw('cameras.update', { id: 'strict', confidence: 2 })).toMatchObject({
      error: { code: 'invalid_input' },
    });
  });
});

describe('browser upload', () => {
  it('POST /api/ingest/upload/<camera> stores the bytes inside the camera folder and queues them', async () => {
    t = await startIngestApp();
    await t.call('cameras.create', { name: 'Lab' });
    const server = await startWebServer(t.app, { port: 0, token: 'tok' });
    try {
      const post = (name: string, body: Buffer, token = 'tok') =>
        fetch(`${server.url}/api/ingest/upload/lab`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'x-file-name': encodeURIComponent(name) },
          body: new Uint8Array(body),
        });
      const res = await post('../../evil name.jpg', await jpeg(80, 60, 50));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true, data: { queued: 1, rejected: [] } });
      await expect.poll(() => status().then((s) => s.processed), { timeout: 10_000 }).toBe(1);
      const [row] = await t.app.db.selectFrom('ingest_queue').select('path').execute();
      expect(path.dirname(row!.path)).toBe(path.join(t.dataDir, 'ingest', 'lab', 'imported'));
      expect(path.basename(row!.path)).toMatch(/-evil name\.jpg$/);
      expect((await post('x.jpg', Buffer.alloc(10), 'bad')).status).toBe(401);
      const pdf = await (await post('doc.pdf', Buffer.alloc(5000))).json();
      expect(pdf).toMatchObject({
        data: { queued: 0, rejected: [{ reason: expect.stringMatching(/Only/) }] },
      });
      const missing = await fetch(`${server.url}/api/ingest/upload/ghost`, {
        method: 'POST',
        headers: { authorization: 'Bearer tok' },
        body: new Uint8Array(10),
      });
      expect(missing.status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe('backpressure and recovery', () => {
  it('waits for a model, pauses above high water, resumes below low water, loses nothing', async () => {
    const modelDir = tempDir('hsi-late-model-');
    const lateModel = path.join(modelDir, 'fixture-yolox.onnx');
    t = await startIngestApp({
      model: lateModel,
      settings: { ingest: { highWater: 3, lowWater: 1 } },
    });
    await t.call('cameras.create', { name: 'Side' });
    const folder = path.join(t.dataDir, 'ingest', 'side');
    for (let i = 0; i < 5; i += 1) {
      writeAtomically(path.join(folder, `img-${i}.jpg`), await jpeg(64, 64, 10 + i));
      if (i < 3)
        await expect
          .poll(() => status().then((s) => s.queueDepth), { timeout: 10_000 })
          .toBe(i + 1);
    }
    const held = await status();
    expect(held).toMatchObject({
      paused: true,
      queueDepth: 3,
      processed: 0,
      waitingForDetector: true,
    });
    expect((await t.call('detector.status', {})).status).toBe('unavailable');

    fixtureModel(modelDir); // the model appears: processing starts, the queue drains, intake resumes
    await expect.poll(() => status().then((s) => s.processed), { timeout: 15_000 }).toBe(5);
    expect(await status()).toMatchObject({ paused: false, queueDepth: 0, failed: 0 });
    expect((await t.call('detector.status', {})).status).toBe('ready');
  });

  it('pauses intake by hand: new snapshots wait in their folder until resumed', async () => {
    t = await startIngestApp({ model: null });
    await t.call('cameras.create', { name: 'Drive' });
    expect(await t.call('ingest.pause', {})).toMatchObject({ paused: true, pausedByUser: true });
    const file = path.join(t.dataDir, 'ingest', 'drive', 'while-paused.jpg');
    writeAtomically(file, await jpeg(64, 64, 40));
    // What the folder watcher (and the FTP endpoint) hear while paused.
    expect(await t.app.ingest.offer('drive', file, 'folder')).toBe('paused');
    expect((await status()).queueDepth).toBe(0);
    expect(await t.call('ingest.resume', {})).toMatchObject({ paused: false, pausedByUser: false });
    // Resumed: the folder is looked through again and the waiting snapshot is queued.
    await expect.poll(() => status().then((s) => s.queueDepth), { timeout: 10_000 }).toBe(1);
  });

  it('after a crash every accepted file is processed exactly once', async () => {
    const dataDir = tempDir();
    t = await startIngestApp({ dataDir, model: null });
    await t.call('cameras.create', { name: 'Back' });
    const folder = path.join(dataDir, 'ingest', 'back');
    for (let i = 0; i < 4; i += 1)
      writeAtomically(path.join(folder, `c-${i}.jpg`), await jpeg(64, 64, 20 + i));
    await expect.poll(() => status().then((s) => s.queueDepth), { timeout: 10_000 }).toBe(4);
    // Simulate a crash mid-item: one row was being processed when the process died.
    await t.app.db
      .updateTable('ingest_queue')
      .set({ status: 'processing' })
      .where('id', '=', 1)
      .execute();
    await t.app.close();
    t = undefined;

    t = await startIngestApp({ dataDir });
    await expect.poll(() => status().then((s) => s.processed), { timeout: 15_000 }).toBe(4);
    const rows = await t.app.db.selectFrom('ingest_queue').select(['path', 'status']).execute();
    expect(rows).toHaveLength(4);
    expect(new Set(rows.map((r) => r.path)).size).toBe(4);
    const perImage = await t.app.db
      .selectFrom('detections')
      .select(['image_id', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('image_id')
      .execute();
    expect(perImage.map((r) => Number(r.n))).toEqual([2, 2, 2, 2]);
  });

  it('marks a silent camera offline and pushes the change', async () => {
    t = await startIngestApp({ settings: { cameras: { offlineAfterSeconds: 0.5 } } });
    const pushes: PushMessage[] = [];
    t.app.push.subscribe((m) => pushes.push(m));
    writeAtomically(path.join(t.dataDir, 'ingest', 'Gate', 'x.jpg'), await jpeg(64, 64, 30));
    await expect
      .poll(() => t!.call('cameras.list', {}).then((c) => c[0]?.status), { timeout: 10_000 })
      .toBe('online');
    await expect
      .poll(() => t!.call('cameras.list', {}).then((c) => c[0]?.status), { timeout: 10_000 })
      .toBe('offline');
    expect(
      pushes
        .filter((m) => m.type === 'camera.status')
        .map((m) => (m.data as { status: string }).status),
    ).toEqual(expect.arrayContaining(['online', 'offline']));
  });
});
