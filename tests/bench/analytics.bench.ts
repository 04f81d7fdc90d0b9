/**
 * Analytics at scale: `BENCH_ANALYTICS_EVENTS` (1,000,000) seeded events with their
 * detections, some alerts and feedback; p95 of each analytics channel over the last 30 days
 * and over the whole span, and of `events.stats`. The baseline in the same run is the same
 * `events.stats` answered by scanning the events (a filter that always matches, `minRisk: 0`,
 * which skips the counters), i.e. what it cost before. Targets: analytics p95 < 100 ms,
 * `events.stats` without a time range < 20 ms. The last line is JSON.
 */
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ChannelName } from '../../src-shared/contract';
import { SEED_CAMERAS, seedEvents } from '../helpers/seed-events';
import { startTestApp } from '../helpers/temp-app';
import { END_MS, SPAN_DAYS } from './events-data';
import { percentile, round } from './stats';

const N = Number(process.env.BENCH_ANALYTICS_EVENTS ?? 1_000_000);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 30);

const t = await startTestApp({ ingest: false });
for (const c of SEED_CAMERAS) await t.call('cameras.create', { name: c.name });
const seeding = performance.now();
const detections = seedEvents(t.dataDir, N, { detections: true, cacheMiB: 256 });
// One alert per 20 events and feedback on one in 50, straight into the file.
const raw = new Database(path.join(t.dataDir, 'hsi.sqlite'));
const rule = await t.call('alertRules.create', { name: 'Bench', channelIds: [], severity: 'high' });
raw.exec(`INSERT INTO alerts (id, rule_id, event_id, severity, dedup_key, rule_name, created_at, updated_at)
  SELECT 'a' || rowid, '${rule.id}', id, risk_level, 'k' || rowid, 'Bench', started_at, started_at
  FROM events WHERE rowid % 20 = 0`);
raw.exec(`INSERT INTO event_feedback (id, event_id, type, notes, created_at)
  SELECT 'f' || rowid, id, CASE WHEN rowid % 3 = 0 THEN 'false_positive' ELSE 'correct' END, '', started_at
  FROM events WHERE rowid % 50 = 0`);
raw.close();
const seedSeconds = (performance.now() - seeding) / 1000;

async function p95(channel: ChannelName, input: unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS + 3; i += 1) {
    const start = performance.now();
    const r = await t.app.router.invoke(channel, input, { transport: 'internal' });
    if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
    if (i >= 3) times.push(performance.now() - start);
  }
  return round(percentile(times, 95), 2);
}

const to = new Date(END_MS).toISOString();
const ranges = {
  last30Days: { from: new Date(END_MS - 30 * 86_400_000).toISOString(), to },
  whole: { from: new Date(END_MS - SPAN_DAYS * 86_400_000).toISOString(), to },
};
const channels: ChannelName[] = [
  'analytics.detectionTrends',
  'analytics.riskHistory',
  'analytics.cameraUptime',
  'analytics.objectDistribution',
  'analytics.heatmap',
  'analytics.alertsByRule',
  'analytics.falsePositiveRate',
];
const results: Record<string, number> = {};
for (const [name, range] of Object.entries(ranges)) {
  for (const c of channels)
    results[`${c.slice('analytics.'.length)}.${name}`] = await p95(c, range);
}
const statsAll = await p95('events.stats', {});
const statsScan = await p95('events.stats', { minRisk: 0 });
const statsCamera = await p95('events.stats', { cameraIds: [SEED_CAMERAS[0]!.id] });
const stats30 = await p95('events.stats', ranges.last30Days);
await t.close();

const slowest = Math.max(...Object.values(results));
for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(40)} p95 ${v} ms`);
console.log(
  `events.stats (counters)   p95 ${statsAll} ms; scanning the events (before) ${statsScan} ms`,
);
console.log(`events.stats one camera   p95 ${statsCamera} ms; last 30 days ${stats30} ms`);
console.log(
  JSON.stringify({
    bench: 'analytics',
    events: N,
    detections,
    seedSeconds: round(seedSeconds, 1),
    iterations: ITERATIONS,
    p95Ms: results,
    slowestAnalyticsP95Ms: slowest,
    analyticsTargetMet: slowest < 100,
    eventsStatsP95Ms: statsAll,
    eventsStatsScanP95Ms: statsScan,
    eventsStatsOneCameraP95Ms: statsCamera,
    eventsStatsLast30DaysP95Ms: stats30,
    eventsStatsTargetMet: statsAll < 20,
  }),
);
