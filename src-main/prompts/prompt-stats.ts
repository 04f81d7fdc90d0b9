import { createHash } from 'node:crypto';
import type { FeedbackType } from '../../src-shared/domain';
import type { ExperimentVariant, PromptRollback, RollbackPolicy } from '../../src-shared/prompts';

/**
 * The variant a batch is analysed with: a hash of the batch id placed on the weights'
 * cumulative line, so the same batch always gets the same version and the shares follow the
 * weights.
 */
export function pickVariant(batchId: string, variants: readonly ExperimentVariant[]): string {
  const weighted = variants.filter((v) => v.weight > 0);
  const total = weighted.reduce((sum, v) => sum + v.weight, 0);
  const digest = createHash('sha256').update(batchId).digest();
  const point = (digest.readUIntBE(0, 6) / 2 ** 48) * total;
  let edge = 0;
  for (const v of weighted) {
    edge += v.weight;
    if (point < edge) return v.versionId;
  }
  return weighted[weighted.length - 1]!.versionId;
}

/** A version's runs in an experiment, as the rollback rule reads them. */
export interface RunSummary {
  /** Every run, answered or not. */
  runs: number;
  /** Runs that got an answer, valid or not. */
  answered: number;
  parseFailures: number;
  /** Over every run: one that never answered counts with the time it waited. */
  p95LatencyMs: number | null;
}

const pct = (v: number | null) => (v === null ? 'n/a' : `${Math.round(v * 100)} %`);

/**
 * Whether a candidate should leave its experiment: once it has `minRuns` runs, when its
 * parse-failure rate exceeds the active version's by more than the margin, or its p95
 * latency (runs that never answered included) exceeds the active one's by more than the
 * latency margin.
 */
export function rollbackVerdict(
  c: RunSummary,
  a: RunSummary,
  policy: RollbackPolicy,
): Pick<PromptRollback, 'reason' | 'detail'> | null {
  if (c.runs < policy.minRuns) return null;
  const cRate = c.answered ? c.parseFailures / c.answered : 0;
  const aRate = a.answered ? a.parseFailures / a.answered : 0;
  if (cRate - aRate > policy.parseFailureMargin) {
    return {
      reason: 'parse_failures',
      detail: `Parse failures ${pct(cRate)} against ${pct(aRate)} for the active version (margin ${pct(policy.parseFailureMargin)}) over ${c.answered} answers`,
    };
  }
  if (
    c.p95LatencyMs !== null &&
    a.p95LatencyMs !== null &&
    c.p95LatencyMs > a.p95LatencyMs * (1 + policy.latencyMargin)
  ) {
    return {
      reason: 'latency',
      detail: `p95 latency ${Math.round(c.p95LatencyMs)} ms against ${Math.round(a.p95LatencyMs)} ms for the active version (margin ${pct(policy.latencyMargin)}) over ${c.runs} runs`,
    };
  }
  return null;
}

/**
 * Whether a score agrees with the homeowner's feedback on its event: a false positive belongs
 * below medium, a missed threat at or above it, an event marked correct on the side its
 * stored score is on. Severity feedback does not say which side: null.
 */
export function agreesWithFeedback(
  type: FeedbackType | null | undefined,
  score: number,
  storedScore: number,
  medium: number,
): boolean | null {
  switch (type) {
    case 'false_positive':
      return score < medium;
    case 'missed_threat':
      return score >= medium;
    case 'correct':
      return score >= medium === storedScore >= medium;
    default:
      return null;
  }
}

/** The `SHADOW_BUCKETS` index of a score difference (candidate minus active). */
export function shadowBucket(diff: number): number {
  if (diff <= -20) return 0;
  if (diff < -5) return 1;
  if (diff <= 5) return 2;
  if (diff < 20) return 3;
  return 4;
}
