/**
 * Detection throughput: raw `session.run` on a prepared tensor (the baseline) against the
 * whole pipeline (file → decode → preprocess → inference → postprocess → detections
 * persisted), same model, same thread count, same images, in one run. Prints per-stage
 * p50/p95 and the event-loop lag p99; the last line is JSON.
 */
import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import ort from 'onnxruntime-node';
import sharp from 'sharp';
import type { StageTimings } from '../../src-main/ingest/pipeline';
import { decodeRgb, layoutTensor } from '../../src-main/detect/image-tensor.mjs';
import { yolox } from '../../src-main/detect/families';
import { fixtureModel } from '../helpers/ingest-app';
import { COCO_139_JPG, DOG_JPG, YOLOX_NANO, sharedAssetsPresent } from '../helpers/shared-assets';
import { startTestApp, tempDir } from '../helpers/temp-app';
import { percentile, round } from './stats';

const IMAGES = Number(process.env.BENCH_IMAGES ?? 200);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const real = sharedAssetsPresent();
const modelPath = real ? YOLOX_NANO : fixtureModel();
if (!real) console.log('../shared is absent: using the tiny fixture model and synthetic photos');

// Unique JPEGs (dedupe must not skip any): the two photos re-encoded at varying quality.
const sources = real ? [DOG_JPG, COCO_139_JPG] : [];
const workDir = tempDir('hsi-bench-');
const files: string[] = [];
for (let i = 0; i < IMAGES; i += 1) {
  const src = sources.length
    ? sharp(sources[i % sources.length])
    : sharp({
        create: { width: 640, height: 480, channels: 3, background: { r: i % 255, g: 80, b: 120 } },
      });
  const bytes = await src
    .jpeg({ quality: 80 + (i % 15) })
    .modulate({ brightness: 1 + (i % 7) / 1000 })
    .toBuffer();
  const file = path.join(workDir, `img-${String(i).padStart(5, '0')}.jpg`);
  fs.writeFileSync(file, bytes);
  files.push(file);
}

// Baseline: the same session settings, inference only, on a prepared tensor.
const session = await ort.InferenceSession.create(modelPath, {
  executionProviders: ['cpu'],
  intraOpNumThreads: THREADS,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
  logSeverityLevel: 3,
});
const meta = session.inputMetadata[0] as unknown as { shape: number[] };
const [h, w] = [meta.shape[2]!, meta.shape[3]!];
const { tensor } = layoutTensor(
  await decodeRgb(fs.readFileSync(files[0]!)),
  yolox.preprocess(w, h),
);
const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', tensor, [1, 3, h, w]) };
for (let i = 0; i < 10; i += 1) await session.run(feeds);
const rawStart = performance.now();
for (let i = 0; i < IMAGES; i += 1) await session.run(feeds);
const rawPerSecond = IMAGES / ((performance.now() - rawStart) / 1000);
await session.release();

// The pipeline, end to end.
const timings: StageTimings[] = [];
const t = await startTestApp({
  ingest: true,
  onProcessed: (_row, s) => timings.push(s),
  settingsPatch: {
    ingest: { stabilitySeconds: 60, minBytes: 1000, highWater: IMAGES * 2, lowWater: IMAGES },
    detector: {
      modelPath,
      providers: ['cpu'],
      intraOpThreads: THREADS,
      concurrency: 1,
      confidence: 0.3,
      classes: [],
    },
  },
});
await t.call('cameras.create', { name: 'Bench', folder: workDir });
await t.app.detector.ensureLoaded();
// Warm-up image, then the measured set.
await t.app.ingest.offer('bench', files[0]!, 'import');
while ((await t.call('ingest.status', {})).processed < 1)
  await new Promise((r) => setTimeout(r, 20));
timings.length = 0;

const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
const pipeStart = performance.now();
for (const file of files.slice(1)) await t.app.ingest.offer('bench', file, 'import');
const target = files.length;
while ((await t.call('ingest.status', {})).processed < target)
  await new Promise((r) => setTimeout(r, 20));
const pipeSeconds = (performance.now() - pipeStart) / 1000;
lag.disable();
const pipelinePerSecond = (files.length - 1) / pipeSeconds;
const detections = Number(
  (
    await t.app.db
      .selectFrom('detections')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
  ).n,
);
await t.close();
fs.rmSync(workDir, { recursive: true, force: true });

const stage = (key: keyof StageTimings) => ({
  p50: round(
    percentile(
      timings.map((x) => x[key]),
      50,
    ),
    2,
  ),
  p95: round(
    percentile(
      timings.map((x) => x[key]),
      95,
    ),
    2,
  ),
});
const stages = {
  read: stage('readMs'),
  decode: stage('decodeMs'),
  preprocess: stage('preprocessMs'),
  inference: stage('inferenceMs'),
  postprocess: stage('postprocessMs'),
  persist: stage('persistMs'),
};
const lagP99 = round(lag.percentile(99) / 1e6, 2);
console.log(
  `model ${path.basename(modelPath)} ${w}x${h}, ${THREADS} intra-op threads, ${IMAGES} images`,
);
console.log(`raw session.run  ${round(rawPerSecond, 1)} /s`);
console.log(
  `pipeline         ${round(pipelinePerSecond, 1)} /s  (ratio ${round(pipelinePerSecond / rawPerSecond, 3)})`,
);
for (const [name, s] of Object.entries(stages))
  console.log(`  ${name.padEnd(12)} p50 ${s.p50} ms  p95 ${s.p95} ms`);
console.log(`event-loop lag p99 ${lagP99} ms; ${detections} detections persisted`);
console.log(
  JSON.stringify({
    bench: 'detect',
    model: path.basename(modelPath),
    threads: THREADS,
    images: IMAGES,
    rawPerSecond: round(rawPerSecond, 1),
    pipelinePerSecond: round(pipelinePerSecond, 1),
    ratio: round(pipelinePerSecond / rawPerSecond, 3),
    stages,
    eventLoopLagP99Ms: lagP99,
    detections,
  }),
);
