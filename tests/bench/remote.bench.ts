/**
 * Detection on another process over loopback against detection here, same model (the bundled
 * YOLOX-Nano), same photos, same run: a second `hsi serve` serves its detector (V2 and the
 * CodeProject.AI endpoint); this process detects the photos one after another
 * - locally (the baseline: read, decode, preprocess, inference, postprocess here),
 * - over V2 with tensors in shared memory (the default with a server on this computer), with
 *   binary tensors and with JSON tensors in the body (preprocessing here, inference there),
 * - over the CodeProject.AI endpoint (the JPEG sent, everything done there),
 * and reports images/s, p50/p95 latency and the protocol overhead per image (p50 less the
 * local p50). Targets: V2 binary within 15 % of local throughput, at least 3× V2 JSON
 * (reported for binary in the body and for shared memory).
 * The modes take turns in blocks of ten images, so a slow moment of the machine is shared.
 * Each image is prepared (read, decode, tensor) and then inferred, at most one inference at a
 * time per app, as the ingest pipeline does with its default settings (`detector.concurrency`
 * 1, while its other workers prepare the next snapshots).
 * Environment: BENCH_IMAGES (60 per mode), BENCH_CONCURRENCY (images in flight: 3, the
 * pipeline's workers with default settings, which measures throughput; 1 measures latency),
 * BENCH_SERVER_CONCURRENCY (2, the serving process's `detectionServer.concurrency`). The last
 * line is JSON.
 */
import fs from 'node:fs';
import path from 'node:path';
import pLimit from 'p-limit';
import type { SettingsPatch } from '../../src-shared/settings';
import { freePort } from '../helpers/http';
import { startServe } from '../helpers/serve-process';
import { COCO_139_JPG, DOG_JPG } from '../helpers/shared-assets';
import { startTestApp, tempDir } from '../helpers/temp-app';
import type { TestApp } from '../helpers/temp-app';
import { percentile, round } from './stats';

const IMAGES = Number(process.env.BENCH_IMAGES ?? 60);
/** Images in flight at once (the pipeline's workers by default); 1 measures latency. */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 3);
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

/** Images per block: the modes take turns block by block, so a slow moment hits them all. */
const BLOCK = 10;

interface Tally {
  times: number[];
  seconds: number;
  detections: number;
}

/** One block of images in one mode, CONCURRENCY at a time, added to its tally. */
async function block(tally: Tally, one: (file: string) => Promise<number>, start: number) {
  let next = start;
  const end = Math.min(start + BLOCK, IMAGES);
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < end; i = next++) {
      const t0 = performance.now();
      const found = await one(photos[i % photos.length]!);
      tally.detections += found;
      tally.times.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  tally.seconds += (performance.now() - started) / 1000;
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
  const v2 = (v2Binary: boolean, v2SharedMemory: boolean) =>
    app({
      detector: {
        backend: 'v2',
        endpoints: [{ url }],
        v2Binary,
        v2SharedMemory,
        providers: ['cpu'],
      },
    } as SettingsPatch);
  const shared = await v2(true, true);
  const binary = await v2(true, false);
  const jsonApp = await v2(false, false);
  const bytes = new Map(photos.map((p) => [p, fs.readFileSync(p)]));
  const codeProject = async (file: string) => {
    const form = new FormData();
    form.set('image', new Blob([bytes.get(file)!]), path.basename(file));
    form.set('min_confidence', String(options.confidence));
    const res = await fetch(`${url}/v1/vision/detection`, { method: 'POST', body: form });
    const body = (await res.json()) as { predictions: unknown[] };
    return body.predictions.length;
  };
  /** Prepared as soon as it comes, inferred one at a time (`detector.concurrency` 1). */
  const detectWith = (t: TestApp) => {
    const inference = pLimit(t.app.settings.get().detector.concurrency);
    return async (file: string) => {
      const frame = await t.app.detector.prepare(file);
      return (await inference(() => t.app.detector.infer(frame, options))).detections.length;
    };
  };

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
  const modes = [
    ['local', detectWith(local)],
    ['v2-shared-memory', detectWith(shared)],
    ['v2-binary', detectWith(binary)],
    ['v2-json', detectWith(jsonApp)],
    ['codeproject', codeProject],
  ] as const;
  // Warm up: models loaded, connections open, shared memory registered.
  for (const [, one] of modes) for (const p of photos) await one(p);
  const tallies = modes.map(() => ({ times: [], seconds: 0, detections: 0, serverMs: 0 }));
  for (let start = 0; start < IMAGES; start += BLOCK) {
    for (const [i, [, one]] of modes.entries()) {
      const before = await served();
      await block(tallies[i]!, one, start);
      const after = await served();
      tallies[i]!.serverMs += (after.seconds - before.seconds) * 1000;
    }
  }
  const results: Result[] = modes.map(([mode], i) => {
    const t = tallies[i]!;
    return {
      mode,
      ...(mode !== 'local' && { serverMs: round(t.serverMs / IMAGES, 2) }),
      imagesPerSecond: round(IMAGES / t.seconds, 2),
      p50Ms: round(percentile(t.times, 50), 2),
      p95Ms: round(percentile(t.times, 95), 2),
      detections: t.detections,
    };
  });
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
  const sharedVsLocal = by['v2-shared-memory']!.imagesPerSecond / base.imagesPerSecond;
  const sharedVsJson = by['v2-shared-memory']!.imagesPerSecond / by['v2-json']!.imagesPerSecond;
  for (const [name, vsLocal, vsJson] of [
    ['V2 shared memory', sharedVsLocal, sharedVsJson],
    ['V2 binary', binaryVsLocal, binaryVsJson],
  ] as const) {
    console.log(
      `${name}: ${round(vsLocal * 100, 1)} % of local throughput (target ≥ 85 %), ` +
        `${round(vsJson, 2)}× V2 JSON (target ≥ 3×)`,
    );
  }
  console.log(
    JSON.stringify({
      images: IMAGES,
      concurrency: CONCURRENCY,
      serverConcurrency: SERVER_CONCURRENCY,
      photos: photos.map((p) => path.basename(p)),
      results: rows,
      binaryVsLocal: round(binaryVsLocal, 3),
      binaryVsJson: round(binaryVsJson, 3),
      sharedVsLocal: round(sharedVsLocal, 3),
      sharedVsJson: round(sharedVsJson, 3),
      targetsMet: {
        binary: binaryVsLocal >= 0.85 && binaryVsJson >= 3,
        sharedMemory: sharedVsLocal >= 0.85 && sharedVsJson >= 3,
      },
    }),
  );
} finally {
  for (const t of apps) await t.close();
  await node.stop();
  fs.rmSync(serverDir, { recursive: true, force: true });
}
