/**
 * Suggestions from the homeowner's own labels, pure: the thresholds and factors that would
 * have put their labelled events on the right side of "worth attention" (medium) best.
 *
 * Labels: a false positive should sit below medium; a missed threat at or above it; an event
 * marked correct should stay on the side of medium it is on now.
 */
import type { Multipliers } from './calibration';
import { MIN_THRESHOLD_GAP, moveThresholds } from './calibration';
import type { FeedbackType, RiskThresholds } from './domain';

export interface LabelledEvent {
  riskScore: number;
  type: FeedbackType;
  cameraId: string;
  objectClasses: string[];
}

/** A change to the calibration a suggestion would make. */
export interface CalibrationPatch {
  thresholds?: RiskThresholds;
  classMultipliers?: Multipliers;
  cameraSensitivity?: Multipliers;
}

export interface CalibrationSuggestion {
  kind: 'thresholds' | 'classMultiplier' | 'cameraSensitivity';
  /** The class or camera id (null for thresholds). */
  key: string | null;
  current: number;
  suggested: number;
  /** Labelled events on the wrong side of medium now, and with the suggestion. */
  errorsBefore: number;
  errorsAfter: number;
  reason: string;
  patch: CalibrationPatch;
  /** Events in the scope whose level would change if this alone were applied. */
  changes: number;
}

export interface CalibrationSuggestions {
  /** Labelled events in the scope. */
  labelled: number;
  suggestions: CalibrationSuggestion[];
}

/** Fewer labels than this say nothing worth suggesting. */
export const MIN_LABELS = 3;

/** Which side of medium each labelled event belongs on (true: at or above). */
function sides(labelled: readonly LabelledEvent[], medium: number) {
  return labelled
    .filter((l) => l.type !== 'severity_wrong')
    .map((l) => ({
      score: l.riskScore,
      above: l.type === 'missed_threat' || (l.type === 'correct' && l.riskScore >= medium),
    }));
}

/** Labelled events on the wrong side of `t` when every score is scaled by `factor`. */
function errorsAt(points: ReturnType<typeof sides>, t: number, factor = 1): number {
  let n = 0;
  for (const p of points) {
    const s = Math.min(100, Math.round(p.score * factor));
    if (s >= t !== p.above) n += 1;
  }
  return n;
}

/**
 * The medium threshold that separates the labels best (ties: nearest the current one), with
 * high and critical moved by as much; null when labels are too few or nothing is better.
 */
export function suggestThresholds(
  labelled: readonly LabelledEvent[],
  current: RiskThresholds,
): Omit<CalibrationSuggestion, 'changes'> | null {
  const points = sides(labelled, current.medium);
  if (points.length < MIN_LABELS) return null;
  const before = errorsAt(points, current.medium);
  let best = current.medium;
  let bestErrors = before;
  for (let t = 1; t <= 100 - 2 * MIN_THRESHOLD_GAP; t += 1) {
    const e = errorsAt(points, t);
    const nearer = Math.abs(t - current.medium) < Math.abs(best - current.medium);
    if (e < bestErrors || (e === bestErrors && nearer)) {
      best = t;
      bestErrors = e;
    }
  }
  if (best === current.medium) return null;
  const thresholds = moveThresholds(current, best - current.medium);
  return {
    kind: 'thresholds',
    key: null,
    current: current.medium,
    suggested: thresholds.medium,
    errorsBefore: before,
    errorsAfter: bestErrors,
    reason:
      `Medium at ${thresholds.medium} (high ${thresholds.high}, critical ${thresholds.critical}) ` +
      `would put ${points.length - bestErrors} of ${points.length} labelled events on the right ` +
      `side (now ${points.length - before}).`,
    patch: { thresholds },
  };
}

/**
 * Per class or camera: the factor (0.25–3 × the current one) that would put that group's
 * labelled events on the right side of medium best, scaling their scores; only groups with
 * enough labels and only when it fixes something.
 */
export function suggestFactors(
  labelled: readonly LabelledEvent[],
  current: {
    thresholds: RiskThresholds;
    classMultipliers: Multipliers;
    cameraSensitivity: Multipliers;
  },
  by: 'classMultiplier' | 'cameraSensitivity',
): Omit<CalibrationSuggestion, 'changes'>[] {
  const groups = new Map<string, LabelledEvent[]>();
  for (const l of labelled) {
    const keys = by === 'classMultiplier' ? new Set(l.objectClasses) : [l.cameraId];
    for (const k of keys) groups.set(k, [...(groups.get(k) ?? []), l]);
  }
  const table = by === 'classMultiplier' ? current.classMultipliers : current.cameraSensitivity;
  const out: Omit<CalibrationSuggestion, 'changes'>[] = [];
  for (const [key, group] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const points = sides(group, current.thresholds.medium);
    if (points.length < MIN_LABELS) continue;
    const before = errorsAt(points, current.thresholds.medium);
    if (before === 0) continue;
    const now = table[key] ?? 1;
    let best = 1;
    let bestErrors = before;
    for (let f = 0.25; f <= 3.0001; f += 0.05) {
      const factor = Math.round(f * 100) / 100;
      if (now * factor > 3) break;
      const e = errorsAt(points, current.thresholds.medium, factor);
      if (e < bestErrors || (e === bestErrors && Math.abs(factor - 1) < Math.abs(best - 1))) {
        best = factor;
        bestErrors = e;
      }
    }
    if (best === 1) continue;
    const suggested = Math.round(now * best * 100) / 100;
    const what = by === 'classMultiplier' ? `"${key}" multiplier` : `sensitivity of ${key}`;
    out.push({
      kind: by,
      key,
      current: now,
      suggested,
      errorsBefore: before,
      errorsAfter: bestErrors,
      reason:
        `${what} ${now} → ${suggested}: ${points.length - bestErrors} of ${points.length} ` +
        `labelled events on the right side of medium (now ${points.length - before}).`,
      patch:
        by === 'classMultiplier'
          ? { classMultipliers: { ...current.classMultipliers, [key]: suggested } }
          : { cameraSensitivity: { ...current.cameraSensitivity, [key]: suggested } },
    });
  }
  return out;
}
