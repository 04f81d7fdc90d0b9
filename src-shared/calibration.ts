/**
 * Calibration rules, pure (the main process applies them; the renderer can preview them):
 * threshold validation, the profile in effect at an instant, and learning from feedback.
 */
import type { FeedbackType, RiskLevel, RiskThresholds, SecurityEvent } from './domain';
import { riskLevelFor } from './domain';
import type { ValidationIssue } from './errors';
import { inDailyWindow, inSchedule, localClock, toMinutes } from './schedule';

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
  const { day, night } = profiles(c);
  const inside =
    night !== null &&
    inSchedule(iso, {
      days: [0, 1, 2, 3, 4, 5, 6],
      start: c.night!.start,
      end: c.night!.end,
      timezone: c.night!.timezone,
    });
  return inside ? night : day;
}

/** The day profile, and the night one (its thresholds, its multipliers over the day's). */
function profiles(c: CalibrationSettings): {
  day: EffectiveCalibration;
  night: EffectiveCalibration | null;
} {
  return {
    day: {
      thresholds: c.thresholds,
      classMultipliers: c.classMultipliers,
      cameraSensitivity: c.cameraSensitivity,
      night: false,
    },
    night: c.night && {
      thresholds: c.night.thresholds,
      classMultipliers: { ...c.classMultipliers, ...c.night.classMultipliers },
      cameraSensitivity: c.cameraSensitivity,
      night: true,
    },
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

/**
 * What an event's score is made of, before calibration: per object class, the score the
 * event would have from that class alone (rules: base × zone weight × confidence × time of
 * day × count; LLM: the model's raw score for each class it saw). Re-evaluation needs only
 * these and the calibration.
 */
export type ScoreComponents = Record<string, number>;

/**
 * The calibrated score: the best class component times its class multiplier, times the
 * camera's sensitivity, rounded and clamped to 0..100. Both scorers and re-evaluation use it.
 */
export function calibratedScore(
  components: ScoreComponents,
  c: Pick<EffectiveCalibration, 'classMultipliers' | 'cameraSensitivity'>,
  cameraId: string,
): number {
  let best = 0;
  for (const cls in components) {
    const v = components[cls]! * (c.classMultipliers[cls] ?? 1);
    if (v > best) best = v;
  }
  return Math.round(Math.min(100, Math.max(0, best * (c.cameraSensitivity[cameraId] ?? 1))));
}

/**
 * The components stored with an event, or for events scored before they were kept: the raw
 * score for each of its classes (what the LLM formula does).
 */
export function storedComponents(
  stored: string | null,
  rawScore: number | null,
  classes: readonly string[],
): ScoreComponents {
  if (stored) return JSON.parse(stored) as ScoreComponents;
  const raw = rawScore ?? 0;
  const out: ScoreComponents = {};
  for (const c of classes.length ? classes : ['']) out[c] = raw;
  return out;
}

/** An event's score and level under a calibration (`resolve` gives the profile at its time). */
export function scoreUnder(
  resolve: (iso: string) => EffectiveCalibration,
  e: { components: ScoreComponents; cameraId: string; startedAt: string },
): { riskScore: number; riskLevel: RiskLevel } {
  const c = resolve(e.startedAt);
  const riskScore = calibratedScore(e.components, c, e.cameraId);
  return { riskScore, riskLevel: riskLevelFor(riskScore, c.thresholds) };
}

const HOUR_MS = 3_600_000;

/**
 * `calibrationAt` for many instants: whether the night window covers an instant is read from
 * a per-hour cache of the local clock (one `Intl` call per distinct hour, not per event).
 * Instants are ISO strings in UTC.
 */
export function calibrationResolver(c: CalibrationSettings): (iso: string) => EffectiveCalibration {
  const { day, night } = profiles(c);
  if (!night || !c.night) return () => day;
  const { timezone } = c.night;
  const start = toMinutes(c.night.start);
  const end = toMinutes(c.night.end);
  const hourStart = new Map<number, number>();
  return (iso) => {
    const ms = Date.parse(iso);
    const hour = Math.floor(ms / HOUR_MS);
    let local = hourStart.get(hour);
    if (local === undefined) {
      local = localClock(new Date(hour * HOUR_MS).toISOString(), timezone).minutes;
      hourStart.set(hour, local);
    }
    const minutes = (local + Math.floor((ms - hour * HOUR_MS) / 60_000)) % 1440;
    return inDailyWindow(minutes, start, end) ? night : day;
  };
}

/** Rules that would start or stop matching, with how many events. */
export interface RuleShiftCount {
  ruleId: string;
  name: string;
  events: number;
}

/** What a candidate calibration would do to the events of a scope (nothing is written). */
export interface CalibrationPreview {
  /** Events in the scope. */
  total: number;
  /** Events whose level would change. */
  changed: number;
  /** Events whose score would change (level or not). */
  scoreChanged: number;
  /** Events by level now (rows) and under the candidate (columns). */
  matrix: Record<RiskLevel, Record<RiskLevel, number>>;
  rulesNewlyMatching: RuleShiftCount[];
  rulesNoLongerMatching: RuleShiftCount[];
  /** Some changed events, newest first, with their new score and level. */
  sample: (SecurityEvent & { previousRiskScore: number; previousRiskLevel: RiskLevel })[];
  /**
   * Current scores of the scope's events the day profile applies to, by current level: index
   * = score 0..100 (the page's sliders count level changes from it without asking again).
   */
  histogram: Record<RiskLevel, number[]>;
}
