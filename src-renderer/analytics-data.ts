/**
 * The Analytics page's data shaping, React-free: the picked range as the channels' input (days
 * are UTC calendar days, like the server's counters), trend rows as chart series with every day
 * of the range filled in, and the sentences and numbers the charts and their tables show.
 */
import type {
  ActivityHeatmap,
  DetectionTrendRow,
  RiskHistoryRow,
  StorageUsage,
} from '../src-shared/analytics';
import type { ChannelInput } from '../src-shared/contract';
import { RISK_LEVELS } from '../src-shared/domain';
import { plural } from './format';
import { RISK_LABELS } from './risk';

/** What every analytics channel takes. */
export type AnalyticsRange = ChannelInput<'analytics.riskHistory'>;

export const RANGE_PRESETS = [7, 30, 90] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

/** A preset ("the last N days", today included) or two days picked by hand (both included). */
export type RangeChoice = { preset: RangePreset } | { preset: 'custom'; from: string; to: string };

const DAY_MS = 86_400_000;
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** The UTC calendar day an instant falls in. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Midnight UTC starting a day, in ms; NaN when it is not a real `YYYY-MM-DD` day. */
export function dayStart(day: string): number {
  if (!DAY_RE.test(day)) return NaN;
  const ms = Date.parse(`${day}T00:00:00.000Z`);
  return Number.isNaN(ms) || utcDay(ms) !== day ? NaN : ms;
}

export function addDays(day: string, n: number): string {
  return utcDay(dayStart(day) + n * DAY_MS);
}

/** Every day from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = dayStart(from); t <= dayStart(to); t += DAY_MS) days.push(utcDay(t));
  return days;
}

/** The first and last day a choice covers (a preset ends today). */
export function rangeDays(choice: RangeChoice, now = Date.now()): { from: string; to: string } {
  if (choice.preset === 'custom') return { from: choice.from, to: choice.to };
  const today = utcDay(now);
  return { from: addDays(today, 1 - choice.preset), to: today };
}

/** Why a hand-picked range cannot be shown, or null. */
export function rangeProblem(choice: RangeChoice): string | null {
  if (choice.preset !== 'custom') return null;
  if (!choice.from || !choice.to) return 'Pick both days.';
  if (Number.isNaN(dayStart(choice.from)) || Number.isNaN(dayStart(choice.to)))
    return 'Use days like 2026-03-31.';
  if (choice.from > choice.to) return '"From" must not be after "To".';
  return null;
}

/**
 * The channels' input: from the first day's midnight UTC to the end of the last day (a preset
 * runs until now); null while the range is not valid. No cameras picked: all of them.
 */
export function rangeInput(
  choice: RangeChoice,
  cameraIds: readonly string[],
  now = Date.now(),
): AnalyticsRange | null {
  if (rangeProblem(choice)) return null;
  const { from, to } = rangeDays(choice, now);
  return {
    from: new Date(dayStart(from)).toISOString(),
    ...(choice.preset === 'custom' && { to: new Date(dayStart(to) + DAY_MS).toISOString() }),
    ...(cameraIds.length > 0 && { cameraIds: [...cameraIds].sort() }),
  };
}

/** "the last 7 days", "2026-03-01 to 2026-03-31", "2026-03-01". */
export function rangeText(choice: RangeChoice): string {
  if (choice.preset !== 'custom') return `the last ${choice.preset} days`;
  return choice.from === choice.to ? choice.from : `${choice.from} to ${choice.to}`;
}

/** A chart's days and its series over them (0 where a day has nothing). */
export interface DailySeries {
  days: string[];
  series: { key: string; label: string; values: number[]; total: number }[];
}

/** Detections per day, one series per class, the most frequent class first. */
export function trendSeries(rows: readonly DetectionTrendRow[], days: string[]): DailySeries {
  const at = new Map(days.map((d, i) => [d, i]));
  const byClass = new Map<string, number[]>();
  for (const r of rows) {
    const i = at.get(r.day);
    if (i === undefined) continue;
    let values = byClass.get(r.objectClass);
    if (!values) byClass.set(r.objectClass, (values = days.map(() => 0)));
    values[i]! += r.count;
  }
  const series = [...byClass].map(([c, values]) => ({
    key: c,
    label: c,
    values,
    total: values.reduce((a, b) => a + b, 0),
  }));
  series.sort((a, b) => b.total - a.total || a.key.localeCompare(b.key));
  return { days, series };
}

/** Events per day, one series per risk level (low to critical, each always there). */
export function riskSeries(rows: readonly RiskHistoryRow[], days: string[]): DailySeries {
  const at = new Map(days.map((d, i) => [d, i]));
  const series = RISK_LEVELS.map((level) => {
    const values = days.map(() => 0);
    for (const r of rows) {
      const i = at.get(r.day);
      if (i !== undefined) values[i]! += r.counts[level];
    }
    return {
      key: level,
      label: RISK_LABELS[level],
      values,
      total: values.reduce((a, b) => a + b, 0),
    };
  });
  return { days, series };
}

/**
 * Stacked bars drawn back to front: each series with its values summed with those before it
 * (its bar reaches the top of its part of the stack), the top of the stack first.
 */
export function stackForDrawing<T extends { values: number[] }>(
  series: readonly T[],
): (T & { stacked: number[] })[] {
  const sums: number[] = [];
  const out = series.map((x) => ({
    ...x,
    stacked: x.values.map((v, i) => (sums[i] = (sums[i] ?? 0) + v)),
  }));
  return out.reverse();
}

/** The days that have anything, with each series' value and their sum: the table's rows. */
export function seriesRows(s: DailySeries): { day: string; values: number[]; total: number }[] {
  return s.days.flatMap((day, i) => {
    const values = s.series.map((x) => x.values[i] ?? 0);
    const total = values.reduce((a, b) => a + b, 0);
    return total > 0 ? [{ day, values, total }] : [];
  });
}

/** What a daily chart shows, in a sentence (its accessible name). */
export function seriesSummary(s: DailySeries, what: string, unit: string): string {
  const rows = seriesRows(s);
  const total = rows.reduce((a, r) => a + r.total, 0);
  const span = s.days.length ? `${s.days[0]} to ${s.days[s.days.length - 1]}` : 'no days';
  if (total === 0) return `${what}, ${span}: none`;
  const parts = s.series.filter((x) => x.total > 0).map((x) => `${x.label} ${x.total}`);
  const busiest = rows.reduce((a, r) => (r.total > a.total ? r : a));
  return `${what}, ${span}: ${plural(total, unit)} (${parts.join(', ')}); most on ${busiest.day} (${busiest.total})`;
}

/** Seconds since 1970 at a day's midnight UTC: the time charts' x values. */
export function daySeconds(day: string): number {
  return dayStart(day) / 1000;
}

export const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const WEEKDAY_NAMES = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
] as const;

export function hourText(hour: number): string {
  return `${String(hour).padStart(2, '0')}:00`;
}

/** Heat 0..4 for a cell: 0 only when nothing happened, 4 at the busiest hour. */
export function heatLevel(count: number, max: number): number {
  if (count <= 0 || max <= 0) return 0;
  return Math.max(1, Math.ceil((count / max) * 4));
}

export function heatmapTotal(h: ActivityHeatmap): number {
  return h.cells.flat().reduce((a, b) => a + b, 0);
}

/** The heatmap in a sentence: how many events, the busiest hour, the time zone. */
export function heatmapSummary(h: ActivityHeatmap): string {
  const total = heatmapTotal(h);
  if (total === 0) return `Events by day of week and hour (${h.timezone}): none`;
  let best = { day: 0, hour: 0, n: -1 };
  h.cells.forEach((row, day) =>
    row.forEach((n, hour) => {
      if (n > best.n) best = { day, hour, n };
    }),
  );
  return (
    `Events by day of week and hour (${h.timezone}): ${plural(total, 'event')}; ` +
    `busiest ${WEEKDAY_NAMES[best.day]} ${hourText(best.hour)}–${hourText((best.hour + 1) % 24)} (${best.n})`
  );
}

/** 0 → "0 min", 90 s → "2 min", 5 h 20 min, 3 d 4 h (rounded to the unit shown last). */
export function durationText(ms: number): string {
  const minutes = Math.round(Math.max(0, ms) / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const wholeHours = Math.round(minutes / 60);
  const days = Math.floor(wholeHours / 24);
  return wholeHours % 24 ? `${days} d ${wholeHours % 24} h` : `${days} d`;
}

/** Storage by category, largest first: the database, each camera's snapshots, exports, logs. */
export function storageParts(s: StorageUsage): { key: string; label: string; bytes: number }[] {
  return [
    { key: 'database', label: 'Database', bytes: s.databaseBytes },
    ...s.snapshots.map((x) => ({
      key: `snapshots-${x.cameraId}`,
      label: `Snapshots: ${x.cameraName} (${plural(x.files, 'file')})`,
      bytes: x.bytes,
    })),
    { key: 'exports', label: 'Exports', bytes: s.exportsBytes },
    { key: 'logs', label: 'Logs', bytes: s.logsBytes },
  ].sort((a, b) => b.bytes - a.bytes);
}

/** A bar's length in percent of the longest (0 when everything is 0). */
export function barPercent(value: number, max: number): number {
  return max > 0 ? Math.min(100, (Math.max(0, value) / max) * 100) : 0;
}
