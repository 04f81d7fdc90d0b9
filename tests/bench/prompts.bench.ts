/**
 * What prompt management adds to one live LLM analysis: picking the version (live template,
 * experiment), filling its variables (calibration, the camera's recent events among
 * `BENCH_PROMPT_EVENTS` stored ones), validating the answer and recording the run, against
 * the floor of the same chat completion sent straight to the same loopback server with the
 * same text. Also the cost of a vision snapshot (1920×1080 JPEG downscaled to 768 px). The
 * last line is JSON.
 */
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import sharp from 'sharp';
import { chatCompletion, responseJsonSchema } from '../../src-main/prompts/llm-client';
import { snapshots } from '../../src-main/prompts/prompt-runner';
import { FAST_BATCHES, detect, insertScoredEvents } from '../helpers/events';
import { startFakeLlm } from '../helpers/llm-server';
import { startTestApp, tempDir } from '../helpers/temp-app';
import { percentile, round } from './stats';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 300);
const STORED = Number(process.env.BENCH_PROMPT_EVENTS ?? 20_000);

const llm = await startFakeLlm('good');
const t = await startTestApp({
  settingsPatch: {
    ...FAST_BATCHES,
    llm: { enabled: true, baseUrl: llm.url, model: 'bench', timeoutMs: 5000 },
  },
  rescoreIntervalMs: 3_600_000,
});
await t.call('cameras.create', { name: 'Front Door' });
const base = Date.parse('2026-01-01T00:00:00.000Z');
await insertScoredEvents(
  t.app,
  Array.from({ length: STORED }, (_, i) => ({
    cameraId: 'front_door',
    startedAt: new Date(base + i * 60_000).toISOString(),
    component: i % 100,
  })),
);
await detect(t.app, 'front_door', [{ objectClass: 'person', confidence: 0.95 }]);
await t.app.events.idle();
const [event] = (await t.call('events.list', { limit: 1 })).items;
const ctx = (await t.app.events.contextForEvent(event!.id))!;
const version = (await t.app.experiments.versionFor('bench-batch'))!;

// The floor sends exactly what the live path sent: its system and user messages.
await t.app.experiments.ask(version, ctx, { kind: 'live', eventId: event!.id });
const sent = llm.requests.at(-1)!;
const system = (sent.body.messages as { content: string }[])[0]!.content;
const rendered = sent.prompt;
const schema = responseJsonSchema(version.params.responseSchema);

async function measure(fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 30; i += 1) await fn();
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i += 1) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return times;
}

// Interleaved rounds, so drift in the machine's load touches both alike.
const floor: number[] = [];
const full: number[] = [];
for (let round = 0; round < 3; round += 1) {
  floor.push(
    ...(await measure(() =>
      chatCompletion({
        baseUrl: llm.url,
        model: 'bench',
        system,
        user: rendered,
        temperature: version.params.temperature,
        maxTokens: version.params.maxTokens,
        timeoutMs: 5000,
        responseSchema: schema,
      }),
    )),
  );
  full.push(
    ...(await measure(async () => {
      const v = (await t.app.experiments.versionFor(`bench-${Math.random()}`))!;
      return t.app.experiments.ask(v, ctx, { kind: 'live', eventId: event!.id });
    })),
  );
}

const photo = path.join(tempDir('hsi-bench-'), 'frame.jpg');
await sharp({ create: { width: 1920, height: 1080, channels: 3, background: '#4a5a6a' } })
  .jpeg({ quality: 85 })
  .toFile(photo);
const vision = await measure(() =>
  snapshots(
    { ...ctx, detections: [{ ...ctx.detections[0]!, imagePath: photo }] },
    {
      enabled: true,
      maxImages: 1,
      maxSide: 768,
    },
  ),
);

await t.app.experiments.idle();
await t.close();
await llm.close();

const p = (xs: number[], q: number) => round(percentile(xs, q), 2);
const result = {
  bench: 'prompts',
  iterations: ITERATIONS * 3,
  storedEvents: STORED,
  floorChatP50Ms: p(floor, 50),
  floorChatP95Ms: p(floor, 95),
  liveAnalysisP50Ms: p(full, 50),
  liveAnalysisP95Ms: p(full, 95),
  overheadP50Ms: round(percentile(full, 50) - percentile(floor, 50), 2),
  ratioP50: round(percentile(full, 50) / percentile(floor, 50), 2),
  visionSnapshotP50Ms: p(vision, 50),
  renderedPromptChars: rendered.length,
};
console.log(
  `chat completion (floor)  p50 ${result.floorChatP50Ms} ms  p95 ${result.floorChatP95Ms} ms`,
);
console.log(
  `live analysis            p50 ${result.liveAnalysisP50Ms} ms  p95 ${result.liveAnalysisP95Ms} ms`,
);
console.log(
  `overhead p50 ${result.overheadP50Ms} ms (×${result.ratioP50}); vision snapshot p50 ${result.visionSnapshotP50Ms} ms`,
);
console.log(JSON.stringify(result));
