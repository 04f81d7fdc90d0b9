import type { EffectiveCalibration } from '../../src-shared/calibration';
import type { RiskLevel, Zone } from '../../src-shared/domain';
import { footPoint, pointInPolygon } from '../../src-shared/geometry';
import type { BuiltInVariable } from '../../src-shared/prompts';
import { localClock } from '../../src-shared/schedule';

/** One detection as scorers and prompts see it. */
export interface ScoredDetection {
  id: string;
  objectClass: string;
  confidence: number;
  bbox: [number, number, number, number];
  detectedAt: string;
  stationary: boolean;
  /** The snapshot it was found in (vision prompts attach it). */
  imagePath?: string | null;
}

/** What a prompt can say about one batch of detections. */
export interface PromptContext {
  cameraId: string;
  cameraName: string;
  startedAt: string;
  endedAt: string;
  detections: ScoredDetection[];
  zones: Zone[];
  /** In effect at the batch's start (the night profile inside its window). */
  calibration: Omit<EffectiveCalibration, 'night'>;
}

/** One of the camera's earlier events, for `{{recent_activity}}`. */
export interface RecentEvent {
  id: string;
  startedAt: string;
  riskScore: number;
  riskLevel: RiskLevel;
  objectClasses: string[];
  summary: string;
}

/** Polygon zones (enabled) containing the detection's foot point. */
export function zonesFor(d: ScoredDetection, zones: readonly Zone[]): Zone[] {
  const p = footPoint(d.bbox);
  return zones.filter((z) => z.enabled && z.kind === 'polygon' && pointInPolygon(p, z.points));
}

/** Night 22–06, dusk or dawn 18–22 and 06–07, day otherwise, on the homeowner's clock. */
function timeContext(iso: string, timeZone?: string): string {
  const { minutes } = localClock(iso, timeZone);
  const hour = Math.floor(minutes / 60);
  const hhmm = `${String(hour).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  const label = hour >= 22 || hour < 6 ? 'night' : hour >= 18 || hour < 7 ? 'dusk' : 'day';
  return `${label}, ${hhmm} local time`;
}

/** At most this many detection lines; the rest are counted. */
const DETECTION_LINES = 40;
const RECENT_EVENTS = 5;

function detectionTable(ctx: PromptContext): string {
  const lines = ctx.detections.slice(0, DETECTION_LINES).map((d) => {
    const zones = zonesFor(d, ctx.zones).map((z) => z.name);
    const box = d.bbox.map((v) => v.toFixed(2)).join(',');
    return (
      `${d.detectedAt} | ${d.objectClass} | ${Math.round(d.confidence * 100)}% | ${box} | ` +
      `${zones.join(', ') || '-'}${d.stationary ? ' | stationary' : ''}`
    );
  });
  const more = ctx.detections.length - lines.length;
  return [
    'time | class | confidence | box x1,y1,x2,y2 (0-1) | zones',
    ...lines,
    ...(more > 0 ? [`… and ${more} more`] : []),
  ].join('\n');
}

function calibrationHint(c: PromptContext['calibration'], cameraId: string): string {
  const t = c.thresholds;
  const factors = Object.entries(c.classMultipliers)
    .filter(([, m]) => m !== 1)
    .map(([cls, m]) => `${cls} ×${m}`);
  const sensitivity = c.cameraSensitivity[cameraId];
  return [
    `scores from ${t.medium} are medium, from ${t.high} high, from ${t.critical} critical`,
    factors.length ? `class factors ${factors.join(', ')}` : '',
    sensitivity !== undefined && sensitivity !== 1
      ? `this camera's sensitivity ×${sensitivity}`
      : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** Every built-in variable's value for one batch. */
export function builtInValues(
  ctx: PromptContext,
  recent: readonly RecentEvent[],
  timeZone?: string,
): Record<BuiltInVariable, string> {
  const zones = ctx.zones
    .filter((z) => z.enabled)
    .map((z) => `- ${z.name} (${z.kind}, weight ${z.riskWeight})`);
  const activity = recent
    .slice(0, RECENT_EVENTS)
    .map(
      (e) =>
        `- ${e.startedAt} ${e.riskLevel} (${e.riskScore}) ${e.objectClasses.join(', ')}: ${e.summary}`,
    );
  return {
    camera_name: ctx.cameraName,
    camera_id: ctx.cameraId,
    start_time: ctx.startedAt,
    end_time: ctx.endedAt,
    time_context: timeContext(ctx.startedAt, timeZone),
    detections: detectionTable(ctx),
    zones: zones.length ? zones.join('\n') : 'No zones are drawn on this camera.',
    recent_activity: activity.length ? activity.join('\n') : 'No earlier events on this camera.',
    calibration_hint: calibrationHint(ctx.calibration, ctx.cameraId),
  };
}
