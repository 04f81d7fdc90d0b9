// `npm run bench:watch`: what a new snapshot costs the event loop when its camera folder
// already holds many files. The app's TreeWatcher (one inotify watch per folder, one stat
// per event) against the baseline, chokidar with the options the app used before (it
// re-reads the whole folder, a stat per entry, on changes). Same folder sizes, same writes,
// same run; each watcher in turn. BENCH_FILES (kept files, 5000), BENCH_WRITES (300),
// BENCH_RATE (writes a second, 20).
import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { watch } from 'chokidar';
import { isImageName } from '../../src-shared/images';
import { TreeWatcher } from '../../src-main/ingest/tree-watcher';
import { tempDir } from '../helpers/temp-app';
import { percentile, round } from './stats';

const KEPT = Number(process.env.BENCH_FILES ?? 5000);
const WRITES = Number(process.env.BENCH_WRITES ?? 300);
const RATE = Number(process.env.BENCH_RATE ?? 20);
const STABILITY_MS = 200;

interface Watcher {
  start(dir: string, onFile: (file: string) => void): Promise<void>;
  close(): Promise<void>;
}

function chokidarWatcher(): Watcher {
  let w: ReturnType<typeof watch> | undefined;
  return {
    async start(dir, onFile) {
      w = watch(dir, {
        ignoreInitial: true,
        depth: 8,
        usePolling: false,
        interval: 500,
        ignored: (p, stats) =>
          path.basename(p).startsWith('.') || (stats?.isFile() === true && !isImageName(p)),
        awaitWriteFinish: { stabilityThreshold: STABILITY_MS, pollInterval: 100 },
      });
      w.on('add', onFile);
      await new Promise<void>((r) => w!.once('ready', () => r()));
    },
    close: async () => w?.close(),
  };
}

function treeWatcher(): Watcher {
  let w: TreeWatcher | undefined;
  return {
    async start(dir, onFile) {
      w = new TreeWatcher({
        stabilityMs: STABILITY_MS,
        maxDepth: 8,
        accept: isImageName,
        onFile,
        onDir: () => undefined,
        onError: (err) => console.error(err),
      });
      await w.add([dir]);
    },
    close: async () => w?.close(),
  };
}

async function measure(name: string, make: () => Watcher) {
  const dir = tempDir('hsi-bench-watch-');
  for (let i = 0; i < KEPT; i += 1) fs.writeFileSync(path.join(dir, `kept-${i}.jpg`), 'x');
  const seen = new Map<string, number>();
  const written = new Map<string, number>();
  const watcher = make();
  await watcher.start(dir, (file) => {
    if (!seen.has(file)) seen.set(file, performance.now());
  });
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < WRITES; i += 1) {
    const file = path.join(dir, `snap-${i}.jpg`);
    const temp = path.join(dir, `.snap-${i}.part`);
    fs.writeFileSync(temp, Buffer.alloc(20_000, i));
    fs.renameSync(temp, file);
    written.set(file, performance.now());
    const next = started + ((i + 1) * 1000) / RATE;
    await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
  }
  const deadline = performance.now() + 30_000;
  while (seen.size < WRITES && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  lag.disable();
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - started) / 1000;
  await watcher.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const delays = [...written].flatMap(([f, at]) => {
    const s = seen.get(f);
    return s === undefined ? [] : [s - at];
  });
  return {
    name,
    reported: seen.size,
    lagP99Ms: round(lag.percentile(99) / 1e6, 1),
    lagMaxMs: round(lag.max / 1e6, 1),
    cpuPercent: round(((used.user + used.system) / 1e6 / seconds) * 100, 1),
    reportP50Ms: round(percentile(delays, 50), 0),
    reportP99Ms: round(percentile(delays, 99), 0),
  };
}

const baseline = await measure('chokidar (before)', chokidarWatcher);
console.log(JSON.stringify(baseline));
const ours = await measure('TreeWatcher', treeWatcher);
console.log(JSON.stringify(ours));
if (ours.reported !== WRITES || baseline.reported !== WRITES) {
  console.error(`not every file was reported: ${baseline.reported}, ${ours.reported} of ${WRITES}`);
  process.exit(1);
}
console.log(
  JSON.stringify({
    bench: 'watch',
    keptFiles: KEPT,
    writes: WRITES,
    perSecond: RATE,
    baseline,
    ours,
    cpuRatio: round(baseline.cpuPercent / Math.max(ours.cpuPercent, 0.1), 1),
  }),
);
