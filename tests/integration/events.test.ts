import { afterEach, describe, expect, it } from 'vitest';
import type { PushMessage } from '../../src-shared/contract';
import type { SecurityEvent } from '../../src-shared/domain';
import type { SettingsPatch } from '../../src-shared/settings';
import type { AppConfig } from '../../src-main/app/config';
import { FAST_BATCHES, detect } from '../helpers/events';
import type { FakeLlm } from '../helpers/llm-server';
import { startFakeLlm } from '../helpers/llm-server';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp } from '../helpers/temp-app';

let t: TestApp | undefined;
let llm: FakeLlm | undefined;
afterEach(async () => {
  await t?.close();
  await llm?.close();
  t = undefined;
  llm = undefined;
});

const FAST = FAST_BATCHES;

async function start(
  settings: SettingsPatch = {},
  dataDir?: string,
  config: Partial<AppConfig> = {},
) {
  t = await startTestApp({
    dataDir,
    settingsPatch: { ...FAST, ...settings, batching: { ...FAST.batching, ...settings.batching } },
    llmBreakerCooldownMs: 300,
    rescoreIntervalMs: 60_000,
    ...config,
  });
  if (!dataDir) await t.call('cameras.create', { name: 'Front Door' });
  return t;
}

const events = async () => (await t!.call('events.list', {})).items;
const waitForEvents = (n: number) =>
  expect.poll(() => events().then((e) => e.length), { timeout: 5000 }).toBe(n);

describe('batch aggregation', () => {
  it('closes after the idle timeout with the detections seen so far', async () => {
    await start();
    await detect(t!.app, 'front_door', [{ objectClass: 'car', confidence: 0.7 }]);
    await detect(t!.app, 'front_door', [
      { objectClass: 'dog', confidence: 0.6, bbox: [0.5, 0.5, 0.6, 0.7] },
    ]);
    expect(await events()).toHaveLength(0);
    await waitForEvents(1);
    const [event] = await events();
    expect(event).toMatchObject({
      cameraId: 'front_door',
      cameraName: 'Front Door',
      detectionCount: 2,
      scorer: 'rules',
    });
    expect(event!.objectClasses.sort()).toEqual(['car', 'dog']);
    const full = await t!.call('events.get', { id: event!.id });
    expect(full.detections).toHaveLength(2);
    expect(full.detections.every((d) => d.eventId === event!.id)).toBe(true);
  });

  it('closes at the window even while detections keep coming', async () => {
    // The batch clock is moved by hand: a car every 100 ms, never idle, for 800 ms.
    let now = 1_000_000;
    await start({ batching: { windowSeconds: 0.5, idleSeconds: 5 } }, undefined, {
      batchClock: () => now,
    });
    for (let i = 0; i < 8; i += 1) {
      await detect(t!.app, 'front_door', [
        { objectClass: 'car', confidence: 0.7, bbox: [i / 10, 0.1, i / 10 + 0.05, 0.2] },
      ]);
      now += 100;
      await t!.app.aggregator.tick();
    }
    await t!.app.events.idle();
    // Closed at 500 ms with five cars; the next batch is still open.
    expect((await events()).map((e) => e.detectionCount)).toEqual([5]);
    expect(t!.app.aggregator.openBatches()).toMatchObject([{ detections: 3 }]);
    now += 500;
    await t!.app.aggregator.tick();
    await t!.app.events.idle();
    expect((await events()).map((e) => e.detectionCount).sort()).toEqual([3, 5]);
  });

  it('closes at maxDetections', async () => {
    await start({ batching: { maxDetections: 3, idleSeconds: 10, windowSeconds: 10 } });
    await detect(t!.app, 'front_door', [
      { objectClass: 'car', confidence: 0.7, bbox: [0.1, 0.1, 0.2, 0.2] },
      { objectClass: 'car', confidence: 0.7, bbox: [0.3, 0.1, 0.4, 0.2] },
      { objectClass: 'car', confidence: 0.7, bbox: [0.5, 0.1, 0.6, 0.2] },
    ]);
    await waitForEvents(1);
    expect((await events())[0]!.detectionCount).toBe(3);
  });

  it('the fast path scores a confident person at once', async () => {
    await start({ batching: { idleSeconds: 10, windowSeconds: 10 } });
    const pushes: PushMessage[] = [];
    t!.app.push.subscribe((m) => pushes.push(m));
    await detect(t!.app, 'front_door', [{ objectClass: 'person', confidence: 0.95 }]);
    await waitForEvents(1);
    const [event] = await events();
    expect(event!.isFastPath).toBe(true);
    expect(pushes.some((m) => m.type === 'event.created' && m.data.id === event!.id)).toBe(true);
  });

  it('a parked car does not create an event every snapshot', async () => {
    await start();
    const parked: [number, number, number, number] = [0.6, 0.5, 0.9, 0.8];
    const t0 = Date.now();
    await detect(
      t!.app,
      'front_door',
      [{ objectClass: 'car', confidence: 0.8, bbox: parked }],
      new Date(t0).toISOString(),
    );
    await waitForEvents(1);
    for (let i = 1; i <= 4; i += 1) {
      const jitter: [number, number, number, number] = [0.6 + i * 0.002, 0.5, 0.9, 0.8 + i * 0.002];
      await detect(
        t!.app,
        'front_door',
        [{ objectClass: 'car', confidence: 0.8, bbox: jitter }],
        new Date(t0 + i * 1000).toISOString(),
      );
    }
    // Stationary alone: no batch opened, so nothing can become an event.
    expect(t!.app.aggregator.openBatches()).toEqual([]);
    await t!.app.events.idle();
    expect(await events()).toHaveLength(1);
    const stationary = await t!.app.db
      .selectFrom('detections')
      .select('stationary')
      .where('stationary', '=', 1)
      .execute();
    expect(stationary).toHaveLength(4);
    // Something new that moves still opens a batch.
    await detect(
      t!.app,
      'front_door',
      [{ objectClass: 'person', confidence: 0.7, bbox: [0.1, 0.2, 0.2, 0.6] }],
      new Date(t0 + 6000).toISOString(),
    );
    await waitForEvents(2);
  });

  it('a batch a crash left closing becomes exactly one event after the restart', async () => {
    await start({ batching: { idleSeconds: 30, windowSeconds: 90 } });
    await detect(t!.app, 'front_door', [{ objectClass: 'car', confidence: 0.7 }]);
    // Freeze the batch as if the process died after claiming it for scoring.
    await t!.app.aggregator.stop();
    await t!.app.db.updateTable('batches').set({ status: 'closing' }).execute();
    expect(await events()).toHaveLength(0);
    const data = t!.dataDir;
    await t!.app.close();
    t = await startTestApp({ dataDir: data, settingsPatch: FAST });
    // The restart resumes the closing batch and scores it.
    await t.app.aggregator.idle();
    await t.app.events.idle();
    expect(await events()).toHaveLength(1);
    expect(
      (await t.app.db.selectFrom('batches').select('status').execute()).map((b) => b.status),
    ).toEqual(['closed']);
  });

  it('concurrent closes of one batch make exactly one event', async () => {
    await start({ batching: { idleSeconds: 30, windowSeconds: 90 } });
    const dets = await detect(t!.app, 'front_door', [{ objectClass: 'car', confidence: 0.7 }]);
    await t!.app.aggregator.stop();
    const batch = await t!.app.db.selectFrom('batches').selectAll().executeTakeFirstOrThrow();
    const closed = {
      id: batch.id,
      cameraId: 'front_door',
      detectionIds: dets.map((d) => d.id),
      isFastPath: false,
    };
    await Promise.all([
      t!.app.events.createFromBatch(closed),
      t!.app.events.createFromBatch(closed),
    ]);
    expect(await events()).toHaveLength(1);
  });

  it('an open batch survives a restart and closes afterwards', async () => {
    await start({ batching: { idleSeconds: 0.5, windowSeconds: 5 } });
    await detect(t!.app, 'front_door', [{ objectClass: 'car', confidence: 0.7 }]);
    const data = t!.dataDir;
    await t!.app.close();
    t = await startTestApp({
      dataDir: data,
      settingsPatch: { ...FAST, batching: { idleSeconds: 0.5, windowSeconds: 5 } },
    });
    await waitForEvents(1);
    expect((await events())[0]!.detectionCount).toBe(1);
  });
});

describe('risk scoring with an LLM', () => {
  const withLlm = (url: string, extra: SettingsPatch['llm'] = {}): SettingsPatch => ({
    llm: { enabled: true, baseUrl: url, model: 'nemotron-mini', timeoutMs: 400, ...extra },
  });

  it('uses the LLM answer (thinking stripped, JSON validated) and records model and latency', async () => {
    llm = await startFakeLlm('good');
    await start(withLlm(llm.url));
    await detect(t!.app, 'front_door', [{ objectClass: 'person', confidence: 0.95 }]);
    await waitForEvents(1);
    const [event] = await events();
    expect(event).toMatchObject({
      scorer: 'llm',
      model: 'nemotron-mini',
      riskScore: 77,
      rawRiskScore: 77,
      riskLevel: 'high',
      summary: 'A person is lingering at the front door',
    });
    expect(event!.reasoning).toContain('<script>'); // stored as text; the UI shows it as text
    expect(event!.latencyMs).toBeGreaterThan(0);
    // The structured answer's extra fields, and the prompt version that asked for them.
    expect(event!.analysis).toEqual({
      title: 'Person lingering at the front door',
      observations: ['one person', 'close to the door', 'stayed for a while'],
      confidence: 0.8,
      otherConcerns: [],
    });
    expect(event!.promptVersionId).toBe('prompt-risk-v2');
    const body = llm.requests[0]!.body as {
      messages: { content: string }[];
      response_format: { type: string };
    };
    expect(body.response_format.type).toBe('json_schema');
    expect(llm.requests[0]!.prompt).toContain('Camera: Front Door');
    expect(llm.requests[0]!.prompt).toMatch(/\| person \| 95% \|/);
  });

  it('finds the JSON inside prose', async () => {
    llm = await startFakeLlm('prose');
    llm.score = 90;
    await start(withLlm(llm.url));
    await detect(t!.app, 'front_door', [{ objectClass: 'person', confidence: 0.95 }]);
    await waitForEvents(1);
    expect((await events())[0]).toMatchObject({
      scorer: 'llm',
      riskScore: 90,
      riskLevel: 'critical',
    });
  });

  it('an out-of-range score or a missing field is a parse failure: the rules scorer answers', async () => {
    llm = await startFakeLlm('good');
    llm.script = (req) =>
      req.prompt.includes('Camera:')
        ? { content: JSON.stringify({ risk_score: 140, risk_level: 'high', summary: 's' }) }
        : undefined;
    await start(withLlm(llm.url));
    await detect(t!.app, 'front_door', [{ objectClass: 'person', confidence: 0.95 }]);
    await waitForEvents(1);
    expect((await events())[0]).toMatchObject({ scorer: 'rules' });
    expect(llm.requests).toHaveLength(1); // a bad answer is not retried
  });

  for (const mode of ['garbage', 'error500', 'hang'] as const) {
    it(`falls back to the rules scorer when the LLM answers ${mode}`, async () => {
      llm = await startFakeLlm(mode);
      await start(withLlm(llm.url));
      await detect(t!.app, 'front_door', [{ objectClass: 'person', confidence: 0.95 }]);
      await expect.poll(() => events().then((e) => e.length), { timeout: 8000 }).toBe(1);
      const [event] = await events();
      expect(event).toMatchObject({ scorer: 'rules', model: null });
      expect(event!.summary).toMatch(/person at Front Door/);
      // Transient failures are retried; a garbage answer is not.
      expect(llm.requests.length).toBe(mode === 'garbage' ? 1 : 3);
    });
  }

  it('opens the breaker after repeated failures, recovers half-open, and re-scores in the background', async () => {
    llm = await startFakeLlm('error500');
    // Long enough a cooldown that the open breaker is still open for the fourth event below.
    await start(withLlm(llm.url), undefined, { llmBreakerCooldownMs: 1000 });
    for (let i = 0; i < 3; i += 1) {
      await detect(
        t!.app,
        'front_door',
        [{ objectClass: 'person', confidence: 0.95, bbox: [i / 10, 0.1, i / 10 + 0.05, 0.3] }],
        new Date(Date.now() + i * 120_000).toISOString(),
      );
      await waitForEvents(i + 1);
    }
    expect(t!.app.llmBreaker.state).toBe('open');
    // The breaker says when its cooldown is over and a trial call is due (listening from now on,
    // so the notice cannot come before the listener).
    const halfOpen = new Promise<void>((resolve) => {
      const off = t!.app.bus.on('breaker.changed', (b) => {
        if (b.name === 'llm' && b.state === 'half-open') {
          off();
          resolve();
        }
      });
    });
    const before = llm.requests.length;
    await detect(
      t!.app,
      'front_door',
      [{ objectClass: 'person', confidence: 0.95, bbox: [0.7, 0.1, 0.8, 0.3] }],
      new Date(Date.now() + 600_000).toISOString(),
    );
    await waitForEvents(4);
    expect(llm.requests.length).toBe(before); // open: not even tried
    expect((await events()).every((e) => e.scorer === 'rules')).toBe(true);

    llm.mode = 'good';
    await halfOpen;
    expect(t!.app.llmBreaker.state).toBe('half-open');
    const updates: SecurityEvent[] = [];
    t!.app.push.subscribe((m) => m.type === 'event.updated' && updates.push(m.data));
    let rescored = 0;
    for (let i = 0; i < 3 && rescored < 4; i += 1) rescored += await t!.app.events.rescoreSome(5);
    expect(rescored).toBe(4);
    expect(t!.app.llmBreaker.state).toBe('closed');
    expect((await events()).every((e) => e.scorer === 'llm')).toBe(true);
    expect(updates).toHaveLength(4);
  });
});

describe('LLM re-scoring as a job', () => {
  it('re-scores rules-scored events once the LLM answers, keeping an unusable answer as a dead letter', async () => {
    llm = await startFakeLlm('good');
    await start({}, undefined, { rescoreIntervalMs: 50 });
    const base = Date.parse('2026-11-20T12:00:00.000Z');
    for (let i = 0; i < 3; i += 1) {
      await detect(
        t!.app,
        'front_door',
        [{ objectClass: 'person', confidence: 0.95, bbox: [0.1 * i, 0.1, 0.1 * i + 0.05, 0.2] }],
        new Date(base + i * 600_000).toISOString(),
      );
      await waitForEvents(i + 1);
    }
    expect((await events()).every((e) => e.scorer === 'rules')).toBe(true);
    // The model answers the second request (the middle event, newest first) with prose.
    let asked = 0;
    llm.script = () => (++asked === 2 ? { content: 'I cannot say.' } : undefined);
    const jobs: string[] = [];
    t!.app.bus.on(
      'job.changed',
      (j) => j.kind === 'rescore' && !jobs.includes(j.id) && jobs.push(j.id),
    );
    await t!.call('system.settings.update', {
      llm: { enabled: true, baseUrl: llm.url, model: 'nemotron-mini', timeoutMs: 2000 },
    });
    await expect.poll(() => jobs.length, { timeout: 5000 }).toBe(1);
    const job = await t!.app.jobs.finished(jobs[0]!);
    expect(job).toMatchObject({ kind: 'rescore', status: 'completed', processed: 3, total: 3 });
    expect(job.result).toEqual({ rescored: 2, failed: 1 });
    const list = await events();
    const middle = list[1]!;
    expect(list.map((e) => e.scorer)).toEqual(['llm', 'rules', 'llm']);
    const letters = (await t!.call('jobs.deadLetters.list', { jobId: job.id })).items;
    expect(letters).toEqual([
      expect.objectContaining({ kind: 'rescore', item: { eventId: middle.id }, attempts: 1 }),
    ]);
    // Nothing new to do: no second run just to fail on the same event again.
    expect(await t!.app.rescorer.tick()).toBeUndefined();
    expect(jobs).toHaveLength(1);

    // Requeued, the model now answers: the event gets its LLM score.
    const again = await t!.call('jobs.deadLetters.requeue', { id: letters[0]!.id });
    expect(await t!.app.jobs.finished(again.jobIds[0]!)).toMatchObject({
      status: 'completed',
      result: { rescored: 1, failed: 0 },
    });
    expect((await events()).map((e) => e.scorer)).toEqual(['llm', 'llm', 'llm']);
    expect((await t!.call('jobs.deadLetters.list', {})).items).toHaveLength(0);
  });
});

describe('events channels', () => {
  async function seed() {
    await start({ batching: { idleSeconds: 0.1 } });
    await t!.call('cameras.create', { name: 'Back Yard' });
    const base = Date.parse('2026-11-20T12:00:00.000Z');
    for (let i = 0; i < 30; i += 1) {
      const cam = i % 3 === 0 ? 'back_yard' : 'front_door';
      const cls = i % 2 === 0 ? 'person' : 'car';
      await detect(
        t!.app,
        cam,
        [{ objectClass: cls, confidence: 0.95, bbox: [i / 40, 0.1, i / 40 + 0.02, 0.3] }],
        new Date(base + i * 60_000).toISOString(),
      );
      // One event each: wait for the batch to close before the next detection.
      await expect
        .poll(() => t!.call('events.stats', {}).then((s) => s.total), { timeout: 5000 })
        .toBe(i + 1);
    }
    await expect
      .poll(() => t!.call('events.stats', {}).then((s) => s.total), { timeout: 10_000 })
      .toBe(30);
  }

  it('pages newest first with a stable keyset cursor, no duplicates, no gaps', async () => {
    await seed();
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t!.call('events.list', { limit: 7, cursor });
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
    const all = (await t!.call('events.list', { limit: 500 })).items;
    expect(all.map((e) => e.id)).toEqual(seen);
    const starts = all.map((e) => e.startedAt);
    expect([...starts].sort().reverse()).toEqual(starts);
    expect(await t!.raw('events.list', { cursor: 'garbage' })).toMatchObject({
      error: { code: 'invalid_input' },
    });
  });

  it('filters by camera, class, level, time and full text; a malformed search is invalid_input', async () => {
    await seed();
    const count = async (f: object) =>
      (await t!.call('events.list', { limit: 500, ...f })).items.length;
    expect(await count({ cameraIds: ['back_yard'] })).toBe(10);
    expect(await count({ objectClasses: ['car'] })).toBe(15);
    expect(await count({ from: '2026-11-20T12:10:00.000Z', to: '2026-11-20T12:20:00.000Z' })).toBe(
      10,
    );
    expect(await count({ q: 'person' })).toBe(15);
    expect(await count({ q: '"back yard" AND person' })).toBe(5);
    expect(await count({ q: 'pers*' })).toBe(15);
    const stats = await t!.call('events.stats', { cameraIds: ['front_door'] });
    expect(stats.total).toBe(20);
    expect(stats.byCamera).toEqual([
      { cameraId: 'front_door', cameraName: 'Front Door', count: 20 },
    ]);
    const levels = await t!.call('events.stats', {});
    expect(Object.values(levels.byRiskLevel).reduce((a, b) => a + b, 0)).toBe(30);
    expect(await count({ riskLevels: ['low', 'medium', 'high', 'critical'] })).toBe(30);
    for (const q of ['"unbalanced', 'AND OR', 'NEAR(']) {
      const r = await t!.raw('events.list', { q });
      expect(r, q).toMatchObject({
        ok: false,
        error: { code: 'invalid_input', issues: [{ path: ['q'] }] },
      });
    }
  });

  it('updates review state and notes, bulk-reviews, and takes one feedback per event', async () => {
    await seed();
    const [a, b, c] = (await t!.call('events.list', { limit: 3 })).items;
    const updated = await t!.call('events.update', {
      id: a!.id,
      reviewed: true,
      notes: 'Neighbour',
      falsePositive: true,
    });
    expect(updated).toMatchObject({ reviewed: true, notes: 'Neighbour', falsePositive: true });
    expect(await t!.call('events.bulkUpdate', { ids: [b!.id, c!.id], reviewed: true })).toEqual({
      updated: 2,
    });
    expect((await t!.call('events.list', { reviewed: false, limit: 500 })).items).toHaveLength(27);
    const fb = await t!.call('events.feedback', {
      eventId: a!.id,
      type: 'severity_wrong',
      expectedSeverity: 'low',
    });
    expect(fb).toMatchObject({ eventId: a!.id, type: 'severity_wrong', expectedSeverity: 'low' });
    expect(await t!.raw('events.feedback', { eventId: a!.id, type: 'correct' })).toMatchObject({
      error: { code: 'conflict' },
    });
    expect(await t!.raw('events.feedback', { eventId: 'nope', type: 'correct' })).toMatchObject({
      error: { code: 'not_found' },
    });
    expect(await t!.raw('events.get', { id: 'nope' })).toMatchObject({
      error: { code: 'not_found' },
    });
  });
});
