import type { RiskLevel, Scorer, Zone } from '../../src-shared/domain';
import { footPoint, pointInPolygon } from '../../src-shared/geometry';
import type { EffectiveCalibration, ScoreComponents } from '../../src-shared/calibration';

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
  /** In effect at the batch's start (the night profile inside its window). */
  calibration: Omit<EffectiveCalibration, 'night'>;
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
  /** What the score is made of before calibration (re-evaluation recomputes from these). */
  components: ScoreComponents;
  latencyMs: number;
}

/** Scores a batch of detections. The rules scorer never fails; the LLM scorer may. */
export interface RiskScorer {
  readonly name: Scorer;
  score(batch: BatchContext): Promise<RiskAssessment>;
}

/** Polygon zones (enabled) containing the detection's foot point. */
export function zonesFor(d: ScoredDetection, zones: readonly Zone[]): Zone[] {
  const p = footPoint(d.bbox);
  return zones.filter((z) => z.enabled && z.kind === 'polygon' && pointInPolygon(p, z.points));
}
