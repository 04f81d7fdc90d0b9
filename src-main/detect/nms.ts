import { iou } from '../../src-shared/geometry';

/** A candidate box in input-tensor pixels. */
export interface Candidate {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
  classIndex: number;
}

/** Class-aware non-maximum suppression: boxes only suppress boxes of their own class. */
export function nms(
  candidates: Candidate[],
  iouThreshold: number,
  maxDetections = 300,
): Candidate[] {
  const sorted = [...candidates].sort((a, b) => b.score - a.score);
  const kept: Candidate[] = [];
  const suppressed = new Uint8Array(sorted.length);
  for (let i = 0; i < sorted.length && kept.length < maxDetections; i += 1) {
    if (suppressed[i]) continue;
    const a = sorted[i]!;
    kept.push(a);
    for (let j = i + 1; j < sorted.length; j += 1) {
      if (suppressed[j]) continue;
      const b = sorted[j]!;
      if (b.classIndex === a.classIndex && iou(a, b) > iouThreshold) suppressed[j] = 1;
    }
  }
  return kept;
}
