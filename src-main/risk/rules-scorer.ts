import type { Zone } from '../../src-shared/domain';
import { riskLevelFor } from '../../src-shared/domain';
import type { ScoreComponents } from '../../src-shared/calibration';
import { calibratedScore } from '../../src-shared/calibration';
import type { BatchContext, RiskAssessment, RiskScorer, ScoredDetection } from './risk-scorer';
import { zonesFor } from './risk-scorer';

/** Base severity per class (0..100): people matter most, then vehicles, then animals. */
export const BASE_SEVERITY: Record<string, number> = {
  person: 55,
  car: 30,
  truck: 32,
  bus: 25,
  motorcycle: 32,
  bicycle: 22,
  dog: 12,
  cat: 8,
  bird: 4,
};
const DEFAULT_SEVERITY = 15;

/** Night (22:00–05:59) 1.4, dusk/dawn (18–21, 6) 1.15, day 1.0 — local time of the event. */
export function timeOfDayFactor(iso: string): { factor: number; label: string } {
  const hour = new Date(iso).getHours();
  if (hour >= 22 || hour < 6) return { factor: 1.4, label: 'night' };
  if (hour >= 18 || hour < 7) return { factor: 1.15, label: 'dusk or dawn' };
  return { factor: 1, label: 'daytime' };
}

/** More objects is more concerning, up to ×1.5: 1 + 0.1 per extra moving object. */
export function countFactor(n: number): number {
  return Math.min(1.5, 1 + 0.1 * Math.max(0, n - 1));
}

function plural(n: number, word: string): string {
  if (n === 1) return `1 ${word}`;
  return `${n} ${word === 'person' ? 'people' : `${word}s`}`;
}

const severity = (d: ScoredDetection, zoneWeight: number) =>
  (BASE_SEVERITY[d.objectClass] ?? DEFAULT_SEVERITY) * zoneWeight * d.confidence;

/**
 * The rules scorer's score before calibration, per class: the best of its detections'
 * base × zone weight × confidence (moving ones; all when none moves), × time of day × count.
 */
export function rulesComponents(
  detections: readonly ScoredDetection[],
  zones: readonly Zone[],
  startedAt: string,
): ScoreComponents {
  const moving = detections.filter((d) => !d.stationary);
  const considered = moving.length > 0 ? moving : detections;
  const factor = timeOfDayFactor(startedAt).factor * countFactor(distinctObjects(moving));
  const components: ScoreComponents = {};
  for (const d of considered) {
    const inZones = zonesFor(d, zones);
    const zoneWeight = inZones.length ? Math.max(...inZones.map((z) => z.riskWeight)) : 1;
    const c = severity(d, zoneWeight) * factor;
    components[d.objectClass] = Math.max(components[d.objectClass] ?? 0, c);
  }
  return components;
}

/**
 * The deterministic scorer, always available:
 *   component of a class: max over its detections of base(class) × zoneWeight × confidence,
 *     × timeOfDay × count;
 *   score: max over classes of component × classMultiplier, × cameraSensitivity, clamped to
 *     0..100 (`calibratedScore`). The raw score is the largest component.
 */
export class RulesScorer implements RiskScorer {
  readonly name = 'rules' as const;

  score(batch: BatchContext): Promise<RiskAssessment> {
    const started = performance.now();
    const { calibration } = batch;
    const moving = batch.detections.filter((d) => !d.stationary);
    const considered = moving.length > 0 ? moving : batch.detections;
    const sensitivity = calibration.cameraSensitivity[batch.cameraId] ?? 1;
    const tod = timeOfDayFactor(batch.startedAt);
    const count = countFactor(distinctObjects(moving));

    const components = rulesComponents(batch.detections, batch.zones, batch.startedAt);
    // The detection that weighs most after calibration, for the explanation.
    let best = { calibrated: 0, d: undefined as ScoredDetection | undefined, zone: '' };
    for (const d of considered) {
      const classMultiplier = calibration.classMultipliers[d.objectClass] ?? 1;
      const zones = zonesFor(d, batch.zones);
      const zoneWeight = zones.length ? Math.max(...zones.map((z) => z.riskWeight)) : 1;
      const calibrated = severity(d, zoneWeight) * classMultiplier * sensitivity;
      if (calibrated > best.calibrated || !best.d) {
        best = { calibrated, d, zone: zones.find((z) => z.riskWeight === zoneWeight)?.name ?? '' };
      }
    }
    const riskScore = calibratedScore(components, calibration, batch.cameraId);
    const rawRiskScore = Math.round(Math.min(100, Math.max(0, ...Object.values(components))));
    const riskLevel = riskLevelFor(riskScore, calibration.thresholds);

    const counts = new Map<string, number>();
    for (const d of moving) counts.set(d.objectClass, (counts.get(d.objectClass) ?? 0) + 1);
    const what =
      [...counts.entries()].map(([c, n]) => plural(n, c)).join(', ') || 'Only stationary objects';
    const summary = `${what} at ${batch.cameraName}${best.zone ? ` in ${best.zone}` : ''} (${tod.label})`;
    const reasons = [
      best.d
        ? `Highest concern: ${best.d.objectClass} at ${Math.round(best.d.confidence * 100)}% confidence ` +
          `(base ${BASE_SEVERITY[best.d.objectClass] ?? DEFAULT_SEVERITY}).`
        : 'No detections.',
      best.zone ? `Inside zone "${best.zone}".` : 'Not inside a weighted zone.',
      `Time of day: ${tod.label} (×${tod.factor}).`,
      count > 1 ? `${distinctObjects(moving)} moving objects (×${count.toFixed(1)}).` : '',
      sensitivity !== 1 ? `Camera sensitivity ×${sensitivity}.` : '',
      best.d && (calibration.classMultipliers[best.d.objectClass] ?? 1) !== 1
        ? `Class multiplier ×${calibration.classMultipliers[best.d.objectClass]}.`
        : '',
      batch.detections.length > moving.length
        ? `${batch.detections.length - moving.length} stationary detection(s) ignored.`
        : '',
    ].filter(Boolean);
    return Promise.resolve({
      riskScore,
      rawRiskScore,
      riskLevel,
      summary,
      reasoning: reasons.join(' '),
      scorer: 'rules',
      model: null,
      promptVersionId: null,
      components,
      latencyMs: performance.now() - started,
    });
  }
}

/** Objects across a batch's images: the largest count of each class in any one image. */
function distinctObjects(detections: readonly ScoredDetection[]): number {
  const perImage = new Map<string, Map<string, number>>();
  for (const d of detections) {
    const img = perImage.get(d.detectedAt) ?? new Map<string, number>();
    img.set(d.objectClass, (img.get(d.objectClass) ?? 0) + 1);
    perImage.set(d.detectedAt, img);
  }
  const maxPerClass = new Map<string, number>();
  for (const img of perImage.values()) {
    for (const [c, n] of img) maxPerClass.set(c, Math.max(maxPerClass.get(c) ?? 0, n));
  }
  return [...maxPerClass.values()].reduce((a, b) => a + b, 0);
}
