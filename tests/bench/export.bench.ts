/**
 * Exports at scale: seeds BENCH_EXPORT_EVENTS events (default 1,000,000; with their 1–3
 * detections each unless BENCH_EXPORT_DETECTIONS=0), exports the same query with the `sqlite3`
 * command-line tool (Debian's `sqlite3` package: the baseline, measured in the same run; the
 * ratio is skipped, with the reason, when the tool is absent), then exports every event as
 * CSV and as ZIP without images through `exports.create`. For each export: rows/s, RSS growth
 * (peak sampled every 50 ms, and the kernel's high-water mark where /proc allows resetting
 * it), and the round trip of a trivial channel (`cameras.list`) called every ~10 ms while the
 * export runs, counted from when the call was due so time spent waiting for the event loop is
 * included. Then checks the files: the app's CSV holds the CLI's rows, field for field, and
 * the ZIP's events.csv is the same file. Progress goes to stderr; the last stdout line is JSON.
 *
 *   BENCH_EXPORT_EVENTS=100000 npx tsx tests/bench/export.bench.ts    # quick (~1 min)
 *   npm run bench:export                                              # the issue's size
 *   BENCH_EXPORT_CPU_PROF=/tmp/prof …   # also CPU-profile each export (.cpuprofile + top functions)
 *   BENCH_EXPORT_VERIFY=0 …             # skip the field-by-field CSV comparison
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse';
import yauzl from 'yauzl';
import type { ExportFormat, ExportJob } from '../../src-shared/domain';
import { SEED_CAMERAS, seedEvents } from '../helpers/seed-events';
import { startTestApp, tempDir } from '../helpers/temp-app';
import { percentile, round } from './stats';

const N = Number(process.env.BENCH_EXPORT_EVENTS ?? 1_000_000);
const WITH_DETECTIONS = process.env.BENCH_EXPORT_DETECTIONS !== '0';
const VERIFY = process.env.BENCH_EXPORT_VERIFY !== '0';
const CPU_PROF_DIR = process.env.BENCH_EXPORT_CPU_PROF;
const SQLITE3 = process.env.BENCH_SQLITE3 ?? '/usr/bin/sqlite3';
const PING_EVERY_MS = 10;
const RSS_EVERY_MS = 50;
const TARGETS = { csvRatio: 0.5, rssGrowthMB: 100, pingP99Ms: 50 };

/** Progress and diagnostics (stderr, so `npm run bench` shows them live). */
const log = (msg: string) => console.error(msg);
/** Results (stdout). */
const out = (msg: string) => console.log(msg);
const MB = 2 ** 20;
const mb = (bytes: number) => round(bytes / MB, 1);

/**
 * The export's query as plain SQL: the same columns, join and order as the app's CSV
 * (`Reviewed` as Yes/No, object types comma-separated).
 */
const CLI_SQL = `SELECT e.id AS "Event ID", c.name AS "Camera", e.started_at AS "Started At",
  e.ended_at AS "Ended At", e.risk_score AS "Risk Score", e.risk_level AS "Risk Level",
  e.summary AS "Summary", e.detection_count AS "Detections",
  CASE WHEN e.reviewed THEN 'Yes' ELSE 'No' END AS "Reviewed",
  replace(e.object_classes, ' ', ', ') AS "Object Types", e.reasoning AS "Reasoning"
FROM events AS e JOIN cameras AS c ON c.id = e.camera_id
ORDER BY e.started_at DESC, e.id DESC;`;

// A full collection before each baseline reading, so garbage from seeding is not counted
// against (or freed during) the export.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

// The bulk load runs in a child process (this file again, in seeding mode), so its page cache
// and garbage are not part of the RSS the exports are measured against.
const SEED_DIR = process.env.BENCH_EXPORT_SEED_DIR;
if (SEED_DIR) {
  const seedStart = performance.now();
  const step = Math.max(10_000, Math.round(N / 10 / 10_000) * 10_000);
  const detections = seedEvents(SEED_DIR, N, {
    detections: WITH_DETECTIONS,
    cacheMiB: 256,
    onProgress: (done) => {
      if (done % step === 0 && done < N)
        log(`  ${done}/${N} events, ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
    },
  });
  const db = new Database(path.join(SEED_DIR, 'hsi.sqlite'));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  out(JSON.stringify({ detections }));
  process.exit(0);
}

const loadAverage = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const benchStart = performance.now();
const app = await startTestApp({ ingest: false });
const workDir = tempDir('hsi-export-bench-');
let appOpen = true;
process.once('exit', () => {
  for (const dir of [app.dataDir, workDir]) fs.rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
let exitCode = 0;
try {
  await run();
} catch (err) {
  console.error(err);
  exitCode = 1;
} finally {
  if (appOpen) await app.close().catch((err: unknown) => console.error('close failed:', err));
  appOpen = false;
}
process.exit(exitCode);

async function run(): Promise<void> {
  const dbPath = path.join(app.dataDir, 'hsi.sqlite');
  log(
    `export bench: ${N} events ${WITH_DETECTIONS ? 'with detections' : 'without detections (events only)'}`,
  );
  for (const c of SEED_CAMERAS) await app.call('cameras.create', { name: c.name });

  // -------------------------------------------------------------------------------------
  // 1. Seed
  // -------------------------------------------------------------------------------------
  const seedStart = performance.now();
  const seeded = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_EXPORT_SEED_DIR: app.dataDir },
    encoding: 'utf8',
  });
  if (seeded.status !== 0) throw new Error(`seeding failed (exit ${seeded.status})`);
  const { detections } = JSON.parse(seeded.stdout.trim().split('\n').pop()!) as {
    detections: number;
  };
  const seedSeconds = round((performance.now() - seedStart) / 1000, 1);
  const dbBytes = fs.statSync(dbPath).size;
  out(
    `seeded ${N} events${WITH_DETECTIONS ? ` + ${detections} detections` : ' (no detections)'} ` +
      `in ${seedSeconds} s (${Math.round(N / seedSeconds)} events/s; database ${mb(dbBytes)} MiB)`,
  );

  // -------------------------------------------------------------------------------------
  // 2. Baseline: the sqlite3 command-line tool, same query, CSV to a file
  // -------------------------------------------------------------------------------------
  // Twice before the app's CSV export and once after it; the fastest run is the baseline (on
  // a shared machine, the run least disturbed by anything else).
  log(`load average ${loadAverage()}`);
  const cliRuns: number[] = [];
  let cli = cliExport(dbPath, 2, cliRuns);

  // -------------------------------------------------------------------------------------
  // 3. The app's exports
  // -------------------------------------------------------------------------------------
  const csv = await appExport('csv');
  if (!('skipped' in cli)) cli = cliExport(dbPath, 1, cliRuns);
  if ('skipped' in cli) out(`sqlite3 CLI: skipped (${cli.skipped})`);
  else
    out(
      `sqlite3 CLI: ${cli.rowsPerSec} rows/s (best of ${cli.runs.length} runs, two before the ` +
        `app's CSV export and one after: ${cli.runs.join(' / ')} s; ${mb(cli.bytes)} MiB; ` +
        `an fsync of its file afterwards took ${cli.fsyncMs} ms, not counted)`,
    );
  report('CSV', csv);
  const csvRatio = 'skipped' in cli ? null : round(csv.rowsPerSec / cli.rowsPerSec, 3);
  if (csvRatio !== null) out(`  CSV vs sqlite3 CLI: ${csvRatio}×`);
  const zip = await appExport('zip');
  report('ZIP (no images)', zip);

  // -------------------------------------------------------------------------------------
  // 4. Are the files right?
  // -------------------------------------------------------------------------------------
  const checks: string[] = [];
  const csvRows = countLines(csv.path) - 1;
  if (csvRows !== N) checks.push(`app CSV has ${csvRows} rows, expected ${N}`);
  if (!('skipped' in cli)) {
    const cliRows = countLines(cli.path) - 1;
    if (cliRows !== csvRows) checks.push(`CLI CSV has ${cliRows} rows, app CSV ${csvRows}`);
    if (VERIFY) {
      const t0 = performance.now();
      const diff = await compareCsv(csv.path, cli.path);
      if (diff) checks.push(diff);
      log(`  compared the two CSV files field by field in ${secondsSince(t0)} s`);
    }
  }
  const entries = await zipEntries(zip.path);
  const eventsEntry = entries.get('events.csv');
  if (eventsEntry?.size !== fs.statSync(csv.path).size)
    checks.push(`ZIP events.csv is ${eventsEntry?.size} bytes, the CSV export ${csv.bytes}`);
  const manifest = JSON.parse(entries.get('manifest.json')?.text ?? '{}') as {
    events?: number;
    detections?: number;
  };
  if (manifest.events !== N || manifest.detections !== detections)
    checks.push(
      `ZIP manifest says ${manifest.events} events / ${manifest.detections} detections, ` +
        `expected ${N} / ${detections}`,
    );
  if (!entries.has('detections.json')) checks.push('ZIP has no detections.json');
  out(
    checks.length
      ? `output check: FAILED\n  ${checks.join('\n  ')}`
      : `output check: ok (${csvRows} rows in the app's CSV${
          'skipped' in cli
            ? ''
            : VERIFY
              ? ", equal field for field to the CLI's"
              : ", as many as the CLI's"
        }; ZIP events.csv identical in size, manifest counts right)`,
  );

  // -------------------------------------------------------------------------------------
  // 5. Verdict
  // -------------------------------------------------------------------------------------
  const met = {
    csvRatio: csvRatio === null ? null : csvRatio >= TARGETS.csvRatio,
    csvRssGrowth: csv.rssGrowthMB < TARGETS.rssGrowthMB,
    csvPingP99: csv.ping.p99 < TARGETS.pingP99Ms,
    zipRssGrowth: zip.rssGrowthMB < TARGETS.rssGrowthMB,
    zipPingP99: zip.ping.p99 < TARGETS.pingP99Ms,
    outputCorrect: checks.length === 0,
  };
  const verdict = (ok: boolean | null) => (ok === null ? 'n/a' : ok ? 'PASS' : 'FAIL');
  out('');
  out(
    `CSV ≥ ${TARGETS.csvRatio}× sqlite3 CLI rows/s: ${verdict(met.csvRatio)}` +
      (csvRatio === null ? ' (no sqlite3 CLI)' : ` (${csvRatio}×)`),
  );
  for (const [name, r] of [
    ['CSV', csv],
    ['ZIP', zip],
  ] as const) {
    out(
      `${name} RSS growth < ${TARGETS.rssGrowthMB} MB: ` +
        `${verdict(r.rssGrowthMB < TARGETS.rssGrowthMB)} (${r.rssGrowthMB} MB)`,
    );
    out(
      `${name} ping p99 < ${TARGETS.pingP99Ms} ms: ` +
        `${verdict(r.ping.p99 < TARGETS.pingP99Ms)} (${r.ping.p99} ms)`,
    );
  }
  const totalSeconds = round((performance.now() - benchStart) / 1000, 1);
  out(
    `total ${totalSeconds} s; load average at the end ${loadAverage()} (${os.cpus().length} CPUs)`,
  );
  const summary = (r: ExportResult) => ({
    seconds: r.seconds,
    rowsPerSec: r.rowsPerSec,
    countMs: r.countMs,
    fileBytes: r.bytes,
    rssBeforeMB: r.rssBeforeMB,
    rssPeakMB: r.rssPeakMB,
    rssGrowthMB: r.rssGrowthMB,
    hwmGrowthMB: r.hwmGrowthMB,
    pingP50Ms: r.ping.p50,
    pingP95Ms: r.ping.p95,
    pingP99Ms: r.ping.p99,
    pingMaxMs: r.ping.max,
    pingWorstAtS: r.pingWorstAtS,
    pings: r.ping.n,
    callP99Ms: r.call.p99,
    loopDelayP99Ms: r.loop.p99,
    loopDelayMaxMs: r.loop.max,
  });
  out(
    JSON.stringify({
      bench: 'export',
      events: N,
      detections,
      seedSeconds,
      cli:
        'skipped' in cli
          ? { skipped: cli.skipped }
          : { rowsPerSec: cli.rowsPerSec, seconds: cli.seconds, fileBytes: cli.bytes },
      csv: { ...summary(csv), ratioVsCli: csvRatio },
      zip: summary(zip),
      targets: TARGETS,
      met,
      totalSeconds,
      cpus: os.cpus().length,
      loadAverageAtEnd: os.loadavg()[0],
    }),
  );
  if (checks.length) exitCode = 1;
}

// ---------------------------------------------------------------------------------------

type CliResult =
  | { skipped: string }
  | {
      rowsPerSec: number;
      seconds: number;
      runs: number[];
      bytes: number;
      fsyncMs: number;
      path: string;
    };

/** `times` more timed runs of the CLI, appended to `runs` (seconds); the best of all of them. */
function cliExport(dbPath: string, times: number, runs: number[]): CliResult {
  if (!fs.existsSync(SQLITE3))
    return { skipped: `${SQLITE3} not found; install it with: apt-get install -y sqlite3` };
  const file = path.join(workDir, 'cli.csv');
  let fsyncMs = 0;
  for (let i = 0; i < times; i += 1) {
    log(`sqlite3 CLI run ${runs.length + 1}…`);
    const fd = fs.openSync(file, 'w');
    const t0 = performance.now();
    const r = spawnSync(SQLITE3, ['-bail', '-csv', '-header', dbPath, CLI_SQL], {
      stdio: ['ignore', fd, 'pipe'],
      encoding: 'utf8',
    });
    runs.push(round((performance.now() - t0) / 1000, 2));
    const f0 = performance.now();
    fs.fsyncSync(fd);
    fsyncMs = round(performance.now() - f0, 0);
    fs.closeSync(fd);
    if (r.error) return { skipped: `${SQLITE3} failed to start: ${r.error.message}` };
    if (r.status !== 0) return { skipped: `${SQLITE3} exited ${r.status}: ${r.stderr.trim()}` };
  }
  const seconds = Math.min(...runs);
  return {
    rowsPerSec: Math.round(N / seconds),
    seconds,
    runs,
    bytes: fs.statSync(file).size,
    fsyncMs,
    path: file,
  };
}

interface Latency {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  n: number;
}

interface ExportResult {
  format: ExportFormat;
  seconds: number;
  rowsPerSec: number;
  /** From create to the job's first progress push with its total (the count query). */
  countMs: number | null;
  bytes: number;
  path: string;
  rssBeforeMB: number;
  rssPeakMB: number;
  rssGrowthMB: number;
  /** VmHWM (reset just before) minus the baseline; null where /proc does not allow it. */
  hwmGrowthMB: number | null;
  /** Due time → response of a `cameras.list` call (the wait for the event loop included). */
  ping: Latency;
  /** When the slowest of them was due, seconds after `exports.create`. */
  pingWorstAtS: number;
  /** The call alone: invoke → response. */
  call: Latency;
  loop: { p50: number; p99: number; max: number };
}

function latency(xs: number[]): Latency {
  return {
    p50: round(percentile(xs, 50), 2),
    p95: round(percentile(xs, 95), 2),
    p99: round(percentile(xs, 99), 2),
    max: round(Math.max(...xs), 2),
    n: xs.length,
  };
}

async function appExport(format: ExportFormat): Promise<ExportResult> {
  const label = format === 'zip' ? 'ZIP (no images)' : format.toUpperCase();
  log(`${label} export through exports.create…`);
  const jobs = new Map<string, ExportJob>();
  let wake: (() => void) | undefined;
  let countedAt: number | null = null;
  let lastLog = performance.now();
  const off = app.app.push.subscribe((m) => {
    if (m.type !== 'export.progress') return;
    jobs.set(m.data.id, m.data);
    if (countedAt === null && m.data.total !== null) countedAt = performance.now();
    if (performance.now() - lastLog > 5000) {
      lastLog = performance.now();
      log(`  ${m.data.progress}% (${m.data.processed}/${m.data.total ?? '?'})`);
    }
    wake?.();
  });

  const profiler = CPU_PROF_DIR ? await startProfiler() : null;
  gc();
  await sleep(200);
  const rssBefore = process.memoryUsage.rss();
  const hwmReset = resetHighWaterMark();
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  }, RSS_EVERY_MS);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const pings: number[] = [];
  const calls: number[] = [];
  const pingDue: number[] = [];
  let pinging = true;
  const pinger = (async () => {
    while (pinging) {
      const due = performance.now() + PING_EVERY_MS;
      await sleep(PING_EVERY_MS);
      const t0 = performance.now();
      const r = await app.app.router.invoke('cameras.list', {}, { transport: 'internal' });
      const t1 = performance.now();
      if (!r.ok) throw new Error(`cameras.list failed: ${r.error.message}`);
      pings.push(t1 - due);
      calls.push(t1 - t0);
      pingDue.push(due);
    }
  })();

  const t0 = performance.now();
  let job = await app.call('exports.create', {
    format,
    filters: {},
    ...(format === 'zip' && { includeImages: false }),
  });
  for (;;) {
    job = jobs.get(job.id) ?? job;
    if (job.status === 'completed' || job.status === 'failed' || job.status === 'cancelled') break;
    await new Promise<void>((resolve) => (wake = resolve));
  }
  const seconds = (performance.now() - t0) / 1000;
  wake = undefined;

  // The last ping (and the delay monitor) still see a stall just before the completed push.
  pinging = false;
  await pinger;
  await sleep(3 * PING_EVERY_MS);
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  loop.disable();
  const hwm = hwmReset ? highWaterMark() : null;
  if (profiler) await stopProfiler(profiler, format);
  off();
  if (job.status !== 'completed') throw new Error(`${format} export ${job.status}: ${job.error}`);
  if (job.rowCount !== N) throw new Error(`${format} export counted ${job.rowCount} rows`);
  const info = await app.app.exports.downloadInfo(job.id);
  return {
    format,
    seconds: round(seconds, 2),
    rowsPerSec: Math.round(N / seconds),
    countMs: countedAt === null ? null : round(countedAt - t0, 0),
    bytes: info.fileSize,
    path: info.path,
    rssBeforeMB: mb(rssBefore),
    rssPeakMB: mb(rssPeak),
    rssGrowthMB: mb(rssPeak - rssBefore),
    hwmGrowthMB: hwm === null ? null : mb(hwm - rssBefore),
    ping: latency(pings),
    pingWorstAtS: round((pingDue[pings.indexOf(Math.max(...pings))]! - t0) / 1000, 2),
    call: latency(calls),
    loop: {
      p50: round(loop.percentile(50) / 1e6, 2),
      p99: round(loop.percentile(99) / 1e6, 2),
      max: round(loop.max / 1e6, 2),
    },
  };
}

function report(label: string, r: ExportResult): void {
  out(
    `${label}: ${r.rowsPerSec} rows/s (${r.seconds} s, count ${r.countMs ?? '?'} ms; ${mb(r.bytes)} MiB)`,
  );
  out(
    `  RSS ${r.rssBeforeMB} → peak ${r.rssPeakMB} MB: growth ${r.rssGrowthMB} MB` +
      (r.hwmGrowthMB === null ? '' : ` (kernel high-water mark: +${r.hwmGrowthMB} MB)`),
  );
  out(
    `  cameras.list every ${PING_EVERY_MS} ms, due → answered: p50 ${r.ping.p50} p95 ${r.ping.p95} ` +
      `p99 ${r.ping.p99} max ${r.ping.max} ms (at ${r.pingWorstAtS} s; n ${r.ping.n}; ` +
      `the call alone p99 ${r.call.p99} ms)`,
  );
  out(`  event-loop delay p50 ${r.loop.p50} p99 ${r.loop.p99} max ${r.loop.max} ms`);
}

// --- RSS high-water mark (Linux: writing 5 to clear_refs resets VmHWM) ------------------

function resetHighWaterMark(): boolean {
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
    return highWaterMark() !== null;
  } catch {
    return false;
  }
}

function highWaterMark(): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

// --- Checks ---------------------------------------------------------------------------

function countLines(file: string): number {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let lines = 0;
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      for (let i = buf.indexOf(10, 0); i !== -1 && i < n; i = buf.indexOf(10, i + 1)) lines += 1;
    }
  } finally {
    fs.closeSync(fd);
  }
  return lines;
}

/** Parses both files in step; the first row that differs, or null. */
async function compareCsv(appFile: string, cliFile: string): Promise<string | null> {
  const rows = (file: string): AsyncIterator<string[]> => {
    const parser = fs
      .createReadStream(file, { highWaterMark: 1 << 20 })
      .pipe(parse({ bom: true, relax_column_count: true }));
    return parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;
  };
  const a = rows(appFile);
  const b = rows(cliFile);
  for (let line = 1; ; line += 1) {
    const [x, y] = await Promise.all([a.next(), b.next()]);
    if (x.done || y.done) {
      return x.done === y.done ? null : `row ${line}: one file ended before the other`;
    }
    const xs = x.value.join('\u0001');
    const ys = y.value.join('\u0001');
    if (xs !== ys) {
      await a.return?.();
      await b.return?.();
      return `row ${line} differs:\n    app ${JSON.stringify(x.value)}\n    cli ${JSON.stringify(y.value)}`;
    }
  }
}

/** Entry sizes of a ZIP (uncompressed), and manifest.json's text. */
async function zipEntries(file: string): Promise<Map<string, { size: number; text?: string }>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z))),
  );
  const entries = new Map<string, { size: number; text?: string }>();
  try {
    zip.readEntry();
    for (;;) {
      const [entry] = (await Promise.race([once(zip, 'entry'), once(zip, 'end')])) as [
        yauzl.Entry | undefined,
      ];
      if (!entry) break;
      const e: { size: number; text?: string } = { size: entry.uncompressedSize };
      if (entry.fileName === 'manifest.json') {
        const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
          zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))),
        );
        let text = '';
        for await (const chunk of stream) text += String(chunk);
        e.text = text;
      }
      entries.set(entry.fileName, e);
      zip.readEntry();
    }
  } finally {
    zip.close();
  }
  return entries;
}

function secondsSince(t0: number): number {
  return round((performance.now() - t0) / 1000, 1);
}

// --- Optional CPU profile of an export ---------------------------------------------------

async function startProfiler(): Promise<Session> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  return session;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  hitCount?: number;
  children?: number[];
}

/**
 * Writes the .cpuprofile and prints the functions with the most self time, and the app's own
 * functions (src-main) with the most total time (self plus callees). Line numbers are left
 * out: they are the transpiled file's, not the source's.
 */
async function stopProfiler(session: Session, format: ExportFormat): Promise<void> {
  const { profile } = (await session.post('Profiler.stop')) as {
    profile: { nodes: ProfileNode[] };
  };
  session.disconnect();
  fs.mkdirSync(CPU_PROF_DIR!, { recursive: true });
  const file = path.join(CPU_PROF_DIR!, `export-${format}.cpuprofile`);
  fs.writeFileSync(file, JSON.stringify(profile));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (n: ProfileNode) => {
    const url = n.callFrame.url.replace(/^file:\/\//, '').replace(`${process.cwd()}/`, '');
    return `${n.callFrame.functionName || '(anonymous)'}${url ? ` ${url}` : ''}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let samples = 0;
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (!hits) continue;
    samples += hits;
    self.set(name(n), (self.get(name(n)) ?? 0) + hits);
    const seen = new Set<string>();
    for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
      const key = name(byId.get(id)!);
      if (seen.has(key)) continue;
      seen.add(key);
      total.set(key, (total.get(key) ?? 0) + hits);
    }
  }
  const top = (m: Map<string, number>, k: number, keep = (_: string) => true) =>
    [...m.entries()]
      .filter(([key]) => keep(key))
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([key, hits]) => `    ${((hits / samples) * 100).toFixed(1).padStart(5)}%  ${key}`);
  log(`  CPU profile written to ${file}; self time:`);
  for (const l of top(self, 12)) log(l);
  log('  total time (self + callees) of src-main functions:');
  for (const l of top(total, 12, (key) => key.includes('src-main/'))) log(l);
}
