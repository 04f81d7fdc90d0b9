/**
 * Calibration rules, pure (the main process applies them; the renderer can preview them):
 * threshold validation, the profile in effect at an instant, and learning from feedback.
 */
import type { FeedbackType, RiskThresholds } from './domain';
import type { ValidationIssue } from './errors';
import { inSchedule } from './schedule';

/** The smallest distance between two neighbouring risk-level thresholds. */
export const MIN_THRESHOLD_GAP = 5;
export const DEFAULT_DECAY_FACTOR = 0.1;

/** Per-class severity multipliers and per-camera sensitivity (each 0–3; 1 = unchanged). */
export type Multipliers = Record<string, number>;

/** Thresholds and class multipliers used instead of the day's inside a daily time window. */
export interface NightProfile {
  /** HH:MM; a start after the end spans midnight (22:00–06:00). */
  start: string;
  end: string;
  /** IANA time zone; the machine's own when absent. */
  timezone?: string;
  thresholds: RiskThresholds;
  classMultipliers: Multipliers;
}

export interface FeedbackCounts {
  correct: number;
  falsePositive: number;
  missedThreat: number;
  severityWrong: number;
}

export interface CalibrationSettings {
  thresholds: RiskThresholds;
  classMultipliers: Multipliers;
  cameraSensitivity: Multipliers;
  night: NightProfile | null;
  /** Learning rate of the feedback rule (0 = feedback never moves thresholds). */
  decayFactor: number;
}

export interface Calibration extends CalibrationSettings {
  /** Feedback applied so far, by type (reset keeps them). */
  feedback: FeedbackCounts;
  updatedAt: string;
}

/** What the scorers apply to one event. */
export interface EffectiveCalibration {
  thresholds: RiskThresholds;
  classMultipliers: Multipliers;
  cameraSensitivity: Multipliers;
  /** Whether the night profile was in effect. */
  night: boolean;
}

/** Issues (under the threshold's own name) where thresholds are not strictly increasing by 5. */
export function thresholdIssues(t: RiskThresholds): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (t.high - t.medium < MIN_THRESHOLD_GAP) {
    issues.push({
      path: ['high'],
      message: `High must be at least ${MIN_THRESHOLD_GAP} above medium (${t.medium})`,
    });
  }
  if (t.critical - t.high < MIN_THRESHOLD_GAP) {
    issues.push({
      path: ['critical'],
      message: `Critical must be at least ${MIN_THRESHOLD_GAP} above high (${t.high})`,
    });
  }
  return issues;
}

/** The calibration in effect at an instant: the night profile inside its window, else the day's. */
export function calibrationAt(c: CalibrationSettings, iso: string): EffectiveCalibration {
  const night =
    c.night !== null &&
    inSchedule(iso, {
      days: [0, 1, 2, 3, 4, 5, 6],
      start: c.night.start,
      end: c.night.end,
      timezone: c.night.timezone,
    });
  return {
    thresholds: night ? c.night!.thresholds : c.thresholds,
    classMultipliers: night
      ? { ...c.classMultipliers, ...c.night!.classMultipliers }
      : c.classMultipliers,
    cameraSensitivity: c.cameraSensitivity,
    night,
  };
}

/**
 * How far one piece of feedback moves every threshold (the reference system's rule): a base
 * step of 10 × decay (at least 1 while decay > 0), scaled up by how confident the wrong score
 * was. A false positive raises (more for a high score), a missed threat lowers (more for a
 * low score), a wrong severity moves half as far towards the other side of 50.
 */
export function feedbackStep(type: FeedbackType, riskScore: number, decayFactor: number): number {
  if (decayFactor <= 0 || type === 'correct') return 0;
  const base = Math.max(1, Math.floor(10 * decayFactor));
  const up = Math.floor(base * Math.max(1, riskScore / 50));
  const down = Math.floor(base * Math.max(1, (100 - riskScore) / 50));
  switch (type) {
    case 'false_positive':
      return up;
    case 'missed_threat':
      return -down;
    case 'severity_wrong':
      return riskScore > 50 ? Math.max(1, Math.floor(up / 2)) : -Math.max(1, Math.floor(down / 2));
  }
}

/**
 * Thresholds moved together by `step`, kept in order with the minimum gap and within range:
 * medium 1–90, high up to 95, critical up to 100 (a threshold at its bound pushes the others).
 */
export function moveThresholds(t: RiskThresholds, step: number): RiskThresholds {
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  const medium = clamp(t.medium + step, 1, 100 - 2 * MIN_THRESHOLD_GAP);
  const high = clamp(t.high + step, medium + MIN_THRESHOLD_GAP, 100 - MIN_THRESHOLD_GAP);
  const critical = clamp(t.critical + step, high + MIN_THRESHOLD_GAP, 100);
  return { medium, high, critical };
}

/**
 * The learning rule for one piece of feedback on an event: moves the thresholds in effect at
 * the event's time (the night profile's inside its window), all together.
 */
export function feedbackLearning(
  event: { riskScore: number; startedAt: string },
  type: FeedbackType,
): (c: CalibrationSettings) => Pick<CalibrationSettings, 'thresholds' | 'night'> {
  return (c) => {
    const step = feedbackStep(type, event.riskScore, c.decayFactor);
    if (c.night && calibrationAt(c, event.startedAt).night) {
      return {
        thresholds: c.thresholds,
        night: { ...c.night, thresholds: moveThresholds(c.night.thresholds, step) },
      };
    }
    return { thresholds: moveThresholds(c.thresholds, step), night: c.night };
  };
}
