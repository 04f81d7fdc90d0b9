/**
 * Re-evaluation at scale: seeds BENCH_REEVALUATE_EVENTS events (default 1,000,000) with the
 * events benchmark's generator (with score components, as the app stores them), adds 20
 * alert rules, sets `person ×1.5`, and runs
 * `calibration.reevaluate` over all of them while a trivial channel (`calibration.defaults`)
 * is called every ~10 ms (counted from when the call was due, so waiting for the event loop
 * counts). The floor, in the same run: one set-based SQL `UPDATE` writing the same new scores
 * and levels to the same rows of a copy of the database made before the job; afterwards
 * both files must hold identical scores and levels. Progress goes to stderr; the last stdout
 * line is JSON.
 *
 *   BENCH_REEVALUATE_EVENTS=100000 npx tsx tests/bench/reevaluate.bench.ts   # quick
 *   npm run bench:reevaluate                                                 # the size
 *   BENCH_REEVALUATE_BATCH=500 …                       # events per job batch (default: the app's)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import Database from 'better-sqlite3';
import type { Job } from '../../src-shared/domain';
import { SEED_CAMERAS, seedEvents } from '../helpers/seed-events';
import { startTestApp, tempDir } from '../helpers/temp-app';
import { percentile, round } from './stats';

const N = Number(process.env.BENCH_REEVALUATE_EVENTS ?? 1_000_000);
const PING_EVERY_MS = 10;
const RSS_EVERY_MS = 50;
const TARGETS = { seconds: 5, rssGrowthMb: 100, pingP99Ms: 50 };
const MULTIPLIER = 1.5;
const log = (msg: string) => console.error(msg);
const MB = 2 ** 20;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/**
 * The bulk load runs in a child process (this file again, in seeding mode), so its page
 * cache and garbage are not part of the RSS the job is measured against.
 */
function seedInChild(dataDir: string): void {
  const r = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename], {
    env: { ...process.env, BENCH_REEVALUATE_SEED_DIR: dataDir },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`seeding failed (exit ${r.status})`);
}

function seedHere(dataDir: string): void {
  seedEvents(dataDir, N, {
    cacheMiB: 256,
    components: true,
    onProgress: (n) => n % 200_000 === 0 && log(`  ${n}`),
  });
  const db = new Database(path.join(dataDir, 'hsi.sqlite'));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/**
 * The same calibration as SQL: the seeded components are the raw score for each class (as
 * an LLM-scored event's are), so ×1.5 applies when the event saw a person.
 */
const NEW_SCORE = `CASE WHEN (' ' || object_classes || ' ') LIKE '% person %'
  THEN min(100, round(raw_risk_score * ${MULTIPLIER})) ELSE raw_risk_score END`;
const NEW_LEVEL = `CASE WHEN s >= 85 THEN 'critical' WHEN s >= 60 THEN 'high'
  WHEN s >= 30 THEN 'medium' ELSE 'low' END`;
const FLOOR_SQL = `UPDATE events SET risk_score = n.s, risk_level = n.l, version = version + 1,
    updated_at = strftime('%Y-%m-%dT%H:%M:%fZ')
  FROM (SELECT rowid AS rid, s, ${NEW_LEVEL} AS l FROM
         (SELECT rowid, CAST(${NEW_SCORE} AS INTEGER) AS s FROM events)) AS n
  WHERE events.rowid = n.rid AND (events.risk_score != n.s OR events.risk_level != n.l)`;

/** 20 rules as a household might have them: by score, level, camera, class, confidence. */
function rules(cameraIds: string[]) {
  const out: Record<string, unknown>[] = [];
  for (const [i, id] of cameraIds.entries()) {
    out.push({ name: `Serious at ${id}`, severity: 'high', minRiskScore: 70, cameraIds: [id] });
    out.push({
      name: `Critical at ${id}`,
      severity: 'critical',
      riskLevels: ['critical'],
      cameraIds: [id],
      cooldownSeconds: 60 * (i + 1),
    });
  }
  out.push({
    name: 'Anyone high',
    severity: 'high',
    riskLevels: ['high', 'critical'],
    objectClasses: ['person'],
  });
  out.push({
    name: 'Vehicles',
    severity: 'medium',
    minRiskScore: 50,
    objectClasses: ['car', 'truck'],
  });
  out.push({
    name: 'Sure person',
    severity: 'high',
    minRiskScore: 60,
    objectClasses: ['person'],
    minConfidence: 0.8,
  });
  out.push({ name: 'Everything medium', severity: 'low', riskLevels: ['medium'] });
  return out.slice(0, 20);
}

async function main(): Promise<void> {
  const batchSize = Number(process.env.BENCH_REEVALUATE_BATCH) || undefined;
  const t = await startTestApp({ recalibrationBatchSize: batchSize });
  const dataDir = t.dataDir;
  const file = path.join(dataDir, 'hsi.sqlite');
  const floorDir = tempDir('hsi-bench-floor-');
  const floorFile = path.join(floorDir, 'hsi.sqlite');
  try {
    for (const c of SEED_CAMERAS) await t.call('cameras.create', { name: c.name });
    const defs = rules(SEED_CAMERAS.map((c) => c.id));
    for (const r of defs) await t.call('alertRules.create', r as never);
    log(`seeding ${N} events …`);
    const seeded = performance.now();
    seedInChild(dataDir);
    log(`  seeded in ${round((performance.now() - seeded) / 1000, 1)} s`);

    // The floor's copy, taken before the job (checkpointed by the seeder: one file).
    fs.copyFileSync(file, floorFile);

    await t.call('calibration.update', { classMultipliers: { person: MULTIPLIER } });
    const jobs = new Map<string, Job>();
    let wake: (() => void) | undefined;
    const off = t.app.push.subscribe((m) => {
      if (m.type !== 'job.progress') return;
      jobs.set(m.data.id, m.data);
      wake?.();
    });

    gc();
    await sleep(200);
    const rssBefore = process.memoryUsage.rss();
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
    }, RSS_EVERY_MS);
    const pings: number[] = [];
    let pinging = true;
    const pinger = (async () => {
      while (pinging) {
        const due = performance.now() + PING_EVERY_MS;
        await sleep(PING_EVERY_MS);
        const r = await t.app.router.invoke('calibration.defaults', {}, { transport: 'internal' });
        if (!r.ok) throw new Error(`calibration.defaults failed: ${r.error.message}`);
        pings.push(performance.now() - due);
      }
    })();

    log('re-evaluating …');
    const t0 = performance.now();
    const { jobId } = await t.call('calibration.reevaluate', { scope: {} });
    let lastLog = t0;
    let job: Job | undefined;
    for (;;) {
      job = jobs.get(jobId);
      if (job && ['completed', 'failed', 'cancelled'].includes(job.status)) break;
      if (job && performance.now() - lastLog > 2000) {
        lastLog = performance.now();
        log(`  ${round(job.progress, 1)}% (${job.processed}/${job.total})`);
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
    const seconds = (performance.now() - t0) / 1000;
    pinging = false;
    await pinger;
    clearInterval(sampler);
    off();
    if (job.status !== 'completed') throw new Error(`job ${job.status}: ${job.error}`);

    log('floor: one set-based UPDATE on the copy …');
    const floorDb = new Database(floorFile);
    floorDb.pragma('journal_mode = WAL');
    floorDb.pragma('synchronous = NORMAL');
    const f0 = performance.now();
    const floorChanged = floorDb.prepare(FLOOR_SQL).run().changes;
    const floorSeconds = (performance.now() - f0) / 1000;

    // Same scores and levels, row for row.
    floorDb.exec(`ATTACH DATABASE '${file.replace(/'/g, "''")}' AS app`);
    const differing = (
      floorDb
        .prepare(
          `SELECT count(*) AS n FROM events f JOIN app.events a ON a.id = f.id
           WHERE a.risk_score != f.risk_score OR a.risk_level != f.risk_level`,
        )
        .get() as { n: number }
    ).n;
    floorDb.close();
    const alerts = await t.app.db
      .selectFrom('alerts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();

    const result = {
      events: N,
      seconds: round(seconds, 2),
      eventsPerSecond: Math.round(N / seconds),
      floorSeconds: round(floorSeconds, 2),
      ratioToFloor: round(seconds / floorSeconds, 2),
      changed: job.result?.changed ?? null,
      floorChanged,
      differingFromFloor: differing,
      alertRules: defs.length,
      alertsRaised: job.result?.alertsRaised ?? null,
      alertRows: Number(alerts.n),
      rssGrowthMb: round((rssPeak - rssBefore) / MB, 1),
      pingP50Ms: round(percentile(pings, 50), 1),
      pingP99Ms: round(percentile(pings, 99), 1),
      pingMaxMs: round(Math.max(...pings), 1),
      pings: pings.length,
      targets: TARGETS,
      met: {
        seconds: seconds < TARGETS.seconds,
        rssGrowthMb: (rssPeak - rssBefore) / MB < TARGETS.rssGrowthMb,
        pingP99Ms: percentile(pings, 99) < TARGETS.pingP99Ms,
        sameAsFloor: differing === 0 && floorChanged === job.result?.changed,
      },
    };
    console.log(
      `re-evaluated ${N} events in ${result.seconds} s (${result.eventsPerSecond}/s; floor ` +
        `${result.floorSeconds} s, ×${result.ratioToFloor}); ${result.changed} changed; ` +
        `${result.alertsRaised} alerts; RSS +${result.rssGrowthMb} MB; ping p99 ${result.pingP99Ms} ms`,
    );
    console.log(JSON.stringify(result));
  } finally {
    await t.close();
    fs.rmSync(floorDir, { recursive: true, force: true });
  }
}

const seedDir = process.env.BENCH_REEVALUATE_SEED_DIR;
if (seedDir) {
  seedHere(seedDir);
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
