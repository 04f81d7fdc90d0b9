import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ObjectDetector } from '../../src-main/detect/detector';
import { createLogger } from '../../src-main/system/logger';
import { defaultSettings } from '../../src-shared/settings';
import type { FixtureBox } from '../fixtures/onnx-models';
import {
  nanodetModel,
  rtdetrModel,
  writeModel,
  yoloEndToEndModel,
  yoloV8Model,
  yoloxModel,
} from '../fixtures/onnx-models';
import { png } from '../helpers/images';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsi-families-'));
const opened: ObjectDetector[] = [];
afterAll(async () => {
  for (const d of opened) await d.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

// Known boxes in 64×64 input pixels: a person and a car.
const BOXES: FixtureBox[] = [
  { classIndex: 0, score: 0.92, box: [10, 8, 30, 60] },
  { classIndex: 2, score: 0.75, box: [34, 40, 62, 60] },
];

/** A detector for the model; `knobs` are read at every use, so a test can change them. */
async function detectorFor(
  name: string,
  bytes: Uint8Array,
  knobs: Partial<ReturnType<typeof defaultSettings>['detector']> = {},
) {
  const modelPath = writeModel(dir, name, bytes);
  const d = new ObjectDetector({
    settings: () => ({
      ...defaultSettings().detector,
      model: name,
      modelPath,
      providers: ['cpu'],
      ...knobs,
    }),
    userModelsDir: path.join(dir, 'none'),
    appModelsDir: path.join(dir, 'none'),
    manifest: [],
    logger: createLogger({ level: 'silent' }),
  });
  opened.push(d);
  expect(await d.ensureLoaded()).toBe(true);
  return d;
}

function expectBoxes(
  found: { objectClass: string; confidence: number; box: number[] }[],
  expected: { objectClass: string; confidence: number; box: number[] }[],
  tolerancePx: number,
) {
  expect(found).toHaveLength(expected.length);
  for (const e of expected) {
    const f = found.find((x) => x.objectClass === e.objectClass);
    expect(f, e.objectClass).toBeDefined();
    expect(f!.confidence).toBeCloseTo(e.confidence, 3);
    f!.box.forEach((v, i) => expect(Math.abs(v - e.box[i]!)).toBeLessThanOrEqual(tolerancePx));
  }
}

const families = [
  { name: 'yolox', bytes: () => yoloxModel({ boxes: BOXES }), placement: 'top-left' },
  { name: 'nanodet', bytes: () => nanodetModel({ boxes: BOXES }), placement: 'center' },
  { name: 'yolov8', bytes: () => yoloV8Model({ boxes: BOXES }), placement: 'center' },
  { name: 'yolo26', bytes: () => yoloEndToEndModel({ boxes: BOXES }), placement: 'center' },
  { name: 'rtdetr', bytes: () => rtdetrModel({ boxes: BOXES }), placement: 'stretch' },
] as const;

describe('detector families through a real onnxruntime session', () => {
  for (const family of families) {
    it(`${family.name}: recognises the family and decodes known boxes`, async () => {
      const d = await detectorFor(family.name, family.bytes());
      const expectedFamily =
        family.name.startsWith('yolo') && family.name !== 'yolox' ? 'yolo' : family.name;
      expect(d.status()).toMatchObject({
        status: 'ready',
        family: expectedFamily,
        inputSize: [64, 64],
      });

      // Same size as the input: boxes come back as encoded.
      const same = await d.detect(await png(64, 64), { confidence: 0.5, classes: [] });
      expectBoxes(
        same.detections,
        [
          { objectClass: 'person', confidence: 0.92, box: [10, 8, 30, 60] },
          { objectClass: 'car', confidence: 0.75, box: [34, 40, 62, 60] },
        ],
        0.05,
      );

      // A 128×64 image: the letterbox (or stretch) is undone.
      const wide = await d.detect(await png(128, 64), { confidence: 0.5, classes: [] });
      expect([wide.width, wide.height]).toEqual([128, 64]);
      const map = (b: number[]): number[] => {
        if (family.placement === 'stretch') return [b[0]! * 2, b[1]!, b[2]! * 2, b[3]!];
        const padY = family.placement === 'center' ? 16 : 0;
        const y = (v: number) => Math.min(64, Math.max(0, (v - padY) * 2));
        return [b[0]! * 2, y(b[1]!), b[2]! * 2, y(b[3]!)];
      };
      expectBoxes(
        wide.detections,
        [
          { objectClass: 'person', confidence: 0.92, box: map([10, 8, 30, 60]) },
          { objectClass: 'car', confidence: 0.75, box: map([34, 40, 62, 60]) },
        ].filter((e) => e.box[3]! - e.box[1]! >= 1),
        0.1,
      );
    });
  }

  it('uses the family the user chose for a model whose outputs mislead (a square YOLOX output named like Ultralytics)', async () => {
    // 79 classes: 5 + 79 = 84 columns, as many as the 64 px grid has anchors.
    const bytes = yoloxModel({ boxes: BOXES, numClasses: 79, outputName: 'output0' });
    const knobs: { family: 'auto' | 'yolox' } = { family: 'auto' };
    const d = await detectorFor('ambiguous', bytes, knobs);
    expect(d.status()).toMatchObject({ status: 'ready', family: 'yolo' });
    knobs.family = 'yolox';
    expect(await d.ensureLoaded()).toBe(true);
    expect(d.status()).toMatchObject({ status: 'ready', family: 'yolox' });
    const found = await d.detect(await png(64, 64), { confidence: 0.5, classes: [] });
    expectBoxes(
      found.detections,
      [
        { objectClass: 'person', confidence: 0.92, box: [10, 8, 30, 60] },
        { objectClass: 'car', confidence: 0.75, box: [34, 40, 62, 60] },
      ],
      0.05,
    );
  });

  it('gives the same boxes whichever thread prepares the frame, as the settings change', async () => {
    const settings = { decodeWorkers: 0, allowSpinning: false };
    const d = await detectorFor('yolox-threads', yoloxModel({ boxes: BOXES }), settings);
    const file = path.join(dir, 'threads.png');
    fs.writeFileSync(file, await png(64, 64));
    const results = [];
    for (const decodeWorkers of [0, 2, 1]) {
      settings.decodeWorkers = decodeWorkers;
      // Several at once: with two frame workers they are shared between them.
      const runs = await Promise.all(
        [0, 1, 2].map(() => d.detect(file, { confidence: 0.5, classes: [] })),
      );
      results.push(...runs.map((r) => r.detections));
    }
    for (const r of results) expect(r).toEqual(results[0]);
    expect(results[0]).toHaveLength(2);

    // Spinning is a session option: changing it loads the model again and shows in the status.
    settings.allowSpinning = true;
    expect(await d.ensureLoaded()).toBe(true);
    expect(d.status()).toMatchObject({ status: 'ready', allowSpinning: true, decodeWorkers: 1 });
    const again = await d.detect(file, { confidence: 0.5, classes: [] });
    expect(again.detections).toEqual(results[0]);
  });

  it('filters by confidence and class allow-list', async () => {
    const d = await detectorFor('yolox-filter', yoloxModel({ boxes: BOXES }));
    const high = await d.detect(await png(64, 64), { confidence: 0.8, classes: [] });
    expect(high.detections.map((x) => x.objectClass)).toEqual(['person']);
    const cars = await d.detect(await png(64, 64), { confidence: 0.5, classes: ['car'] });
    expect(cars.detections.map((x) => x.objectClass)).toEqual(['car']);
  });

  it('suppresses overlapping boxes of one class, keeps other classes', async () => {
    const d = await detectorFor(
      'yolov8-nms',
      yoloV8Model({
        boxes: [
          { classIndex: 0, score: 0.9, box: [10, 10, 40, 50] },
          { classIndex: 0, score: 0.8, box: [11, 11, 41, 51] },
          { classIndex: 16, score: 0.7, box: [11, 11, 41, 51] },
        ],
      }),
    );
    const r = await d.detect(await png(64, 64), { confidence: 0.5, classes: [] });
    expect(r.detections.map((x) => [x.objectClass, x.confidence.toFixed(2)])).toEqual([
      ['person', '0.90'],
      ['dog', '0.70'],
    ]);
  });

  it('reports unavailable with a reason when no model exists, and loads once one appears', async () => {
    const modelPath = path.join(dir, 'later', 'model.onnx');
    const d = new ObjectDetector({
      settings: () => ({
        ...defaultSettings().detector,
        model: 'later',
        modelPath,
        providers: ['cpu'],
      }),
      userModelsDir: path.join(dir, 'none'),
      appModelsDir: path.join(dir, 'none'),
      manifest: [],
      logger: createLogger({ level: 'silent' }),
    });
    opened.push(d);
    expect(await d.ensureLoaded()).toBe(false);
    // The chosen file is named: no other model stands in for it.
    expect(d.status()).toMatchObject({
      status: 'unavailable',
      reason: expect.stringContaining(`No model file at ${modelPath}`),
    });
    await expect(d.detect(await png(64, 64), { confidence: 0.5, classes: [] })).rejects.toThrow(
      /not ready/,
    );
    fs.mkdirSync(path.dirname(modelPath), { recursive: true });
    fs.writeFileSync(modelPath, yoloxModel({ boxes: BOXES }));
    expect(await d.ensureLoaded()).toBe(true);
    expect(d.status().status).toBe('ready');
  });

  it('refuses a corrupt image with ImageDecodeError', async () => {
    const d = await detectorFor('yolox-corrupt', yoloxModel({ boxes: BOXES }));
    const good = await png(64, 64);
    await expect(
      d.detect(good.subarray(0, good.length / 2), { confidence: 0.5, classes: [] }),
    ).rejects.toMatchObject({
      name: 'ImageDecodeError',
    });
    await expect(
      d.detect(Buffer.from('not an image'), { confidence: 0.5, classes: [] }),
    ).rejects.toMatchObject({
      name: 'ImageDecodeError',
    });
  });
});
