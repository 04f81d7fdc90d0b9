/** Geometry on normalised (0..1) or pixel boxes; pure, shared by main and renderer. */
import type { Point } from './domain';

/** An axis-aligned box by its corners. */
export interface BoxLike {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** [x1, y1, x2, y2] as a box. */
export function box(b: readonly [number, number, number, number]): BoxLike {
  return { x1: b[0], y1: b[1], x2: b[2], y2: b[3] };
}

/** Intersection over union of two boxes (0 when they do not overlap). */
export function iou(a: BoxLike, b: BoxLike): number {
  const ix = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1));
  const iy = Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
  const inter = ix * iy;
  if (inter <= 0) return 0;
  const areaA = (a.x2 - a.x1) * (a.y2 - a.y1);
  const areaB = (b.x2 - b.x1) * (b.y2 - b.y1);
  return inter / (areaA + areaB - inter);
}

/** Ray casting: is the point inside the polygon? */
export function pointInPolygon([x, y]: Point, polygon: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i, i += 1) {
    const [xi, yi] = polygon[i]!;
    const [xj, yj] = polygon[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** The point a person or vehicle stands on: the bottom centre of its box. */
export function footPoint(bbox: readonly [number, number, number, number]): Point {
  return [(bbox[0] + bbox[2]) / 2, bbox[3]];
}

/** Which side of the line a→b a point is on (sign of the cross product; 0 on the line). */
export function sideOfLine(p: Point, a: Point, b: Point): number {
  return Math.sign((b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]));
}
