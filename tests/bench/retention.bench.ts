/**
 * Retention at scale: `BENCH_RETENTION_EVENTS` (1,000,000) seeded events with their 1–3
 * detections each, all past the 30-day retention, purged by a real retention run while a
 * "window" calls `events.list` every 20 ms. The latency of each call is measured from when it
 * was due (so a blocked event loop counts), first with the app idle (the baseline, same run),
 * then during the purge. Target: round-trip p99 < 50 ms during the purge. A dry run of the same
 * data is timed too. Snapshot files are not part of this bench (the seeded events have none).
 * The last line is JSON.
 */
import { performance } from 'node:perf_hooks';
import { SEED_CAMERAS, seedEvents } from '../helpers/seed-events';
import { startTestApp } from '../helpers/temp-app';
import { percentile, round } from './stats';

const N = Number(process.env.BENCH_RETENTION_EVENTS ?? 1_000_000);
const PROBE_EVERY_MS = 20;
const BASELINE_MS = 3000;

const t = await startTestApp({ ingest: false });
for (const c of SEED_CAMERAS) await t.call('cameras.create', { name: c.name });
const seeding = performance.now();
const detections = seedEvents(t.dataDir, N, { detections: true, cacheMiB: 256 });
const seedSeconds = (performance.now() - seeding) / 1000;
console.log(`seeded ${N} events and ${detections} detections in ${round(seedSeconds, 1)} s`);

/** Calls `events.list` every 20 ms until `until` resolves; latency from when each was due. */
async function probe(until: Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  let done = false;
  void until.finally(() => (done = true));
  let due = performance.now();
  while (!done) {
    due += PROBE_EVERY_MS;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const r = await t.app.router.invoke('events.list', { limit: 50 }, { transport: 'internal' });
    if (!r.ok) throw new Error(r.error.message);
    latencies.push(performance.now() - due);
    // A call that overran its slot: the next is due from now (no burst to catch up).
    if (performance.now() > due + PROBE_EVERY_MS) due = performance.now();
  }
  return latencies;
}

const summary = (xs: number[]) => ({
  calls: xs.length,
  p50: round(percentile(xs, 50), 2),
  p95: round(percentile(xs, 95), 2),
  p99: round(percentile(xs, 99), 2),
  max: round(Math.max(...xs), 2),
});

const baseline = summary(await probe(new Promise((r) => setTimeout(r, BASELINE_MS))));
console.log(`idle: events.list round trip ${JSON.stringify(baseline)}`);

let began = performance.now();
const dry = await t.call('retention.run', { dryRun: true });
const dryDone = t.app.jobs.finished(dry.id);
const dryProbe = summary(await probe(dryDone));
const dryJob = await dryDone;
const drySeconds = (performance.now() - began) / 1000;
console.log(`dry run: ${round(drySeconds, 1)} s, round trip ${JSON.stringify(dryProbe)}`);

began = performance.now();
const run = await t.call('retention.run', {});
const runDone = t.app.jobs.finished(run.id);
const during = summary(await probe(runDone));
const job = await runDone;
const runSeconds = (performance.now() - began) / 1000;
const left = (await t.call('events.stats', {})).total;
await t.close();

const r = job.result ?? {};
console.log(
  `purge: ${r.events} events, ${r.detections} detections in ${round(runSeconds, 1)} s ` +
    `(${Math.round(((r.events ?? 0) + (r.detections ?? 0)) / runSeconds)} rows/s); ` +
    `round trip ${JSON.stringify(during)}; ${left} events left`,
);
console.log(
  JSON.stringify({
    bench: 'retention',
    events: N,
    detections,
    seedSeconds: round(seedSeconds, 1),
    dryRunSeconds: round(drySeconds, 1),
    dryRunMatches: dryJob.result?.events === r.events && dryJob.result?.detections === r.detections,
    purgeSeconds: round(runSeconds, 1),
    purged: { events: r.events, detections: r.detections },
    eventsLeft: left,
    roundTripIdleMs: baseline,
    roundTripDryRunMs: dryProbe,
    roundTripPurgeMs: during,
    targetMet: during.p99 < 50 && dryProbe.p99 < 50,
  }),
);
