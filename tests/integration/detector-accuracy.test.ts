import fs from 'node:fs';
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
