import type {
  AlertRule,
  AlertSchedule,
  Detection,
  SecurityEvent,
  Zone,
} from '../../src-shared/domain';
import { footPoint, pointInPolygon } from '../risk/risk-scorer';

export interface RuleContext {
  event: SecurityEvent;
  detections: Pick<Detection, 'objectClass' | 'confidence' | 'bbox' | 'detectedAt'>[];
  zones: Zone[];
}

export interface RuleEvaluation {
  matches: boolean;
  matchedConditions: string[];
  failedConditions: string[];
}

const DAY_INDEX: Record<string, number> = {
  Sun: 0,
  Mon: 1,
  Tue: 2,
  Wed: 3,
  Thu: 4,
  Fri: 5,
  Sat: 6,
};

// Building an Intl.DateTimeFormat costs ~100 µs: one per time zone, reused.
const formats = new Map<string, Intl.DateTimeFormat>();
function clockFormat(timeZone?: string): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(key, f);
  }
  return f;
}

/** Weekday (0 = Sunday) and minutes since midnight of an instant in a time zone. */
export function localClock(iso: string, timeZone?: string): { day: number; minutes: number } {
  const parts = clockFormat(timeZone).formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '0';
  return {
    day: DAY_INDEX[get('weekday')] ?? 0,
    minutes: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Whether an instant falls in the schedule. A window whose start is after its end spans
 * midnight and belongs to the day it starts on (Friday 22:00–06:00 covers Saturday 03:00).
 */
export function inSchedule(iso: string, s: AlertSchedule): boolean {
  const { day, minutes } = localClock(iso, s.timezone);
  const start = toMinutes(s.start);
  const end = toMinutes(s.end);
  if (start === end) return s.days.includes(day); // the whole day
  if (start < end) return s.days.includes(day) && minutes >= start && minutes < end;
  if (minutes >= start) return s.days.includes(day);
  return minutes < end && s.days.includes((day + 6) % 7);
}

/** Which side of the line a point is on (sign of the cross product). */
function side(p: [number, number], a: [number, number], b: [number, number]): number {
  return Math.sign((b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]));
}

/** A zone is entered when a detection stands in its polygon, or crosses its line between snapshots. */
export function detectionsInZone(detections: RuleContext['detections'], zone: Zone): boolean {
  if (!zone.enabled) return false;
  if (zone.kind === 'polygon')
    return detections.some((d) => pointInPolygon(footPoint(d.bbox), zone.points));
  const [a, b] = zone.points as [[number, number], [number, number]];
  const byClass = new Map<string, number[]>();
  for (const d of [...detections].sort((x, y) => x.detectedAt.localeCompare(y.detectedAt))) {
    const s = side(footPoint(d.bbox), a, b);
    if (s === 0) return true;
    const sides = byClass.get(d.objectClass) ?? [];
    sides.push(s);
    byClass.set(d.objectClass, sides);
  }
  return [...byClass.values()].some((sides) => sides.some((s) => s !== sides[0]));
}

/** Every condition of the rule, ANDed; the names of those that matched and failed. */
export function evaluateRule(rule: AlertRule, ctx: RuleContext): RuleEvaluation {
  const matched: string[] = [];
  const failed: string[] = [];
  const check = (name: string, ok: boolean) => (ok ? matched : failed).push(name);
  const { event, detections } = ctx;
  if (rule.minRiskScore !== null) check('minRiskScore', event.riskScore >= rule.minRiskScore);
  if (rule.riskLevels) check('riskLevels', rule.riskLevels.includes(event.riskLevel));
  if (rule.cameraIds) check('cameraIds', rule.cameraIds.includes(event.cameraId));
  const relevant = rule.objectClasses
    ? detections.filter((d) => rule.objectClasses!.includes(d.objectClass))
    : detections;
  if (rule.objectClasses) {
    check(
      'objectClasses',
      relevant.length > 0 || event.objectClasses.some((c) => rule.objectClasses!.includes(c)),
    );
  }
  if (rule.minConfidence !== null) {
    check(
      'minConfidence',
      relevant.some((d) => d.confidence >= rule.minConfidence!),
    );
  }
  if (rule.zoneIds) {
    const zones = ctx.zones.filter((z) => rule.zoneIds!.includes(z.id));
    check(
      'zoneIds',
      zones.some((z) => detectionsInZone(relevant, z)),
    );
  }
  if (rule.schedule) check('schedule', inSchedule(event.startedAt, rule.schedule));
  return {
    matches: rule.enabled && failed.length === 0,
    matchedConditions: matched,
    failedConditions: failed,
  };
}

export function dedupKey(rule: AlertRule, event: SecurityEvent): string {
  return rule.dedupKeyTemplate.replace(/\{(\w+)\}/g, (_m, key: string) => {
    switch (key) {
      case 'cameraId':
        return event.cameraId;
      case 'ruleId':
        return rule.id;
      case 'severity':
        return rule.severity;
      case 'objectClass':
        return event.objectClasses[0] ?? '';
      default:
        return '';
    }
  });
}
