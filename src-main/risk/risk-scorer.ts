import type { EventAnalysis, RiskLevel, Scorer } from '../../src-shared/domain';
import type { ScoreComponents } from '../../src-shared/calibration';
import type { PromptContext, ScoredDetection } from '../prompts';

export type { ScoredDetection };
export { zonesFor } from '../prompts';

/** Everything a scorer needs about one closed batch. */
export interface BatchContext extends PromptContext {
  batchId: string;
  /** Set when a stored event is scored again (its runs are recorded against it). */
  eventId?: string;
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
  /** The structured answer's extra fields (LLM only). */
  analysis?: EventAnalysis | null;
}

/** Scores a batch of detections. The rules scorer never fails; the LLM scorer may. */
export interface RiskScorer {
  readonly name: Scorer;
  score(batch: BatchContext): Promise<RiskAssessment>;
}
