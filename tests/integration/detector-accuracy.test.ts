import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { ObjectDetector } from '../../src-main/detect/detector';
import type { PixelDetection } from '../../src-main/detect/detector';
import { appModelsDir, loadManifest } from '../../src-main/detect/models';
import { createLogger } from '../../src-main/system/logger';
import { defaultSettings } from '../../src-shared/settings';
import {
  COCO_139_JPG,
  DOG_JPG,
  NANODET_M,
  YOLOX_NANO,
  sharedAssetsPresent,
} from '../helpers/shared-assets';

const present = sharedAssetsPresent();
if (!present) {
  process.stdout.write(
    'detector accuracy: ../shared models/images absent, real-model checks not run\n',
  );
}

function detector(modelPath: string, model: string) {
  return new ObjectDetector({
    settings: () => ({ ...defaultSettings().detector, model, modelPath, providers: ['cpu'] }),
    userModelsDir: '/nonexistent',
    appModelsDir: appModelsDir(),
    manifest: loadManifest(),
    logger: createLogger({ level: 'silent' }),
  });
}

function expectFound(
  found: PixelDetection[],
  objectClass: string,
  score: number,
  box: [number, number, number, number],
) {
  const match = found.find(
    (d) => d.objectClass === objectClass && d.box.every((v, i) => Math.abs(v - box[i]!) <= 4),
  );
  expect(
    match,
    `${objectClass} ${score} [${box.join(',')}] in ${JSON.stringify(found)}`,
  ).toBeDefined();
  expect(Math.abs(match!.confidence - score)).toBeLessThanOrEqual(0.02);
}

function overlap(a: readonly number[], b: readonly number[]): number {
  const ix = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
  const iy = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
  const area = (r: readonly number[]) => (r[2]! - r[0]!) * (r[3]! - r[1]!);
  return (ix * iy) / (area(a) + area(b) - ix * iy);
}

const opened: ObjectDetector[] = [];
afterAll(async () => {
  for (const d of opened) await d.close();
});

describe.runIf(present)('detector accuracy on real COCO models', () => {
  it('YOLOX-Nano reproduces the reference boxes on dog.jpg and COCO 139', async () => {
    const d = detector(YOLOX_NANO, 'yolox_nano');
    opened.push(d);
    expect(await d.ensureLoaded()).toBe(true);
    expect(d.status()).toMatchObject({
      status: 'ready',
      family: 'yolox',
      provider: 'cpu',
      inputSize: [416, 416],
    });

    const dog = await d.detect(fs.readFileSync(DOG_JPG), { confidence: 0.3, classes: [] });
    expect([dog.width, dog.height]).toEqual([768, 576]);
    expectFound(dog.detections, 'dog', 0.85, [133, 207, 327, 543]);
    expectFound(dog.detections, 'bicycle', 0.8, [56, 137, 572, 424]);
    expectFound(dog.detections, 'car', 0.8, [466, 78, 693, 171]);

    const room = await d.detect(fs.readFileSync(COCO_139_JPG), { confidence: 0.3, classes: [] });
    expectFound(room.detections, 'tv', 0.9, [6, 166, 155, 265]);
    expectFound(room.detections, 'person', 0.69, [427, 164, 468, 295]);
    expect(room.detections.find((x) => x.objectClass === 'clock')?.confidence).toBeCloseTo(0.64, 1);
    expect(
      room.detections.filter((x) => x.objectClass === 'chair' && x.confidence > 0.55),
    ).toHaveLength(2);
    expect(room.detections.find((x) => x.objectClass === 'dining table')?.confidence).toBeCloseTo(
      0.48,
      1,
    );
  });

  it('applies the confidence threshold and class allow-list', async () => {
    const d = detector(YOLOX_NANO, 'yolox_nano');
    opened.push(d);
    await d.ensureLoaded();
    const r = await d.detect(fs.readFileSync(DOG_JPG), {
      confidence: 0.5,
      classes: ['dog', 'car'],
    });
    expect(r.detections.map((x) => x.objectClass).sort()).toEqual(['car', 'dog']);
    expect(r.detections.every((x) => x.confidence >= 0.5)).toBe(true);
  });

  it('NanoDet-m finds the same main objects', async () => {
    const d = detector(NANODET_M, 'nanodet_m_320');
    opened.push(d);
    expect(await d.ensureLoaded()).toBe(true);
    expect(d.status()).toMatchObject({ family: 'nanodet', inputSize: [320, 320] });
    const dog = await d.detect(fs.readFileSync(DOG_JPG), { confidence: 0.35, classes: [] });
    const classes = new Set(dog.detections.map((x) => x.objectClass));
    for (const c of ['dog', 'bicycle', 'car']) expect(classes).toContain(c);
    // The same objects as YOLOX's reference boxes (NanoDet-m is the weaker model: IoU, not pixels).
    const box = (c: string) => dog.detections.find((x) => x.objectClass === c)!.box;
    expect(overlap(box('dog'), [133, 207, 327, 543])).toBeGreaterThan(0.8);
    expect(overlap(box('bicycle'), [56, 137, 572, 424])).toBeGreaterThan(0.6);
    expect(overlap(box('car'), [466, 78, 693, 171])).toBeGreaterThan(0.7);
  });
});

describe.runIf(present)('detection on camera-sized frames', () => {
  // The dog photo pasted at a known place in a grey 1920×1080 frame, saved as a camera would.
  const offset = { left: 400, top: 200 };
  async function frameFile(): Promise<string> {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hsi-frame-')), 'frame.jpg');
    await sharp({ create: { width: 1920, height: 1080, channels: 3, background: '#7a7a7a' } })
      .composite([{ input: DOG_JPG, ...offset }])
      .jpeg({ quality: 85 })
      .toFile(file);
    return file;
  }
  /** Each edge's distance from `expected`, as a fraction of the frame's width or height. */
  const edgeErrors = (box: number[], expected: number[]) =>
    box.map((v, i) => Math.abs(v - expected[i]!) / (i % 2 === 0 ? 1920 : 1080));

  it('finds the dog at its offset in a 1920×1080 frame decoded at 1/4 scale', async () => {
    const d = detector(YOLOX_NANO, 'yolox_nano');
    opened.push(d);
    expect(await d.ensureLoaded()).toBe(true);
    const file = await frameFile();
    const frame = await d.prepare(file);
    expect(frame.shrink).toBe(4); // 480×270 decoded: the smallest JPEG scale still ≥ 416×234
    const scaled = await d.infer(frame, { confidence: 0.3, classes: [] });
    expect([scaled.width, scaled.height]).toEqual([1920, 1080]);
    const dog = scaled.detections.find((x) => x.objectClass === 'dog');
    expect(dog, JSON.stringify(scaled.detections)).toBeDefined();

    // Decoding the whole frame instead (bytes in): the same box within 1 % of the frame, so
    // the DCT-scaled decode and its mapping back to full resolution cost no accuracy.
    const full = await d.detect(fs.readFileSync(file), { confidence: 0.3, classes: [] });
    const fullDog = full.detections.find((x) => x.objectClass === 'dog')!;
    for (const e of edgeErrors(dog!.box, fullDog.box)) expect(e).toBeLessThanOrEqual(0.01);
    expect(Math.abs(fullDog.confidence - dog!.confidence)).toBeLessThan(0.1);

    // Where the photo's own reference box lands in the frame. At a quarter of the photo's
    // scale YOLOX-Nano draws the dog's top edge 1–4 % of the frame higher whichever way the
    // frame is decoded: its limit on a 42×73-pixel dog, not the decode's.
    const expected = [133 + offset.left, 207 + offset.top, 327 + offset.left, 543 + offset.top];
    for (const box of [dog!.box, fullDog.box]) {
      const [x1, y1, x2, y2] = edgeErrors(box, expected) as [number, number, number, number];
      expect(
        [x1, x2, y2].every((e) => e <= 0.01),
        `${box.join(',')} vs ${expected.join(',')}`,
      ).toBe(true);
      expect(y1).toBeLessThanOrEqual(0.02);
      expect(overlap(box, expected)).toBeGreaterThan(0.85);
    }
  });

  it('reads the photos from their files with the same reference boxes', async () => {
    const d = detector(YOLOX_NANO, 'yolox_nano');
    opened.push(d);
    await d.ensureLoaded();
    const dog = await d.detect(DOG_JPG, { confidence: 0.3, classes: [] });
    expectFound(dog.detections, 'dog', 0.85, [133, 207, 327, 543]);
    expectFound(dog.detections, 'bicycle', 0.8, [56, 137, 572, 424]);
    expectFound(dog.detections, 'car', 0.8, [466, 78, 693, 171]);
  });
});
