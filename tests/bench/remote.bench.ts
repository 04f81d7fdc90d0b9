/**
 * Detection on another process over loopback against detection here, same model (the bundled
 * YOLOX-Nano), same photos, same run: a second `hsi serve` serves its detector (V2 and the
 * CodeProject.AI endpoint); this process detects the photos one after another
 * - locally (the baseline: read, decode, preprocess, inference, postprocess here),
 * - over V2 with binary tensors, and with JSON tensors (preprocessing here, inference there),
 * - over the CodeProject.AI endpoint (the JPEG sent, everything done there),
 * and reports images/s, p50/p95 latency and the protocol overhead per image (p50 less the
 * local p50). Targets: V2 binary within 15 % of local throughput, at least 3× V2 JSON.
 * Environment: BENCH_IMAGES (60 per mode), BENCH_CONCURRENCY (1: one image at a time, which
 * measures latency; 2: the next image prepared while the last one is detected, as the
 * pipeline does with `detector.concurrency` 2), BENCH_SERVER_CONCURRENCY (2, the serving
 * process's `detectionServer.concurrency`). The last line is JSON.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SettingsPatch } from '../../src-shared/settings';
import { freePort } from '../helpers/http';
import { startServe } from '../helpers/serve-process';
import { COCO_139_JPG, DOG_JPG } from '../helpers/shared-assets';
import { startTestApp, tempDir } from '../helpers/temp-app';
import type { TestApp } from '../helpers/temp-app';
import { percentile, round } from './stats';

const IMAGES = Number(process.env.BENCH_IMAGES ?? 60);
/** Images in flight at once (the pipeline's `detector.concurrency`): 1 measures latency. */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 1);
/** Requests the serving process answers at once (`detectionServer.concurrency`). */
const SERVER_CONCURRENCY = Number(process.env.BENCH_SERVER_CONCURRENCY ?? 2);
const photos = [DOG_JPG, COCO_139_JPG].filter((f) => fs.existsSync(f));
if (photos.length === 0) {
  console.log('../shared photos are absent: nothing to measure');
  console.log(JSON.stringify({ skipped: 'no photos' }));
  process.exit(0);
}
const options = { confidence: 0.3, classes: [] };

interface Result {
  mode: string;
  /** Mean time the serving process spent per request (its /metrics), for the remote modes. */
  serverMs?: number;
  imagesPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  detections: number;
}

async function measure(mode: string, one: (file: string) => Promise<number>): Promise<Result> {
  // Warm up: the model loaded, the connections open.
  for (const p of photos) await one(p);
  const times: number[] = [];
  let detections = 0;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < IMAGES; i = next++) {
      const t0 = performance.now();
      const found = await one(photos[i % photos.length]!);
      detections += found;
      times.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  return {
    mode,
    imagesPerSecond: round(IMAGES / seconds, 2),
    p50Ms: round(percentile(times, 50), 2),
    p95Ms: round(percentile(times, 95), 2),
    detections,
  };
}

const port = await freePort();
const serverDir = tempDir('hsi-bench-node-');
const settingsFile = path.join(serverDir, 'node.json');
fs.writeFileSync(
  settingsFile,
  JSON.stringify({
    detector: { providers: ['cpu'] },
    detectionServer: { enabled: true, port, concurrency: SERVER_CONCURRENCY },
  }),
);
const node = await startServe(['--data-dir', serverDir, '--port', '0', '--settings', settingsFile]);
const url = `http://127.0.0.1:${port}`;
const apps: TestApp[] = [];
const app = async (patch: SettingsPatch) => {
  const t = await startTestApp({ settingsPatch: patch });
  apps.push(t);
  if (!(await t.app.detector.ensureLoaded())) throw new Error(t.app.detector.status().reason ?? '');
  return t;
};

try {
  const local = await app({ detector: { providers: ['cpu'] } });
  const binary = await app({
    detector: { backend: 'v2', endpoints: [{ url }], v2Binary: true, providers: ['cpu'] },
  } as SettingsPatch);
  const jsonApp = await app({
    detector: { backend: 'v2', endpoints: [{ url }], v2Binary: false, providers: ['cpu'] },
  } as SettingsPatch);
  const bytes = new Map(photos.map((p) => [p, fs.readFileSync(p)]));
  const codeProject = async (file: string) => {
    const form = new FormData();
    form.set('image', new Blob([bytes.get(file)!]), path.basename(file));
    form.set('min_confidence', String(options.confidence));
    const res = await fetch(`${url}/v1/vision/detection`, { method: 'POST', body: form });
    const body = (await res.json()) as { predictions: unknown[] };
    return body.predictions.length;
  };
  const detectWith = (t: TestApp) => async (file: string) =>
    (await t.app.detector.detect(file, options)).detections.length;

  /** The serving process's request count and total answer time, from its /metrics. */
  const served = async () => {
    const text = await (
      await fetch(`${node.url}/metrics`, { headers: { authorization: `Bearer ${node.token}` } })
    ).text();
    const value = (name: string) =>
      Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
    const requests = value('hsi_detection_server_requests');
    return { requests, seconds: requests * value('hsi_detection_server_average_seconds') };
  };
  const results: Result[] = [];
  for (const [mode, one] of [
    ['local', detectWith(local)],
    ['v2-binary', detectWith(binary)],
    ['v2-json', detectWith(jsonApp)],
    ['codeproject', codeProject],
  ] as const) {
    const before = await served();
    const result = await measure(mode, one);
    const after = await served();
    const n = after.requests - before.requests;
    if (n > 0) result.serverMs = round(((after.seconds - before.seconds) / n) * 1000, 2);
    results.push(result);
  }
  const by = Object.fromEntries(results.map((r) => [r.mode, r]));
  const base = by.local!;
  const rows = results.map((r) => ({
    ...r,
    vsLocal: round(r.imagesPerSecond / base.imagesPerSecond, 3),
    overheadMs: round(r.p50Ms - base.p50Ms, 2),
  }));
  console.table(rows);
  const binaryVsLocal = by['v2-binary']!.imagesPerSecond / base.imagesPerSecond;
  const binaryVsJson = by['v2-binary']!.imagesPerSecond / by['v2-json']!.imagesPerSecond;
  console.log(
    `V2 binary: ${round(binaryVsLocal * 100, 1)} % of local throughput (target ≥ 85 %), ` +
      `${round(binaryVsJson, 2)}× V2 JSON (target ≥ 3×)`,
  );
  console.log(
    JSON.stringify({
      images: IMAGES,
      concurrency: CONCURRENCY,
      serverConcurrency: SERVER_CONCURRENCY,
      photos: photos.map((p) => path.basename(p)),
      results: rows,
      binaryVsLocal: round(binaryVsLocal, 3),
      binaryVsJson: round(binaryVsJson, 3),
      targetsMet: binaryVsLocal >= 0.85 && binaryVsJson >= 3,
    }),
  );
} finally {
  for (const t of apps) await t.close();
  await node.stop();
  fs.rmSync(serverDir, { recursive: true, force: true });
}
