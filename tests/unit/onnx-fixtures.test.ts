import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  nanodetModel,
  rtdetrModel,
  writeModel,
  yoloEndToEndModel,
  yoloV8Model,
  yoloxModel,
} from '../fixtures/onnx-models';
import type { FixtureBox } from '../fixtures/onnx-models';

const { onnx } = onnxProto;

const STRIDES = [8, 16, 32];
const BOX_TOLERANCE = 0.01;
const SCORE_TOLERANCE = 1e-4;
/** Detections below this score are treated as background by the reference decoders. */
const MIN_SCORE = 0.01;

interface Detection {
  classIndex: number;
  score: number;
  box: [number, number, number, number];
  /** Grid stride the detection was decoded from (grid families only). */
  stride?: number;
}

const PERSON: FixtureBox = { classIndex: 0, score: 0.91, box: [10, 8, 30, 60] };
const CAR: FixtureBox = { classIndex: 2, score: 0.76, box: [34, 40, 62, 60] };
/** 62×64 at S=64: max side / 2 = 32, so YOLOX puts it on stride 32. */
const DOG: FixtureBox = { classIndex: 16, score: 0.55, box: [1, 0, 63, 64] };

let tmp = '';

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hsi-onnx-'));
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

interface RunResult {
  outputNames: readonly string[];
  outputs: Record<string, { dims: readonly number[]; data: Float32Array }>;
}

/** Writes the model, opens a real InferenceSession on the file and runs it on a zero input. */
async function runModel(
  bytes: Uint8Array,
  name: string,
  inputName: string,
  size: number,
): Promise<RunResult> {
  const file = writeModel(tmp, name, bytes);
  expect(fs.existsSync(file)).toBe(true);
  const session = await ort.InferenceSession.create(file);
  try {
    expect(session.inputNames).toEqual([inputName]);
    const meta = session.inputMetadata[0];
    expect(meta?.isTensor).toBe(true);
    if (!meta?.isTensor) throw new Error('input is not a tensor');
    expect(meta.shape).toEqual([1, 3, size, size]);
    expect(meta.type).toBe('float32');
    const input = new ort.Tensor('float32', new Float32Array(3 * size * size), [1, 3, size, size]);
    const result = await session.run({ [inputName]: input });
    const outputs: RunResult['outputs'] = {};
    for (const outName of session.outputNames) {
      const t = result[outName];
      if (!t) throw new Error(`missing output ${outName}`);
      expect(t.type).toBe('float32');
      if (!(t.data instanceof Float32Array)) throw new Error(`${outName} is not float32`);
      outputs[outName] = { dims: t.dims, data: t.data };
    }
    return { outputNames: session.outputNames, outputs };
  } finally {
    await session.release();
  }
}

function output(run: RunResult, name: string): { dims: readonly number[]; data: Float32Array } {
  const out = run.outputs[name];
  if (!out) throw new Error(`missing output ${name}`);
  return out;
}

function at(data: Float32Array, i: number): number {
  const v = data[i];
  if (v === undefined) throw new Error(`index ${i} out of range (${data.length})`);
  return v;
}

function argmax(
  data: Float32Array,
  start: number,
  count: number,
): { index: number; value: number } {
  let index = 0;
  let value = -Infinity;
  for (let c = 0; c < count; c++) {
    const v = at(data, start + c);
    if (v > value) {
      value = v;
      index = c;
    }
  }
  return { index, value };
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Each expected box must come back exactly once, with matching class, coordinates and score. */
function expectDetections(actual: Detection[], expected: FixtureBox[]): void {
  expect(actual).toHaveLength(expected.length);
  for (const want of expected) {
    const matches = actual.filter((d) => d.classIndex === want.classIndex);
    expect(matches, `class ${want.classIndex}`).toHaveLength(1);
    const got = matches[0];
    if (!got) throw new Error('unreachable');
    expect(Math.abs(got.score - want.score), `score of class ${want.classIndex}`).toBeLessThan(
      SCORE_TOLERANCE,
    );
    got.box.forEach((v, k) => {
      expect(
        Math.abs(v - (want.box[k] ?? NaN)),
        `box[${k}] of class ${want.classIndex}`,
      ).toBeLessThan(BOX_TOLERANCE);
    });
  }
}

function strideOf(actual: Detection[], classIndex: number): number | undefined {
  return actual.find((d) => d.classIndex === classIndex)?.stride;
}

// ---------------------------------------------------------------------------------------------
// Reference decoders, written straight from the layout contract.

function decodeYolox(out: Float32Array, size: number, numClasses: number): Detection[] {
  const width = 5 + numClasses;
  const dets: Detection[] = [];
  let row = 0;
  for (const s of STRIDES) {
    const side = size / s;
    for (let gy = 0; gy < side; gy++) {
      for (let gx = 0; gx < side; gx++, row++) {
        const base = row * width;
        const obj = at(out, base + 4);
        const best = argmax(out, base + 5, numClasses);
        const score = obj * best.value;
        if (score < MIN_SCORE) continue;
        const cx = (at(out, base) + gx) * s;
        const cy = (at(out, base + 1) + gy) * s;
        const w = Math.exp(at(out, base + 2)) * s;
        const h = Math.exp(at(out, base + 3)) * s;
        dets.push({
          classIndex: best.index,
          score,
          box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2],
          stride: s,
        });
      }
    }
  }
  expect(row * width).toBe(out.length);
  return dets;
}

function decodeNanodet(run: RunResult, size: number, numClasses: number): Detection[] {
  const dets: Detection[] = [];
  for (const s of STRIDES) {
    const cls = output(run, `cls_pred_stride_${s}`).data;
    const dis = output(run, `dis_pred_stride_${s}`).data;
    const side = size / s;
    for (let gy = 0; gy < side; gy++) {
      for (let gx = 0; gx < side; gx++) {
        const cell = gy * side + gx;
        const best = argmax(cls, cell * numClasses, numClasses);
        if (best.value < MIN_SCORE) continue;
        const cx = (gx + 0.5) * s;
        const cy = (gy + 0.5) * s;
        const [l, t, r, b] = [0, 1, 2, 3].map((side4) => {
          const base = (cell * 4 + side4) * 8;
          const logits = Array.from({ length: 8 }, (_, i) => at(dis, base + i));
          const max = Math.max(...logits);
          const exps = logits.map((v) => Math.exp(v - max));
          const sum = exps.reduce((a, v) => a + v, 0);
          return exps.reduce((acc, e, i) => acc + (e / sum) * i, 0) * s;
        }) as [number, number, number, number];
        dets.push({
          classIndex: best.index,
          score: best.value,
          box: [cx - l, cy - t, cx + r, cy + b],
          stride: s,
        });
      }
    }
  }
  return dets;
}

function decodeYoloV8(out: Float32Array, numClasses: number, n: number): Detection[] {
  const dets: Detection[] = [];
  for (let j = 0; j < n; j++) {
    let best = { index: 0, value: -Infinity };
    for (let c = 0; c < numClasses; c++) {
      const v = at(out, (4 + c) * n + j);
      if (v > best.value) best = { index: c, value: v };
    }
    if (best.value < MIN_SCORE) continue;
    const cx = at(out, j);
    const cy = at(out, n + j);
    const w = at(out, 2 * n + j);
    const h = at(out, 3 * n + j);
    dets.push({
      classIndex: best.index,
      score: best.value,
      box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2],
    });
  }
  return dets;
}

function decodeEndToEnd(out: Float32Array): Detection[] {
  const dets: Detection[] = [];
  for (let i = 0; i < out.length / 6; i++) {
    const score = at(out, i * 6 + 4);
    if (score < MIN_SCORE) continue;
    dets.push({
      classIndex: Math.round(at(out, i * 6 + 5)),
      score,
      box: [at(out, i * 6), at(out, i * 6 + 1), at(out, i * 6 + 2), at(out, i * 6 + 3)],
    });
  }
  return dets;
}

function decodeRtdetr(
  logits: Float32Array,
  boxes: Float32Array,
  size: number,
  numClasses: number,
): Detection[] {
  const dets: Detection[] = [];
  for (let q = 0; q < logits.length / numClasses; q++) {
    const best = argmax(logits, q * numClasses, numClasses);
    const score = sigmoid(best.value);
    if (score < MIN_SCORE) continue;
    const cx = at(boxes, q * 4) * size;
    const cy = at(boxes, q * 4 + 1) * size;
    const w = at(boxes, q * 4 + 2) * size;
    const h = at(boxes, q * 4 + 3) * size;
    dets.push({
      classIndex: best.index,
      score,
      box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2],
    });
  }
  return dets;
}

// ---------------------------------------------------------------------------------------------

describe('ONNX detector fixtures', () => {
  it('yolox: output [1, A, 85] decodes to the given boxes on the expected strides', async () => {
    const boxes = [PERSON, CAR, DOG];
    const run = await runModel(yoloxModel({ boxes }), 'yolox', 'images', 64);
    expect(run.outputNames).toEqual(['output']);
    const out = output(run, 'output');
    expect(out.dims).toEqual([1, 64 + 16 + 4, 85]);
    const dets = decodeYolox(out.data, 64, 80);
    expectDetections(dets, boxes);
    expect(strideOf(dets, CAR.classIndex)).toBe(8);
    expect(strideOf(dets, PERSON.classIndex)).toBe(16);
    expect(strideOf(dets, DOG.classIndex)).toBe(32);
    // Non-box rows are all zeros.
    const nonZeroRows = new Set<number>();
    out.data.forEach((v, i) => {
      if (v !== 0) nonZeroRows.add(Math.floor(i / 85));
    });
    expect(nonZeroRows.size).toBe(boxes.length);
  });

  it('yolox: honours size and numClasses', async () => {
    const boxes: FixtureBox[] = [
      { classIndex: 3, score: 0.4, box: [70, 20, 120, 90] },
      { classIndex: 0, score: 0.99, box: [5, 5, 17, 21] },
    ];
    const run = await runModel(
      yoloxModel({ size: 128, numClasses: 4, boxes }),
      'yolox-128',
      'images',
      128,
    );
    const out = output(run, 'output');
    expect(out.dims).toEqual([1, 256 + 64 + 16, 9]);
    expectDetections(decodeYolox(out.data, 128, 4), boxes);
  });

  it('nanodet: six outputs in order, DFL distances decode to the given boxes', async () => {
    const boxes = [PERSON, CAR];
    const run = await runModel(nanodetModel({ boxes }), 'nanodet', 'input.1', 64);
    expect(run.outputNames).toEqual([
      'cls_pred_stride_8',
      'cls_pred_stride_16',
      'cls_pred_stride_32',
      'dis_pred_stride_8',
      'dis_pred_stride_16',
      'dis_pred_stride_32',
    ]);
    STRIDES.forEach((s) => {
      const cells = (64 / s) ** 2;
      expect(output(run, `cls_pred_stride_${s}`).dims).toEqual([1, cells, 80]);
      expect(output(run, `dis_pred_stride_${s}`).dims).toEqual([1, cells, 32]);
    });
    expectDetections(decodeNanodet(run, 64, 80), boxes);
  });

  it('nanodet: a box too far from its centre for stride 8 moves to a coarser stride', async () => {
    const big: FixtureBox = { classIndex: 16, score: 0.66, box: [4, 10, 124, 120] };
    const boxes = [big, { ...CAR, box: [70, 80, 90, 100] as FixtureBox['box'] }];
    const run = await runModel(nanodetModel({ size: 128, boxes }), 'nanodet-128', 'input.1', 128);
    const dets = decodeNanodet(run, 128, 80);
    expectDetections(dets, boxes);
    expect(strideOf(dets, big.classIndex)).toBe(16);
    expect(strideOf(dets, CAR.classIndex)).toBe(8);
  });

  it('yolo v8: output0 [1, 84, N] with N = Ultralytics anchor count', async () => {
    const boxes = [PERSON, CAR, DOG];
    const run = await runModel(yoloV8Model({ boxes }), 'yolov8', 'images', 64);
    expect(run.outputNames).toEqual(['output0']);
    const out = output(run, 'output0');
    expect(out.dims).toEqual([1, 84, 84]);
    expectDetections(decodeYoloV8(out.data, 80, 84), boxes);

    const run640 = await runModel(
      yoloV8Model({ size: 640, boxes: [{ classIndex: 5, score: 0.8, box: [100, 200, 300, 500] }] }),
      'yolov8-640',
      'images',
      640,
    );
    const out640 = output(run640, 'output0');
    expect(out640.dims).toEqual([1, 84, 8400]);
    expectDetections(decodeYoloV8(out640.data, 80, 8400), [
      { classIndex: 5, score: 0.8, box: [100, 200, 300, 500] },
    ]);
  });

  it('yolo end-to-end: output0 [1, 300, 6]', async () => {
    const boxes = [PERSON, CAR, DOG];
    const run = await runModel(yoloEndToEndModel({ boxes }), 'yolo26', 'images', 64);
    expect(run.outputNames).toEqual(['output0']);
    const out = output(run, 'output0');
    expect(out.dims).toEqual([1, 300, 6]);
    expectDetections(decodeEndToEnd(out.data), boxes);
    expect(out.data.subarray(boxes.length * 6).every((v) => v === 0)).toBe(true);
  });

  it('rtdetr: logits [1, 300, 80] (pre-sigmoid) and normalised pred_boxes [1, 300, 4]', async () => {
    const boxes = [PERSON, CAR, DOG];
    const run = await runModel(rtdetrModel({ boxes }), 'rtdetr', 'pixel_values', 64);
    expect(run.outputNames).toEqual(['logits', 'pred_boxes']);
    const logits = output(run, 'logits');
    const predBoxes = output(run, 'pred_boxes');
    expect(logits.dims).toEqual([1, 300, 80]);
    expect(predBoxes.dims).toEqual([1, 300, 4]);
    // Raw logits, not probabilities: background is strongly negative.
    expect(at(logits.data, 0 * 80 + 1)).toBe(-20);
    expect(at(logits.data, 0 * 80 + PERSON.classIndex)).toBeCloseTo(Math.log(0.91 / 0.09), 5);
    expect(predBoxes.data.every((v) => v >= 0 && v <= 1)).toBe(true);
    expectDetections(decodeRtdetr(logits.data, predBoxes.data, 64, 80), boxes);
  });

  it('produces deterministic opset-13 models of Identity nodes from hsi-tests', () => {
    const spec = { boxes: [PERSON, CAR] };
    const a = rtdetrModel(spec);
    const same = (x: Uint8Array, y: Uint8Array): boolean => Buffer.from(x).equals(Buffer.from(y));
    expect(same(rtdetrModel(spec), a)).toBe(true);
    expect(same(yoloxModel(spec), yoloxModel(spec))).toBe(true);
    expect(same(nanodetModel(spec), nanodetModel(spec))).toBe(true);
    expect(same(yoloxModel(spec), yoloxModel({ boxes: [PERSON] }))).toBe(false);
    const model = onnx.ModelProto.decode(a);
    expect(model.producerName).toBe('hsi-tests');
    expect(Number(model.irVersion)).toBe(8);
    expect(model.opsetImport.map((o) => Number(o.version))).toEqual([13]);
    expect(model.graph?.node?.map((n) => n.opType)).toEqual(['Identity', 'Identity']);
    expect(model.graph?.output?.map((o) => o.name)).toEqual(['logits', 'pred_boxes']);
  });

  it('rejects specs it cannot encode', () => {
    // Same centre and size → same YOLOX row.
    expect(() => yoloxModel({ boxes: [PERSON, { ...PERSON, classIndex: 1 }] })).toThrow(/share/);
    expect(() => nanodetModel({ boxes: [CAR, { ...CAR, classIndex: 1 }] })).toThrow(/share/);
    // A 1-pixel box contains no cell centre at any stride.
    expect(() =>
      nanodetModel({ boxes: [{ classIndex: 0, score: 0.5, box: [10, 10, 11, 11] }] }),
    ).toThrow(/nanodet/);
    expect(() => yoloV8Model({ boxes: [{ ...PERSON, classIndex: 80 }] })).toThrow(/classIndex/);
    expect(() => yoloV8Model({ boxes: [{ ...PERSON, score: 1.5 }] })).toThrow(/score/);
    expect(() => yoloV8Model({ boxes: [{ ...PERSON, box: [30, 8, 10, 60] }] })).toThrow(/x2 > x1/);
    expect(() => yoloV8Model({ boxes: [{ ...PERSON, box: [10, 8, 30, 65] }] })).toThrow(/within/);
    expect(() => yoloEndToEndModel({ size: 100, boxes: [] })).toThrow(/multiple of 32/);
    expect(() => yoloEndToEndModel({ boxes: Array.from({ length: 301 }, () => PERSON) })).toThrow(
      /300/,
    );
  });
});
