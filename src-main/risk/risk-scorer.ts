import type { Point, RiskLevel, Scorer, Zone } from '../../src-shared/domain';
import type { Calibration } from '../calibration/calibration-repository';

/** One detection as the scorers see it. */
export interface ScoredDetection {
  id: string;
  objectClass: string;
  confidence: number;
  bbox: [number, number, number, number];
  detectedAt: string;
  stationary: boolean;
}

/** Everything a scorer needs about one closed batch. */
export interface BatchContext {
  batchId: string;
  cameraId: string;
  cameraName: string;
  startedAt: string;
  endedAt: string;
  detections: ScoredDetection[];
  zones: Zone[];
  calibration: Calibration;
  isFastPath: boolean;
}

export interface RiskAssessment {
  riskScore: number;
  rawRiskScore: number;
  riskLevel: RiskLevel;
  summary: string;
  reasoning: string;
  scorer: Scorer;
  model: string | null;
  promptVersionId: string | null;
  latencyMs: number;
}

/** Scores a batch of detections. The rules scorer never fails; the LLM scorer may. */
export interface RiskScorer {
  readonly name: Scorer;
  score(batch: BatchContext): Promise<RiskAssessment>;
}

/** Ray casting: is the point inside the polygon (normalised coordinates)? */
export function pointInPolygon([x, y]: Point, polygon: Point[]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i, i += 1) {
    const [xi, yi] = polygon[i]!;
    const [xj, yj] = polygon[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** The point a person or vehicle stands on: the bottom centre of its box. */
export function footPoint(bbox: [number, number, number, number]): Point {
  return [(bbox[0] + bbox[2]) / 2, bbox[3]];
}

/** Polygon zones (enabled) containing the detection's foot point. */
export function zonesFor(d: ScoredDetection, zones: Zone[]): Zone[] {
  const p = footPoint(d.bbox);
  return zones.filter((z) => z.enabled && z.kind === 'polygon' && pointInPolygon(p, z.points));
}
