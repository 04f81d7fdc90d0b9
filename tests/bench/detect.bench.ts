/**
 * Detection throughput at the photos' own size and at camera resolutions (1920×1080 and
 * 2560×1440 frames composed from the same photos at natural scale), each against its floors
 * in the same run:
 * - inference floor: raw `session.run` on a prepared tensor, same model, threads and spinning;
 * - decode floor: libjpeg-turbo's `djpeg -scale 1/N` on the same files, N being the JPEG
 *   scale the pipeline decodes at (Debian's libjpeg-turbo-progs; skipped with a reason when
 *   absent), CPU per file less djpeg's own start-up;
 * and the pipeline end to end (file → read + hash → decode → preprocess → inference →
 * postprocess → detections persisted): images/s, ratio to raw, per-stage p50/p95, event-loop
 * lag p99, and the process CPU per image spent outside inference (process CPU over the run
 * less the raw run's CPU per inference, per image).
 *
 * `--grid` measures intra-op threads × spinning × decode workers at 1920×1080 instead, in
 * BENCH_ROUNDS (3) interleaved rounds, and prints each configuration's medians as a table.
 * Environment: BENCH_IMAGES (200), BENCH_THREADS, BENCH_SPINNING (0|1), BENCH_DECODE_WORKERS
 * (the app's defaults), BENCH_RESOLUTIONS (small,1920x1080,2560x1440). The last line is JSON.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import ort from 'onnxruntime-node';
import sharp from 'sharp';
import type { OverlayOptions, Sharp } from 'sharp';
import type { StageTimings } from '../../src-main/ingest/pipeline';
import { decodeRgb, jpegShrink, layoutTensor } from '../../src-main/detect/image-tensor.mjs';
import { yolox } from '../../src-main/detect/families';
import { appModelsDir } from '../../src-main/detect/models';
import type { Settings } from '../../src-shared/settings';
import { defaultSettings } from '../../src-shared/settings';
import { fixtureModel } from '../helpers/ingest-app';
import { COCO_139_JPG, DOG_JPG, YOLOX_NANO, sharedAssetsPresent } from '../helpers/shared-assets';
import { startTestApp, tempDir } from '../helpers/temp-app';
import { percentile, round } from './stats';

const IMAGES = Number(process.env.BENCH_IMAGES ?? 200);
const GRID = process.argv.includes('--grid');
const real = sharedAssetsPresent();
const bundled = path.join(appModelsDir(), 'yolox_nano.onnx');
const modelPath = fs.existsSync(bundled) ? bundled : real ? YOLOX_NANO : fixtureModel();
if (!real) console.log('../shared photos are absent: synthetic frames (noise), not camera-like');

interface Knobs {
  threads: number;
  /** undefined where the app has no such setting (an older checkout): onnxruntime's default. */
  spinning?: boolean;
  decodeWorkers?: number;
}
/** The app's defaults, unless the environment says otherwise. */
const defaults = defaultSettings().detector as Partial<Settings['detector']>;
const envKnobs: Knobs = {
  threads: Number(process.env.BENCH_THREADS ?? defaults.intraOpThreads),
  spinning:
    process.env.BENCH_SPINNING === undefined
      ? defaults.allowSpinning
      : process.env.BENCH_SPINNING === '1',
  decodeWorkers:
    process.env.BENCH_DECODE_WORKERS === undefined
      ? defaults.decodeWorkers
      : Number(process.env.BENCH_DECODE_WORKERS),
};

const workRoot = tempDir('hsi-bench-');
process.on('exit', () => fs.rmSync(workRoot, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------- frames

/** The two photos side by side in rows, at natural scale, big enough to cut any frame from. */
async function mosaic(width: number, height: number): Promise<Sharp> {
  const photos = [DOG_JPG, COCO_139_JPG];
  const sizes = await Promise.all(photos.map(async (p) => (await sharp(p).metadata()).width));
  const tiles: OverlayOptions[] = [];
  for (let top = 0, row = 0; top < height; top += 576, row += 1) {
    for (let left = 0, k = row; left < width; k += 1) {
      tiles.push({ input: photos[k % 2]!, left, top });
      left += sizes[k % 2]!;
    }
  }
  const raw = await sharp({ create: { width, height, channels: 3, background: '#6b6b6b' } })
    .composite(tiles)
    .removeAlpha()
    .raw()
    .toBuffer();
  return sharp(raw, { raw: { width, height, channels: 3 } });
}

/**
 * Unique JPEGs (dedupe must skip none). `small`: the photos re-encoded at quality 80–94;
 * `WxH`: frames cut from the mosaic at a different offset each, quality 80–90.
 */
async function frames(resolution: string): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(workRoot, `${resolution}-`));
  const files: string[] = [];
  const [fw, fh] = resolution === 'small' ? [0, 0] : resolution.split('x').map(Number);
  const big = real && fw ? await mosaic(fw + 640, fh! + 576) : undefined;
  for (let i = 0; i < IMAGES; i += 1) {
    let bytes: Buffer;
    if (resolution === 'small' && real) {
      bytes = await sharp([DOG_JPG, COCO_139_JPG][i % 2])
        .jpeg({ quality: 80 + (i % 15) })
        .modulate({ brightness: 1 + (i % 7) / 1000 })
        .toBuffer();
    } else if (big) {
      bytes = await big
        .clone()
        .extract({ left: (i * 37) % 640, top: (i * 53) % 576, width: fw!, height: fh! })
        .jpeg({ quality: 80 + (i % 11) })
        .toBuffer();
    } else {
      const [w, h] = fw ? [fw, fh!] : [640, 480];
      bytes = await sharp({
        create: { width: w, height: h, channels: 3, background: { r: i % 255, g: 80, b: 120 } },
      })
        .jpeg({ quality: 80 + (i % 11) })
        .toBuffer();
    }
    const file = path.join(dir, `img-${String(i).padStart(5, '0')}.jpg`);
    fs.writeFileSync(file, bytes);
    files.push(file);
  }
  return files;
}

// ------------------------------------------------------------------------------- the floors

function sessionOptions(k: Knobs): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ['cpu'],
    intraOpNumThreads: k.threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    ...(k.spinning === undefined
      ? {}
      : { extra: { session: { intra_op: { allow_spinning: k.spinning ? '1' : '0' } } } }),
  };
}

/** The main thread's CPU ms so far (Linux: /proc, in clock ticks of 10 ms), else NaN. */
function mainThreadCpuMs(): number {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime
  } catch {
    return NaN;
  }
}

const cpuMs = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};

/** Inference alone on a prepared tensor: images/s and process CPU ms per inference. */
async function rawInference(file: string, k: Knobs) {
  const session = await ort.InferenceSession.create(modelPath, sessionOptions(k));
  const meta = session.inputMetadata[0] as unknown as { shape: number[] };
  const [h, w] = [meta.shape[2]!, meta.shape[3]!];
  const { tensor } = layoutTensor(await decodeRgb(fs.readFileSync(file)), yolox.preprocess(w, h));
  const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', tensor, [1, 3, h, w]) };
  for (let i = 0; i < 10; i += 1) await session.run(feeds);
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < IMAGES; i += 1) await session.run(feeds);
  const seconds = (performance.now() - start) / 1000;
  const cpuPerInference = cpuMs(cpu) / IMAGES;
  await session.release();
  return { perSecond: IMAGES / seconds, cpuMsPerInference: cpuPerInference, inputSize: [w, h] };
}

const djpeg = ['/usr/bin/djpeg', '/usr/local/bin/djpeg'].find((p) => fs.existsSync(p));

/** Children's CPU seconds (user + sys) of a shell loop running djpeg over the files. */
function djpegCpu(files: string[], scale: number): number {
  const out = execFileSync(
    'bash',
    [
      '-c',
      'for f in "${@:2}"; do "$1" -scale "1/'.concat(
        String(scale),
        '" -outfile /dev/null "$f"; done; times',
      ),
      'floor',
      djpeg!,
      ...files,
    ],
    { encoding: 'utf8' },
  );
  // `times`: shell user/sys, then children user/sys ("0m1.234s 0m0.056s").
  const children = out.trim().split('\n').pop()!;
  return children
    .split(/\s+/)
    .map((t) => /(\d+)m([\d.]+)s/.exec(t))
    .reduce((sum, m) => sum + (m ? Number(m[1]) * 60 + Number(m[2]) : 0), 0);
}

async function decodeFloor(files: string[], scale: number): Promise<number | string> {
  if (!djpeg) return 'skipped: djpeg not found (Debian package libjpeg-turbo-progs)';
  const tiny = path.join(workRoot, 'tiny.jpg');
  if (!fs.existsSync(tiny)) {
    await sharp({ create: { width: 16, height: 16, channels: 3, background: '#888' } })
      .jpeg()
      .toFile(tiny);
  }
  const sample = files.slice(0, Math.min(files.length, 100));
  const startup = djpegCpu(Array(sample.length).fill(tiny) as string[], 1);
  return round(((djpegCpu(sample, scale) - startup) * 1000) / sample.length, 2);
}

// ------------------------------------------------------------------------------ the pipeline

async function pipeline(files: string[], k: Knobs) {
  const timings: StageTimings[] = [];
  const detector: Record<string, unknown> = {
    modelPath,
    providers: ['cpu'],
    intraOpThreads: k.threads,
    concurrency: 1,
    confidence: 0.3,
    classes: [],
  };
  if (k.spinning !== undefined) detector.allowSpinning = k.spinning;
  if (k.decodeWorkers !== undefined) detector.decodeWorkers = k.decodeWorkers;
  const t = await startTestApp({
    ingest: true,
    onProcessed: (_row, s) => timings.push(s),
    settingsPatch: {
      ingest: { stabilitySeconds: 60, minBytes: 1000, highWater: IMAGES * 2, lowWater: IMAGES },
      detector: detector,
    },
  });
  await t.call('cameras.create', { name: 'Bench', folder: path.dirname(files[0]!) });
  await t.app.detector.ensureLoaded();
  const processed = () => t.call('ingest.status', {}).then((s) => s.processed);
  // Warm-up image, then the measured set.
  await t.app.ingest.offer('bench', files[0]!, 'import');
  while ((await processed()) < 1) await new Promise((r) => setTimeout(r, 20));
  timings.length = 0;

  // The histogram holds whole timer intervals: the 1 ms interval is taken off the p99.
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  const cpu = process.cpuUsage();
  const mainCpu = mainThreadCpuMs();
  const start = performance.now();
  for (const file of files.slice(1)) await t.app.ingest.offer('bench', file, 'import');
  while ((await processed()) < files.length) await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - start) / 1000;
  const cpuTotal = cpuMs(cpu);
  const mainCpuTotal = mainThreadCpuMs() - mainCpu;
  lag.disable();
  const detections = Number(
    (
      await t.app.db
        .selectFrom('detections')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  await t.close();
  const stage = (key: keyof StageTimings) => {
    const values = timings.map((x) => x[key]);
    return { p50: round(percentile(values, 50), 2), p95: round(percentile(values, 95), 2) };
  };
  return {
    perSecond: (files.length - 1) / seconds,
    cpuMsPerImage: cpuTotal / (files.length - 1),
    mainThreadCpuMsPerImage: mainCpuTotal / (files.length - 1),
    eventLoopLagP99Ms: round(lag.percentile(99) / 1e6 - 1, 2),
    detections,
    stages: {
      read: stage('readMs'),
      decode: stage('decodeMs'),
      preprocess: stage('preprocessMs'),
      inference: stage('inferenceMs'),
      postprocess: stage('postprocessMs'),
      persist: stage('persistMs'),
    },
  };
}

async function measure(resolution: string, files: string[], k: Knobs, o = { floor: true }) {
  const raw = await rawInference(files[0]!, k);
  const pipe = await pipeline(files, k);
  const meta = await sharp(files[0]).metadata();
  // The pipeline's own choice of JPEG scale, so the floor decodes as much as it does.
  const [w, h] = raw.inputSize as [number, number];
  const scale = jpegShrink(meta.width, meta.height, yolox.preprocess(w, h));
  return {
    resolution,
    size: `${meta.width}x${meta.height}`,
    rawPerSecond: round(raw.perSecond, 1),
    pipelinePerSecond: round(pipe.perSecond, 1),
    ratio: round(pipe.perSecond / raw.perSecond, 3),
    inferenceCpuMs: round(raw.cpuMsPerInference, 2),
    cpuMsOutsideInference: round(pipe.cpuMsPerImage - raw.cpuMsPerInference, 2),
    mainThreadCpuMs: round(pipe.mainThreadCpuMsPerImage, 2),
    jpegScale: `1/${scale}`,
    decodeFloorMs: o.floor ? await decodeFloor(files, scale) : 'not measured',
    eventLoopLagP99Ms: pipe.eventLoopLagP99Ms,
    detections: pipe.detections,
    stages: pipe.stages,
  };
}

type Result = Awaited<ReturnType<typeof measure>>;

function print(r: Result, k: Knobs) {
  console.log(
    `\n${r.resolution} (${r.size}), ${k.threads} intra-op threads, spinning ${k.spinning ?? 'default'}, decode workers ${k.decodeWorkers ?? 'default'}, ${IMAGES} images`,
  );
  console.log(`  raw session.run  ${r.rawPerSecond} /s (${r.inferenceCpuMs} ms CPU each)`);
  console.log(`  pipeline         ${r.pipelinePerSecond} /s  (ratio ${r.ratio})`);
  console.log(
    `  CPU outside inference ${r.cpuMsOutsideInference} ms/image, ${r.mainThreadCpuMs} ms of it on the main thread`,
  );
  console.log(`  decode floor (djpeg -scale ${r.jpegScale}) ${r.decodeFloorMs} ms`);
  for (const [name, s] of Object.entries(r.stages))
    console.log(`    ${name.padEnd(12)} p50 ${s.p50} ms  p95 ${s.p95} ms`);
  console.log(`  event-loop lag p99 ${r.eventLoopLagP99Ms} ms; ${r.detections} detections`);
}

console.log(`model ${path.basename(modelPath)}`);
if (GRID) {
  // Machines like this one are noisy: every configuration runs once per round, rounds
  // interleave them, and the table takes each one's median.
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const files = await frames('1920x1080');
  const configs: Knobs[] = [];
  for (const threads of [1, 2])
    for (const spinning of [true, false])
      for (const decodeWorkers of [0, 1, 2]) configs.push({ threads, spinning, decodeWorkers });
  const samples = configs.map(() => [] as Result[]);
  for (let round = 1; round <= rounds; round += 1) {
    for (const [i, k] of configs.entries()) {
      const r = await measure('1920x1080', files, k, { floor: false });
      samples[i]!.push(r);
      console.log(
        `round ${round}: threads ${k.threads} spinning ${k.spinning} decode workers ${k.decodeWorkers}: raw ${r.rawPerSecond}/s pipeline ${r.pipelinePerSecond}/s ratio ${r.ratio} outside ${r.cpuMsOutsideInference} ms lag ${r.eventLoopLagP99Ms} ms`,
      );
    }
  }
  const median = (values: number[]) => round(percentile(values, 50), 3);
  const rows = configs.map((k, i) => {
    const s = samples[i]!;
    return {
      ...k,
      rawPerSecond: median(s.map((r) => r.rawPerSecond)),
      pipelinePerSecond: median(s.map((r) => r.pipelinePerSecond)),
      ratio: median(s.map((r) => r.ratio)),
      cpuMsOutsideInference: median(s.map((r) => r.cpuMsOutsideInference)),
      eventLoopLagP99Ms: median(s.map((r) => r.eventLoopLagP99Ms)),
    };
  });
  console.log(`\nmedians of ${rounds} rounds, 1920x1080, ${IMAGES} images each`);
  console.log(
    '| intra-op threads | spinning | decode workers | raw /s | pipeline /s | ratio | CPU outside inference, ms/image | event-loop lag p99, ms |',
  );
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows)
    console.log(
      `| ${r.threads} | ${r.spinning ? 'on' : 'off'} | ${r.decodeWorkers} | ${r.rawPerSecond} | ${r.pipelinePerSecond} | ${r.ratio} | ${r.cpuMsOutsideInference} | ${r.eventLoopLagP99Ms} |`,
    );
  console.log(
    JSON.stringify({ bench: 'detect-grid', resolution: '1920x1080', images: IMAGES, rounds, rows }),
  );
} else {
  const wanted = (process.env.BENCH_RESOLUTIONS ?? 'small,1920x1080,2560x1440').split(',');
  const results: Record<string, Result> = {};
  for (const resolution of wanted) {
    results[resolution] = await measure(resolution, await frames(resolution), envKnobs);
    print(results[resolution], envKnobs);
  }
  const small = results.small;
  const pick = (r: Result) => ({
    rawPerSecond: r.rawPerSecond,
    pipelinePerSecond: r.pipelinePerSecond,
    ratio: r.ratio,
    cpuMsOutsideInference: r.cpuMsOutsideInference,
    mainThreadCpuMs: r.mainThreadCpuMs,
    decodeFloorMs: r.decodeFloorMs,
    jpegScale: r.jpegScale,
    eventLoopLagP99Ms: r.eventLoopLagP99Ms,
    stages: r.stages,
  });
  console.log(
    JSON.stringify({
      bench: 'detect',
      model: path.basename(modelPath),
      threads: envKnobs.threads,
      spinning: envKnobs.spinning ?? 'default',
      decodeWorkers: envKnobs.decodeWorkers ?? 'default',
      images: IMAGES,
      ...(small && {
        rawPerSecond: small.rawPerSecond,
        pipelinePerSecond: small.pipelinePerSecond,
        ratio: small.ratio,
        stages: small.stages,
        eventLoopLagP99Ms: small.eventLoopLagP99Ms,
        detections: small.detections,
      }),
      resolutions: Object.fromEntries(
        Object.entries(results)
          .filter(([name]) => name !== 'small')
          .map(([name, r]) => [name, pick(r)]),
      ),
      decodeFloorMs: Object.fromEntries(
        Object.entries(results).map(([name, r]) => [name, r.decodeFloorMs]),
      ),
    }),
  );
}
