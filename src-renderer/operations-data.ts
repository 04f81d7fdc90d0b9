/**
 * The Operations page's data shaping, React-free: a range of machine samples as `gpu.stats`
 * calls, samples folded into minutes, one line per device (or one for the detector's work)
 * over the range for drawing, the same numbers by time bucket for the tables, each device's
 * latest reading, the pipeline stages in words, and background jobs in words.
 */
import type { ChannelInput } from '../src-shared/contract';
import type { Job, JobStatus } from '../src-shared/domain';
import { EVALUATE_JOB_KIND } from '../src-shared/prompts';
import type { MachineSample, PipelineStage, PipelineTelemetry } from '../src-shared/telemetry';
import { PIPELINE_STAGES } from '../src-shared/telemetry';
import { latencyText } from './format';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

// --- Machine samples -----------------------------------------------------------------------

export const MACHINE_RANGES = ['hour', 'day', 'week', 'month'] as const;
export type MachineRange = (typeof MACHINE_RANGES)[number];

export interface MachineRangeSpec {
  /** The picker's button. */
  label: string;
  /** "the last hour", in sentences. */
  text: string;
  ms: number;
  /** One row of the numbers tables covers this much time ("per minute"). */
  bucketMs: number;
  bucketName: string;
  /** How often the charts are read again while the page is open. */
  refreshMs: number;
}

export const MACHINE_RANGE: Record<MachineRange, MachineRangeSpec> = {
  hour: {
    label: 'Last hour',
    text: 'the last hour',
    ms: HOUR_MS,
    bucketMs: MINUTE_MS,
    bucketName: 'minute',
    refreshMs: 15_000,
  },
  day: {
    label: 'Last 24 hours',
    text: 'the last 24 hours',
    ms: DAY_MS,
    bucketMs: HOUR_MS,
    bucketName: 'hour',
    refreshMs: 15_000,
  },
  week: {
    label: 'Last 7 days',
    text: 'the last 7 days',
    ms: 7 * DAY_MS,
    bucketMs: 6 * HOUR_MS,
    bucketName: '6 hours',
    refreshMs: MINUTE_MS,
  },
  month: {
    label: 'Last 30 days',
    text: 'the last 30 days',
    ms: 30 * DAY_MS,
    bucketMs: DAY_MS,
    bucketName: 'day',
    refreshMs: MINUTE_MS,
  },
};

/** Minute rows are asked for this much time per call (`gpu.stats` answers at most 50 000 rows). */
const MINUTE_CALL_MS = 7 * DAY_MS;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The `gpu.stats` calls for a range ending at `now`. Up to a day: every sample. Longer: the
 * per-minute rows, a week per call, and the raw samples not folded into minutes yet (the
 * last day or so), which `foldMinutes` brings to the same resolution.
 */
export function machineRequests(range: MachineRange, now: number): ChannelInput<'gpu.stats'>[] {
  const from = now - MACHINE_RANGE[range].ms;
  if (MACHINE_RANGE[range].ms <= DAY_MS) return [{ from: iso(from), to: iso(now) }];
  const calls: ChannelInput<'gpu.stats'>[] = [];
  for (let start = from; start < now; start += MINUTE_CALL_MS) {
    // Both ends are included: each call ends just before the next one starts.
    const end = start + MINUTE_CALL_MS >= now ? now : start + MINUTE_CALL_MS - 1;
    calls.push({ from: iso(start), to: iso(end), resolution: 'minute' });
  }
  calls.push({ from: iso(from), to: iso(now), resolution: 'raw' });
  return calls;
}

/** Samples over a window (ms since 1970), oldest first: what the machine charts draw. */
export interface MachineWindow {
  from: number;
  to: number;
  samples: MachineSample[];
}

/** A mean weighted by `weight`, over the values that are there; null when none is. */
function weightedMean<T>(
  rows: readonly T[],
  value: (r: T) => number | null,
  weight: (r: T) => number,
): number | null {
  let sum = 0;
  let total = 0;
  for (const r of rows) {
    const v = value(r);
    const w = weight(r);
    if (v === null || w <= 0) continue;
    sum += v * w;
    total += w;
  }
  return total > 0 ? sum / total : null;
}

/**
 * One row per minute and device, as the server folds samples a day old: the readings averaged
 * (minute rows weigh as many samples as they stand for), model time weighted by images, images
 * summed. Raw samples and minute rows of the same minute are folded together.
 */
export function foldMinutes(samples: readonly MachineSample[]): MachineSample[] {
  const groups = new Map<string, MachineSample[]>();
  for (const s of samples) {
    const minute = iso(Math.floor(Date.parse(s.at) / MINUTE_MS) * MINUTE_MS);
    const key = `${minute}\n${s.device}`;
    const group = groups.get(key);
    if (group) group.push(s);
    else groups.set(key, [s]);
  }
  const out: MachineSample[] = [];
  for (const [key, rows] of groups) {
    const [at = '', device = ''] = key.split('\n');
    const mean = (value: (r: MachineSample) => number | null) =>
      weightedMean(rows, value, (r) => r.samples);
    const counted = rows.filter((r) => r.inferences !== null);
    out.push({
      at,
      device,
      resolution: 'minute',
      samples: rows.reduce((a, r) => a + r.samples, 0),
      utilization: mean((r) => r.utilization),
      memoryUsedMb: mean((r) => r.memoryUsedMb),
      memoryTotalMb: mean((r) => r.memoryTotalMb),
      temperatureC: mean((r) => r.temperatureC),
      powerW: mean((r) => r.powerW),
      cpuPercent: mean((r) => r.cpuPercent),
      rssMb: mean((r) => r.rssMb),
      inferenceMs: weightedMean(
        rows,
        (r) => r.inferenceMs,
        (r) => r.inferences ?? 0,
      ),
      inferences: counted.length ? counted.reduce((a, r) => a + r.inferences!, 0) : null,
      queueDepth: mean((r) => r.queueDepth),
    });
  }
  return out.sort(bySampleOrder);
}

function bySampleOrder(a: MachineSample, b: MachineSample): number {
  return a.at < b.at ? -1 : a.at > b.at ? 1 : compareDevices(a.device, b.device);
}

/** GPUs by number (gpu2 before gpu10), then anything else by name. */
export function compareDevices(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

export function devicesOf(samples: readonly MachineSample[]): string[] {
  return [...new Set(samples.map((s) => s.device))].sort(compareDevices);
}

/**
 * Lines over a window: sample times (seconds since 1970) shared by every line; each line has a
 * value at its own samples, `undefined` at the others' (drawn across), and `null` where its
 * samples stop for a while (the line breaks there: the app was not running).
 */
export interface SampleSeries {
  /** The window drawn, in seconds since 1970. */
  from: number;
  to: number;
  x: number[];
  series: { key: string; label: string; values: (number | null | undefined)[] }[];
}

interface Point {
  ms: number;
  value: number;
  minute: boolean;
}

/** Longer between two samples than this, and a line breaks (samples come every 15 s). */
const RAW_GAP_MS = 90_000;
const MINUTE_GAP_MS = 3 * MINUTE_MS;

function alignLines(
  window: MachineWindow,
  lines: readonly { key: string; label: string; points: Point[] }[],
): SampleSeries {
  const xs = new Set<number>();
  const byLine = lines.map((line) => {
    const at = new Map<number, number | null>();
    let last: Point | undefined;
    for (const p of line.points) {
      if (last && p.ms - last.ms > (p.minute || last.minute ? MINUTE_GAP_MS : RAW_GAP_MS)) {
        const gap = Math.round((last.ms + p.ms) / 2000);
        at.set(gap, null);
        xs.add(gap);
      }
      const t = p.ms / 1000;
      at.set(t, p.value);
      xs.add(t);
      last = p;
    }
    return at;
  });
  const x = [...xs].sort((a, b) => a - b);
  return {
    from: window.from / 1000,
    to: window.to / 1000,
    x,
    series: lines.map((line, i) => ({
      key: line.key,
      label: line.label,
      values: x.map((t) => byLine[i]!.get(t)),
    })),
  };
}

const pointOf = (s: MachineSample, value: number | null): Point[] =>
  value === null ? [] : [{ ms: Date.parse(s.at), value, minute: s.resolution === 'minute' }];

/** One line per device of a reading (utilisation, memory), devices in order. */
export function deviceSeries(
  window: MachineWindow,
  pick: (s: MachineSample) => number | null,
): SampleSeries {
  return alignLines(
    window,
    devicesOf(window.samples).map((device) => ({
      key: device,
      label: device,
      points: window.samples.filter((s) => s.device === device).flatMap((s) => pointOf(s, pick(s))),
    })),
  );
}

/**
 * One line of the detector's work (model time, images, queue depth): every device's row of a
 * sample carries the same numbers, so the first row at each time is taken.
 */
export function workSeries(
  window: MachineWindow,
  label: string,
  pick: (s: MachineSample) => number | null,
): SampleSeries {
  const first = new Map<string, MachineSample>();
  for (const s of window.samples) if (!first.has(s.at)) first.set(s.at, s);
  const points = [...first.values()].flatMap((s) => pointOf(s, pick(s)));
  return alignLines(window, [{ key: label, label, points }]);
}

/** A line's numbers: its latest value, mean and peak (null when it has none). */
export function lineStats(values: readonly (number | null | undefined)[]) {
  const present = values.filter((v): v is number => typeof v === 'number');
  if (!present.length) return null;
  return {
    latest: present[present.length - 1]!,
    mean: present.reduce((a, b) => a + b, 0) / present.length,
    max: Math.max(...present),
  };
}

/** What a chart shows, in a sentence (its accessible name). */
export function sampleSummary(
  s: SampleSeries,
  what: string,
  valueText: (v: number) => string,
): string {
  const parts = s.series.flatMap((line) => {
    const st = lineStats(line.values);
    return st
      ? [
          `${line.label} latest ${valueText(st.latest)}, mean ${valueText(st.mean)}, peak ${valueText(st.max)}`,
        ]
      : [];
  });
  return `${what}: ${parts.length ? parts.join('; ') : 'no samples'}`;
}

/** Where a table row starts: a whole minute, or a local hour, quarter day or midnight. */
export function bucketStart(ms: number, bucketMs: number): number {
  if (bucketMs < HOUR_MS) return Math.floor(ms / bucketMs) * bucketMs;
  const d = new Date(ms);
  d.setMinutes(0, 0, 0);
  const hours = Math.min(24, bucketMs / HOUR_MS);
  d.setHours(hours >= 24 ? 0 : Math.floor(d.getHours() / hours) * hours);
  return d.getTime();
}

/** A table row's time, local: "Mar 10, 14:05" (a day: "Mar 10, 2026"). */
export function bucketText(ms: number, bucketMs: number): string {
  return new Date(ms).toLocaleString(
    undefined,
    bucketMs >= DAY_MS
      ? { year: 'numeric', month: 'short', day: 'numeric' }
      : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' },
  );
}

export interface BucketCell {
  mean: number;
  max: number;
  sum: number;
}

/** A chart's numbers per time bucket: each line's mean, peak and sum there (null: no sample). */
export function seriesBuckets(
  s: SampleSeries,
  bucketMs: number,
): { start: number; cells: (BucketCell | null)[] }[] {
  const buckets = new Map<number, { sum: number; max: number; n: number }[]>();
  s.x.forEach((t, i) => {
    const start = bucketStart(t * 1000, bucketMs);
    let acc = buckets.get(start);
    s.series.forEach((line, j) => {
      const v = line.values[i];
      if (typeof v !== 'number') return;
      if (!acc) buckets.set(start, (acc = s.series.map(() => ({ sum: 0, max: -Infinity, n: 0 }))));
      const a = acc[j]!;
      a.sum += v;
      a.max = Math.max(a.max, v);
      a.n += 1;
    });
  });
  return [...buckets]
    .sort(([a], [b]) => a - b)
    .map(([start, acc]) => ({
      start,
      cells: acc.map((a) => (a.n ? { mean: a.sum / a.n, max: a.max, sum: a.sum } : null)),
    }));
}

/** 42.4 → "42%". */
export function percentText(value: number): string {
  return `${Math.round(value)}%`;
}

/** 512 → "512 MB", 5_222 → "5.1 GB" (1 GB = 1024 MB). */
export function memoryText(mb: number): string {
  if (mb < 1024) return `${Math.round(mb)} MB`;
  const gb = mb / 1024;
  return `${gb < 10 ? gb.toFixed(1) : Math.round(gb)} GB`;
}

/** A device's latest reading in words: "42% busy, 5.1 GB of 24 GB memory, 61 °C, 212 W". */
export function readingText(s: MachineSample): string {
  const parts: string[] = [];
  if (s.utilization !== null) {
    parts.push(`${percentText(s.utilization)} ${s.device === 'cpu' ? 'CPU' : 'busy'}`);
  }
  if (s.memoryUsedMb !== null) {
    parts.push(
      s.memoryTotalMb !== null
        ? `${memoryText(s.memoryUsedMb)} of ${memoryText(s.memoryTotalMb)} memory`
        : `${memoryText(s.memoryUsedMb)} memory`,
    );
  }
  if (s.temperatureC !== null) parts.push(`${Math.round(s.temperatureC)} °C`);
  if (s.powerW !== null) parts.push(`${Math.round(s.powerW)} W`);
  return parts.length ? parts.join(', ') : 'no readings';
}

/** Each device's latest sample, devices in order. */
export function latestReadings(samples: readonly MachineSample[]): MachineSample[] {
  const latest = new Map<string, MachineSample>();
  for (const s of samples) {
    const known = latest.get(s.device);
    if (!known || s.at >= known.at) latest.set(s.device, s);
  }
  return [...latest.values()].sort((a, b) => compareDevices(a.device, b.device));
}

// --- Pipeline latency ----------------------------------------------------------------------

export const PIPELINE_WINDOWS = [
  { seconds: 3600, label: 'Last hour' },
  { seconds: 86_400, label: 'Last 24 hours' },
  { seconds: 604_800, label: 'Last 7 days' },
] as const;

export const STAGE_NAMES: Record<PipelineStage, string> = {
  arrival_to_detected: 'Snapshot arrived → detected',
  detected_to_event: 'Detected → event created',
  event_to_alert: 'Event → alert raised',
  alert_to_delivered: 'Alert → notification delivered',
};

export interface StageRow {
  stage: PipelineStage;
  name: string;
  count: string;
  p50: string;
  p95: string;
  p99: string;
}

/** The latency table's rows, every stage in pipeline order; a stage with no work says "—". */
export function stageRows(t: PipelineTelemetry): StageRow[] {
  return PIPELINE_STAGES.map((stage) => {
    const s = t.stages.find((x) => x.stage === stage);
    const none = !s || s.count === 0;
    return {
      stage,
      name: STAGE_NAMES[stage],
      count: none ? '—' : String(s.count),
      p50: none ? '—' : latencyText(s.p50Ms),
      p95: none ? '—' : latencyText(s.p95Ms),
      p99: none ? '—' : latencyText(s.p99Ms),
    };
  });
}

// --- Background jobs -----------------------------------------------------------------------

const JOB_KINDS: Record<string, string> = {
  recalibrate: 'Re-evaluation',
  [EVALUATE_JOB_KIND]: 'Prompt evaluation',
  retention: 'Retention',
  rescore: 'LLM re-scoring',
  export: 'Export',
};

/** "recalibrate" → "Re-evaluation"; a kind without a name is shown as it is. */
export function jobKindText(kind: string): string {
  return JOB_KINDS[kind] ?? kind;
}

/** A retention job that only counts (its result says `dryRun: 1`). */
export function isDryRun(job: Job): boolean {
  return job.result?.dryRun === 1;
}

/** What a job is, in words: "Retention (dry run)", "Re-evaluation". */
export function jobTitle(job: Job): string {
  return jobKindText(job.kind) + (isDryRun(job) ? ' (dry run)' : '');
}

/** What a job's processed / total count: a retention run counts its steps (tables, orphans). */
export function jobUnit(job: Job): string {
  if (job.kind === 'retention') return 'steps';
  // An export counts rows once per pass (a ZIP with snapshots passes twice).
  return job.kind === 'export' ? 'rows' : 'events';
}

export function isJobActive(status: JobStatus): boolean {
  return status === 'pending' || status === 'running';
}

/** "12 of 40" (or "12" while the total is unknown). */
export function jobCountText(job: Job): string {
  return job.total === null ? String(job.processed) : `${job.processed} of ${job.total}`;
}

/** `{ changed: 3, alertsRaised: 1 }` → "changed 3, alerts raised 1"; nothing → "—". */
export function jobResultText(result: Job['result']): string {
  // A dry run is told by the job's title.
  const entries = Object.entries(result ?? {}).filter(([key]) => key !== 'dryRun');
  if (!entries.length) return '—';
  return entries
    .map(([key, n]) => `${key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase()} ${n}`)
    .join(', ');
}
