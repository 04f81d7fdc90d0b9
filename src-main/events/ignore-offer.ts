import type { BBox, Detection, IgnoreOffer, Point, Zone } from '../../src-shared/domain';
import { box, iou } from '../../src-shared/geometry';
import { inIgnoreZone } from '../zones';

/** False positives of one class at one spot before "ignore here" is offered. */
export const IGNORE_OFFER_AFTER = 3;
/** How much two boxes must overlap to count as the same spot. */
export const IGNORE_OFFER_IOU = 0.5;
/** Margin around the matching boxes, as a share of the frame. */
const MARGIN = 0.02;

/** A false-positive event's boxes of one class. */
export interface FalsePositiveBoxes {
  eventId: string;
  boxes: BBox[];
}

/**
 * The "ignore here" region for an event's detections, if one class of them sits where the
 * homeowner has marked at least three false positives of that class (boxes overlapping by
 * IoU ≥ 0.5) and no ignore zone for it covers the spot yet: a rectangle around those boxes.
 */
export function ignoreOfferFor(
  cameraId: string,
  detections: readonly Pick<Detection, 'objectClass' | 'confidence' | 'bbox'>[],
  falsePositives: (objectClass: string) => readonly FalsePositiveBoxes[],
  zones: readonly Zone[],
): IgnoreOffer | null {
  const best = new Map<string, Pick<Detection, 'confidence' | 'bbox'>>();
  for (const d of detections) {
    const had = best.get(d.objectClass);
    if (!had || d.confidence > had.confidence) best.set(d.objectClass, d);
  }
  for (const [objectClass, anchor] of best) {
    if (inIgnoreZone(zones, { objectClass, bbox: anchor.bbox })) continue;
    const here = box(anchor.bbox);
    const matching: { eventId: string; bbox: BBox }[] = [];
    for (const fp of falsePositives(objectClass)) {
      const hit = fp.boxes.find((b) => iou(here, box(b)) >= IGNORE_OFFER_IOU);
      if (hit) matching.push({ eventId: fp.eventId, bbox: hit });
    }
    if (matching.length < IGNORE_OFFER_AFTER) continue;
    const clamp = (v: number) => Math.min(1, Math.max(0, Math.round(v * 1000) / 1000));
    const x1 = clamp(Math.min(...matching.map((m) => m.bbox[0])) - MARGIN);
    const y1 = clamp(Math.min(...matching.map((m) => m.bbox[1])) - MARGIN);
    const x2 = clamp(Math.max(...matching.map((m) => m.bbox[2])) + MARGIN);
    const y2 = clamp(Math.max(...matching.map((m) => m.bbox[3])) + MARGIN);
    const points: Point[] = [
      [x1, y1],
      [x2, y1],
      [x2, y2],
      [x1, y2],
    ];
    return { cameraId, objectClass, points, eventIds: matching.map((m) => m.eventId) };
  }
  return null;
}
