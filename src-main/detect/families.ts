import type { DetectorFamily } from '../../src-shared/domain';
import type { Candidate } from './nms';
import type { PreprocessSpec } from './image-tensor.mjs';

/** Raw model outputs by name (dims as reported by onnxruntime). */
export type Outputs = Record<string, { data: Float32Array; dims: readonly number[] }>;

export interface FamilyCodec {
  family: DetectorFamily;
  /** Layout of the input tensor for a given model input size. */
  preprocess(width: number, height: number): PreprocessSpec;
  /** Candidates above `minScore`, in input pixels. */
  decode(outputs: Outputs, width: number, height: number, minScore: number): Candidate[];
  /** IoU for NMS, or null when the model already did it (end-to-end heads). */
  nmsIou(outputs: Outputs): number | null;
}

const STRIDES = [8, 16, 32];
const ZERO: [number, number, number] = [0, 0, 0];
const ONE: [number, number, number] = [1, 1, 1];
const UNIT: [number, number, number] = [255, 255, 255];

/** Best class of one row: values at offset, offset + stride, … (count of them). */
function argmax(
  data: Float32Array,
  offset: number,
  count: number,
  stride = 1,
): { best: number; index: number } {
  let best = -Infinity;
  let index = -1;
  for (let c = 0; c < count; c += 1) {
    const v = data[offset + c * stride]!;
    if (v > best) {
      best = v;
      index = c;
    }
  }
  return { best, index };
}

function only(outputs: Outputs): { data: Float32Array; dims: readonly number[] } {
  const first = Object.values(outputs)[0];
  if (!first) throw new Error('Model produced no outputs');
  return first;
}

function output(outputs: Outputs, name: string) {
  const out = outputs[name];
  if (!out) throw new Error(`Model output "${name}" is missing`);
  return out;
}

/** YOLOX: raw grid output [1, A, 5+C]; decode outside the graph. */
export const yolox: FamilyCodec = {
  family: 'yolox',
  preprocess: (width, height) => ({
    width,
    height,
    channelOrder: 'bgr',
    placement: 'top-left',
    padValue: 114,
    mean: ZERO,
    std: ONE,
  }),
  nmsIou: () => 0.45,
  decode(outputs, width, height, minScore) {
    const { data, dims } = only(outputs);
    const stride = dims[2]!;
    const numClasses = stride - 5;
    const out: Candidate[] = [];
    let row = 0;
    for (const s of STRIDES) {
      const gw = Math.floor(width / s);
      const gh = Math.floor(height / s);
      for (let gy = 0; gy < gh; gy += 1) {
        for (let gx = 0; gx < gw; gx += 1, row += 1) {
          const o = row * stride;
          const obj = data[o + 4]!;
          if (obj < minScore) continue;
          const { best, index: cls } = argmax(data, o + 5, numClasses);
          const score = obj * best;
          if (score < minScore || cls < 0) continue;
          const cx = (data[o]! + gx) * s;
          const cy = (data[o + 1]! + gy) * s;
          const w = Math.exp(data[o + 2]!) * s;
          const h = Math.exp(data[o + 3]!) * s;
          out.push({
            x1: cx - w / 2,
            y1: cy - h / 2,
            x2: cx + w / 2,
            y2: cy + h / 2,
            score,
            classIndex: cls,
          });
        }
      }
    }
    return out;
  },
};

/** NanoDet (GFL head): per-stride class scores and DFL side distributions. */
export const nanodet: FamilyCodec = {
  family: 'nanodet',
  preprocess: (width, height) => ({
    width,
    height,
    channelOrder: 'bgr',
    placement: 'center',
    padValue: 0,
    mean: [103.53, 116.28, 123.675],
    std: [57.375, 57.12, 58.395],
  }),
  nmsIou: () => 0.6,
  decode(outputs, width, _height, minScore) {
    const out: Candidate[] = [];
    for (const s of STRIDES) {
      const cls = output(outputs, `cls_pred_stride_${s}`);
      const dis = output(outputs, `dis_pred_stride_${s}`);
      const numClasses = cls.dims[2]!;
      const bins = dis.dims[2]! / 4;
      const gw = Math.ceil(width / s);
      const cells = cls.dims[1]!;
      const softmax = new Float64Array(bins);
      for (let i = 0; i < cells; i += 1) {
        const { best, index: c } = argmax(cls.data, i * numClasses, numClasses);
        if (best < minScore || c < 0) continue;
        const gx = i % gw;
        const gy = Math.floor(i / gw);
        const cx = (gx + 0.5) * s;
        const cy = (gy + 0.5) * s;
        const side = [0, 0, 0, 0];
        for (let e = 0; e < 4; e += 1) {
          const base = i * bins * 4 + e * bins;
          let max = -Infinity;
          for (let b = 0; b < bins; b += 1) max = Math.max(max, dis.data[base + b]!);
          let sum = 0;
          for (let b = 0; b < bins; b += 1) {
            softmax[b] = Math.exp(dis.data[base + b]! - max);
            sum += softmax[b]!;
          }
          let d = 0;
          for (let b = 0; b < bins; b += 1) d += (softmax[b]! / sum) * b;
          side[e] = d * s;
        }
        out.push({
          x1: cx - side[0]!,
          y1: cy - side[1]!,
          x2: cx + side[2]!,
          y2: cy + side[3]!,
          score: best,
          classIndex: c,
        });
      }
    }
    return out;
  },
};

/**
 * Ultralytics YOLO exports: v8/v11 `[1, 4+C, N]` (cx, cy, w, h, class scores; NMS outside)
 * or end-to-end heads (YOLO26, v10) `[1, K, 6]` (x1, y1, x2, y2, score, class; no NMS).
 */
export const yolo: FamilyCodec = {
  family: 'yolo',
  preprocess: (width, height) => ({
    width,
    height,
    channelOrder: 'rgb',
    placement: 'center',
    padValue: 114,
    mean: ZERO,
    std: UNIT,
  }),
  nmsIou: (outputs) => (isEndToEnd(only(outputs).dims) ? null : 0.45),
  decode(outputs, _width, _height, minScore) {
    const { data, dims } = only(outputs);
    const out: Candidate[] = [];
    if (isEndToEnd(dims)) {
      const rows = dims[1]!;
      for (let i = 0; i < rows; i += 1) {
        const o = i * 6;
        const score = data[o + 4]!;
        if (score < minScore) continue;
        out.push({
          x1: data[o]!,
          y1: data[o + 1]!,
          x2: data[o + 2]!,
          y2: data[o + 3]!,
          score,
          classIndex: Math.round(data[o + 5]!),
        });
      }
      return out;
    }
    const features = dims[1]!;
    const n = dims[2]!;
    const numClasses = features - 4;
    for (let j = 0; j < n; j += 1) {
      const { best, index: cls } = argmax(data, 4 * n + j, numClasses, n);
      if (best < minScore || cls < 0) continue;
      const cx = data[j]!;
      const cy = data[n + j]!;
      const w = data[2 * n + j]!;
      const h = data[3 * n + j]!;
      out.push({
        x1: cx - w / 2,
        y1: cy - h / 2,
        x2: cx + w / 2,
        y2: cy + h / 2,
        score: best,
        classIndex: cls,
      });
    }
    return out;
  },
};

function isEndToEnd(dims: readonly number[]): boolean {
  return dims.length === 3 && dims[2] === 6 && dims[1]! > 6;
}

/** RT-DETR (Hugging Face export): `logits` [1,Q,C] and `pred_boxes` [1,Q,4] (cxcywh, 0..1). */
export const rtdetr: FamilyCodec = {
  family: 'rtdetr',
  preprocess: (width, height) => ({
    width,
    height,
    channelOrder: 'rgb',
    placement: 'stretch',
    padValue: 0,
    mean: ZERO,
    std: UNIT,
  }),
  nmsIou: () => null,
  decode(outputs, width, height, minScore) {
    const logits = output(outputs, 'logits');
    const boxes = output(outputs, 'pred_boxes');
    const queries = logits.dims[1]!;
    const numClasses = logits.dims[2]!;
    const minLogit = Math.log(minScore / (1 - minScore));
    const out: Candidate[] = [];
    for (let q = 0; q < queries; q += 1) {
      const { best, index: cls } = argmax(logits.data, q * numClasses, numClasses);
      if (best < minLogit || cls < 0) continue;
      const score = 1 / (1 + Math.exp(-best));
      const cx = boxes.data[q * 4]! * width;
      const cy = boxes.data[q * 4 + 1]! * height;
      const w = boxes.data[q * 4 + 2]! * width;
      const h = boxes.data[q * 4 + 3]! * height;
      out.push({
        x1: cx - w / 2,
        y1: cy - h / 2,
        x2: cx + w / 2,
        y2: cy + h / 2,
        score,
        classIndex: cls,
      });
    }
    return out;
  },
};

export const CODECS: Record<DetectorFamily, FamilyCodec> = { yolox, nanodet, yolo, rtdetr };

/** Anchor count of a stride-8/16/32 grid head for an input size. */
function gridAnchors(width: number, height: number): number {
  return STRIDES.reduce((n, s) => n + Math.ceil(width / s) * Math.ceil(height / s), 0);
}

/** Recognises a family from a session's input size and its output names and shapes. */
export function inferFamily(
  input: { width: number; height: number },
  outputs: { name: string; shape: readonly (number | string)[] }[],
): DetectorFamily | null {
  const names = outputs.map((o) => o.name);
  if (names.some((n) => n.startsWith('cls_pred_stride_'))) return 'nanodet';
  if (names.includes('logits') && names.includes('pred_boxes')) return 'rtdetr';
  if (outputs.length !== 1) return null;
  const [, d1, d2] = outputs[0]!.shape;
  if (typeof d1 !== 'number' || typeof d2 !== 'number') return null;
  if (d2 === 6) return 'yolo';
  const anchors = gridAnchors(input.width, input.height);
  // Square tensors are ambiguous; Ultralytics names its output "output0".
  if (d1 === anchors && d2 === anchors) return names[0] === 'output0' ? 'yolo' : 'yolox';
  if (d1 === anchors && d2 > 5) return 'yolox';
  if (d2 === anchors && d1 > 4) return 'yolo';
  return null;
}
