import type { AlertRule, Detection, SecurityEvent, Zone } from '../../src-shared/domain';
import { footPoint, pointInPolygon, sideOfLine } from '../../src-shared/geometry';
import { inSchedule } from '../../src-shared/schedule';

/** What the rules read of an event. */
export type RuleEvent = Pick<
  SecurityEvent,
  'riskScore' | 'riskLevel' | 'cameraId' | 'objectClasses' | 'startedAt'
>;

export interface RuleContext {
  event: RuleEvent;
  detections: Pick<Detection, 'objectClass' | 'confidence' | 'bbox' | 'detectedAt'>[];
  zones: Zone[];
}

export interface RuleEvaluation {
  matches: boolean;
  matchedConditions: string[];
  failedConditions: string[];
}

/** A zone is entered when a detection stands in its polygon, or crosses its line between snapshots. */
export function detectionsInZone(detections: RuleContext['detections'], zone: Zone): boolean {
  if (!zone.enabled) return false;
  if (zone.kind !== 'line')
    return detections.some((d) => pointInPolygon(footPoint(d.bbox), zone.points));
  const [a, b] = zone.points as [[number, number], [number, number]];
  const byClass = new Map<string, number[]>();
  for (const d of [...detections].sort((x, y) => x.detectedAt.localeCompare(y.detectedAt))) {
    const s = sideOfLine(footPoint(d.bbox), a, b);
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

export function dedupKey(
  rule: AlertRule,
  event: Pick<SecurityEvent, 'cameraId' | 'objectClasses'>,
): string {
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

/** Whether a rule's conditions on the score hold (true when it has none). */
export function scoreConditionsHold(
  rule: AlertRule,
  s: Pick<SecurityEvent, 'riskScore' | 'riskLevel'>,
): boolean {
  return (
    (rule.minRiskScore === null || s.riskScore >= rule.minRiskScore) &&
    (!rule.riskLevels || rule.riskLevels.includes(s.riskLevel))
  );
}

/**
 * The rule's verdict on an event from the event alone (score, level, camera, schedule,
 * classes), or undefined when its detections decide (confidence, zones, stationary classes).
 * Agrees with `evaluateRule` wherever it answers.
 */
export function verdictWithoutDetections(rule: AlertRule, e: RuleEvent): boolean | undefined {
  if (!rule.enabled || !scoreConditionsHold(rule, e)) return false;
  if (rule.cameraIds && !rule.cameraIds.includes(e.cameraId)) return false;
  if (rule.schedule && !inSchedule(e.startedAt, rule.schedule)) return false;
  if (rule.minConfidence !== null || rule.zoneIds !== null) return undefined;
  if (rule.objectClasses && !e.objectClasses.some((c) => rule.objectClasses!.includes(c)))
    return undefined;
  return true;
}

/** Whether any of the rules' score conditions hold before a score change and not after, or back. */
export function flipsAnyRule(
  rules: readonly AlertRule[],
  before: Pick<SecurityEvent, 'riskScore' | 'riskLevel'>,
  after: Pick<SecurityEvent, 'riskScore' | 'riskLevel'>,
): boolean {
  return rules.some((r) => scoreConditionsHold(r, before) !== scoreConditionsHold(r, after));
}
