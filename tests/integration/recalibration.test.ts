import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { PushMessage } from '../../src-shared/contract';
import { calibrationResolver, scoreUnder, storedComponents } from '../../src-shared/calibration';
import type { Job, RiskLevel } from '../../src-shared/domain';
import { DEFAULT_CALIBRATION } from '../../src-main/calibration';
import { batchRepository } from '../../src-main/aggregate';
import { openDatabase } from '../../src-main/db/database';
import { eventRepository } from '../../src-main/events';
import { FAST_BATCHES, detect, insertScoredEvents } from '../helpers/events';
import type { FakeLlm } from '../helpers/llm-server';
import { startFakeLlm } from '../helpers/llm-server';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp, tempDir } from '../helpers/temp-app';
import { request } from '../helpers/http';
import { SEED_CAMERAS, seedEvents } from '../helpers/seed-events';
import type { ServeProcess } from '../helpers/serve-process';
import { startServe } from '../helpers/serve-process';
import type { FakeWebhook } from '../helpers/webhook-server';
import { startWebhookServer } from '../helpers/webhook-server';

let t: TestApp | undefined;
let hook: FakeWebhook | undefined;
let llm: FakeLlm | undefined;
afterEach(async () => {
  await t?.close();
  await hook?.close();
  await llm?.close();
  t = undefined;
  hook = undefined;
  llm = undefined;
});

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

async function start(batchSize = 4) {
  t = await startTestApp({
    outboxBackoffMs: 50,
    outboxPollMs: 50,
    recalibrationBatchSize: batchSize,
  });
  await t.call('cameras.create', { name: 'Yard' });
  return t;
}

/** `n` person events on the yard camera in the last hours, each with the given component. */
function personEvents(n: number, component: number) {
  const base = Date.now() - 5 * HOUR;
  return insertScoredEvents(
    t!.app,
    Array.from({ length: n }, (_, i) => ({
      cameraId: 'yard',
      component,
      startedAt: iso(base + i * 60_000),
    })),
  );
}

async function stored() {
  return t!.app.db
    .selectFrom('events')
    .select(['id', 'risk_score', 'risk_level', 'version', 'notes', 'scorer', 'raw_risk_score'])
    .orderBy(sql`rowid`)
    .execute();
}

async function finished(jobId: string) {
  await expect
    .poll(async () => (await t!.call('jobs.get', { id: jobId })).status, { timeout: 10_000 })
    .toMatch(/completed|failed|cancelled/);
  return t!.call('jobs.get', { id: jobId });
}

describe('re-evaluating stored events under a new calibration', () => {
  it('10 person events at 60, multiplier 1.5: the preview says so, the job writes exactly that, pushes come per batch, and a minRiskScore 75 rule fires with its webhook delivered', async () => {
    await start(4);
    hook = await startWebhookServer();
    const channel = await t!.call('notify.channels.create', {
      kind: 'webhook',
      name: 'Hub',
      config: { url: hook.url, timeoutMs: 1000 },
    });
    const serious = await t!.call('alertRules.create', {
      name: 'Serious',
      severity: 'high',
      minRiskScore: 75,
      channelIds: [channel.id],
      cooldownSeconds: 0,
    });
    const criticalOnly = await t!.call('alertRules.create', {
      name: 'Critical only',
      severity: 'critical',
      riskLevels: ['critical'],
      cooldownSeconds: 0,
    });
    const ids = await personEvents(10, 60);
    expect((await stored()).map((e) => [e.risk_score, e.risk_level])).toEqual(
      ids.map(() => [60, 'high']),
    );

    const preview = await t!.call('calibration.preview', {
      calibration: { classMultipliers: { person: 1.5 } },
    });
    expect(preview).toMatchObject({ total: 10, changed: 10, scoreChanged: 10 });
    expect(preview.matrix.high).toEqual({ low: 0, medium: 0, high: 0, critical: 10 });
    expect(preview.histogram.high[60]).toBe(10);
    expect([...preview.rulesNewlyMatching].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { ruleId: criticalOnly.id, name: 'Critical only', events: 10 },
      { ruleId: serious.id, name: 'Serious', events: 10 },
    ]);
    expect(preview.rulesNoLongerMatching).toEqual([]);
    expect(preview.sample.length).toBe(10);
    for (const e of preview.sample) {
      expect(e).toMatchObject({
        riskScore: 90,
        riskLevel: 'critical',
        previousRiskScore: 60,
        previousRiskLevel: 'high',
      });
    }
    // A preview writes nothing.
    expect((await stored()).every((e) => e.version === 0 && e.risk_score === 60)).toBe(true);
    expect((await t!.call('alerts.list', {})).items).toEqual([]);

    const messages: PushMessage[] = [];
    t!.app.push.subscribe((m) => void messages.push(m));
    await t!.call('calibration.update', { classMultipliers: { person: 1.5 } });
    const { jobId } = await t!.call('calibration.reevaluate', {});
    const job = await finished(jobId);
    expect(job).toMatchObject({
      kind: 'recalibrate',
      status: 'completed',
      processed: 10,
      total: 10,
      progress: 100,
      result: { changed: 10, alertsRaised: 20, alertsResolved: 0 },
    });

    // Exactly what the preview said: every event once, at 90 and critical.
    const after = await stored();
    expect(after.map((e) => [e.risk_score, e.risk_level, e.version])).toEqual(
      ids.map(() => [90, 'critical', 1]),
    );
    const matrix: Record<string, Record<string, number>> = {};
    for (const e of after) {
      matrix.high ??= {};
      matrix.high[e.risk_level] = (matrix.high[e.risk_level] ?? 0) + 1;
    }
    expect(matrix.high).toEqual({ critical: preview.matrix.high.critical });
    for (const e of preview.sample) {
      expect(after.find((a) => a.id === e.id)?.risk_score).toBe(e.riskScore);
    }

    // One coalesced message per batch of 4 (4 + 4 + 2), not one per event.
    const batches = messages.filter((m) => m.type === 'events.updated');
    expect(batches.map((m) => (m.type === 'events.updated' ? m.data.events.length : 0))).toEqual([
      4, 4, 2,
    ]);
    expect(messages.some((m) => m.type === 'event.updated')).toBe(false);
    const progress = messages.flatMap((m) => (m.type === 'job.progress' ? [m.data] : []));
    expect(progress[0]?.status).toBe('running');
    expect(progress.at(-1)).toMatchObject({ status: 'completed', progress: 100 });

    // The newly matching rule raised through the outbox: its webhook arrives for each event.
    await expect.poll(() => hook!.received.length, { timeout: 10_000 }).toBe(10);
    const delivered = hook.received.map(
      (r) => JSON.parse(r.body) as { event: { id: string; riskScore: number } },
    );
    expect(new Set(delivered.map((d) => d.event.id))).toEqual(new Set(ids));
    expect(delivered.every((d) => d.event.riskScore === 90)).toBe(true);

    // Running it again changes nothing and raises nothing twice.
    const again = await finished((await t!.call('calibration.reevaluate', {})).jobId);
    expect(again.result).toEqual({ changed: 0, alertsRaised: 0, alertsResolved: 0 });
    expect((await stored()).every((e) => e.version === 1)).toBe(true);

    // A threshold change that lowers their level resolves the level rule's alerts, with the
    // reason, and leaves the score rule's alerts (90 is still ≥ 75) alone.
    const lower = await t!.call('calibration.preview', {
      calibration: { thresholds: { critical: 95 } },
    });
    expect(lower.matrix.critical.high).toBe(10);
    expect(lower.rulesNoLongerMatching).toEqual([
      { ruleId: criticalOnly.id, name: 'Critical only', events: 10 },
    ]);
    await t!.call('calibration.update', { thresholds: { critical: 95 } });
    const lowered = await finished((await t!.call('calibration.reevaluate', {})).jobId);
    expect(lowered.result).toMatchObject({ changed: 10, alertsResolved: 10, alertsRaised: 0 });
    const alerts = (await t!.call('alerts.list', { limit: 100 })).items;
    expect(alerts).toHaveLength(20);
    for (const a of alerts.filter((x) => x.ruleId === criticalOnly.id)) {
      expect(a).toMatchObject({ status: 'dismissed', resolvedReason: 'recalibrated' });
    }
    for (const a of alerts.filter((x) => x.ruleId === serious.id)) {
      expect(a).toMatchObject({ status: 'active', resolvedReason: null });
    }
    expect((await stored()).map((e) => e.risk_level)).toEqual(ids.map(() => 'high'));
  }, 30_000);

  it("suggests from the homeowner's labels, each with how many events would change level, and applies nothing", async () => {
    await start();
    await t!.call('calibration.update', { decayFactor: 0 }); // labels here must not move thresholds
    const base = Date.now() - 5 * HOUR;
    const spec = [
      ['cat', 35, 'false_positive'],
      ['cat', 38, 'false_positive'],
      ['cat', 40, 'false_positive'],
      ['cat', 42, 'false_positive'],
      ['person', 55, 'missed_threat'],
      ['person', 60, 'missed_threat'],
      ['person', 70, 'correct'],
      ['person', 80, 'correct'],
      ['dog', 10, 'correct'],
      ['cat', 33, null],
      ['person', 45, null],
    ] as const;
    const ids = await insertScoredEvents(
      t!.app,
      spec.map(([objectClass, component], i) => ({
        cameraId: 'yard',
        objectClass,
        component,
        startedAt: iso(base + i * 60_000),
      })),
    );
    for (const [i, [, , type]] of spec.entries()) {
      if (type) await t!.call('events.feedback', { eventId: ids[i]!, type });
    }
    const before = await t!.call('calibration.get', {});
    const s = await t!.call('calibration.suggest', {});
    expect(s.labelled).toBe(9);
    expect(s.suggestions.map((x) => [x.kind, x.key, x.current, x.suggested, x.changes])).toEqual([
      // medium 43 (high 73, critical 98): the five cats leave medium, 60 and 70 leave high.
      ['thresholds', null, 30, 43, 7],
      ['classMultiplier', 'cat', 1, 0.7, 5],
      // ×0.7 for the whole camera: the five cats, and 60, 70 and 80 drop a level.
      ['cameraSensitivity', 'yard', 1, 0.7, 8],
    ]);
    expect(await t!.call('calibration.get', {})).toEqual(before);
  });

  it('older rules-scored events (no components kept) are re-evaluated from their detections', async () => {
    t = await startTestApp({ settingsPatch: FAST_BATCHES });
    await t.call('cameras.create', { name: 'Yard' });
    // Noon local time: the day factor; a person and a cat in one snapshot (×1.1 for two).
    const at = new Date(2026, 10, 20, 12, 0, 0).toISOString();
    await detect(
      t.app,
      'yard',
      [
        { objectClass: 'person', confidence: 0.8, bbox: [0.1, 0.1, 0.3, 0.9] },
        { objectClass: 'cat', confidence: 0.9, bbox: [0.6, 0.6, 0.7, 0.8] },
      ],
      at,
    );
    await expect
      .poll(async () => (await t!.call('events.list', {})).items.length, { timeout: 5000 })
      .toBe(1);
    // 55 × 0.8 × 1.1 = 48.4 for the person, 8 × 0.9 × 1.1 = 7.92 for the cat.
    expect((await stored())[0]).toMatchObject({ risk_score: 48, raw_risk_score: 48 });
    await t.app.db.updateTable('events').set({ score_components: null }).execute();

    // Cat ×3: 23.76 still below the person's 48.4 (the raw score for every class would say 100).
    const preview = await t.call('calibration.preview', {
      calibration: { classMultipliers: { cat: 3 } },
      scope: {},
    });
    expect(preview).toMatchObject({ total: 1, changed: 0, scoreChanged: 0 });
    // Person ×1.5: 72.6 → 73, high.
    await t.call('calibration.update', { classMultipliers: { person: 1.5 } });
    await finished((await t.call('calibration.reevaluate', { scope: {} })).jobId);
    expect((await stored())[0]).toMatchObject({ risk_score: 73, risk_level: 'high', version: 1 });
  });

  it('refuses bad input with invalid_input naming the field, and unknown jobs with not_found', async () => {
    await start();
    expect(
      await t!.raw('calibration.preview', { calibration: { thresholds: { high: 32 } } }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', issues: [{ path: ['thresholds', 'high'] }] },
    });
    expect(await t!.raw('calibration.reevaluate', { scope: { from: 'yesterday' } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    expect(await t!.raw('calibration.preview', { calibration: { bogus: 1 } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    expect(await t!.raw('jobs.get', { id: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('refuses a second job on an overlapping scope, cancels after a batch, and a later job finishes the rest once', async () => {
    await start(1);
    await personEvents(300, 40);
    await t!.call('calibration.update', { classMultipliers: { person: 2 } });
    // Two asked for at once: one starts, the other is refused.
    const [first, second] = await Promise.all([
      t!.raw('calibration.reevaluate', { scope: {} }),
      t!.raw('calibration.reevaluate', {}),
    ]);
    expect(second).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const { jobId } = (first as { ok: true; data: { jobId: string } }).data;
    await expect
      .poll(async () => (await t!.call('jobs.get', { id: jobId })).processed)
      .toBeGreaterThan(0);
    const cancelled = await t!.call('jobs.cancel', { id: jobId });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.processed).toBeGreaterThan(0);
    expect(cancelled.processed).toBeLessThan(300);
    const rows = await stored();
    // Committed batches stay; the rest is untouched.
    expect(rows.filter((e) => e.version === 1).length).toBe(cancelled.processed);
    expect(rows.filter((e) => e.version === 0).length).toBe(300 - cancelled.processed);

    const rest = await finished((await t!.call('calibration.reevaluate', { scope: {} })).jobId);
    expect(rest.result).toMatchObject({ changed: 300 - cancelled.processed });
    expect(
      (await stored()).every(
        (e) => e.version === 1 && e.risk_score === 80 && e.risk_level === 'high',
      ),
    ).toBe(true);
    expect((await t!.call('jobs.list', { kind: 'recalibrate' })).map((j) => j.status)).toEqual([
      'completed',
      'cancelled',
    ]);
  }, 30_000);

  it('loses no update when the job, the LLM re-scorer and a user edit write the same event', async () => {
    llm = await startFakeLlm('good');
    llm.score = 45;
    let release!: () => void;
    llm.gate = new Promise<void>((r) => (release = r));
    t = await startTestApp({ rescoreIntervalMs: 50, recalibrationBatchSize: 4 });
    await t.call('cameras.create', { name: 'Yard' });
    const [id] = await personEvents(1, 40);
    await t.call('system.settings.update', {
      llm: { enabled: true, baseUrl: llm.url, model: 'm', timeoutMs: 10_000 },
    });
    // The background re-scorer has asked the model about the rules-scored event: it waits.
    await expect.poll(() => llm!.requests.length, { timeout: 5000 }).toBe(1);

    // Meanwhile the calibration changes and the job rewrites the event ...
    await t.call('calibration.update', { classMultipliers: { person: 2 } });
    await finished((await t.call('calibration.reevaluate', {})).jobId);
    // ... and the homeowner writes a note.
    await t.call('events.update', { id: id!, notes: 'the neighbour' });
    expect((await stored())[0]).toMatchObject({ risk_score: 80, version: 2, scorer: 'rules' });

    // Now the model answers: its write finds the event changed, reads it again and applies
    // the calibration in effect now (×2) to the model's raw score; the note stays.
    release();
    await expect.poll(async () => (await stored())[0]!.scorer, { timeout: 5000 }).toBe('llm');
    expect((await stored())[0]).toMatchObject({
      raw_risk_score: 45,
      risk_score: 90,
      risk_level: 'critical',
      notes: 'the neighbour',
      version: 3,
    });
  }, 30_000);

  it('a batch written over an event changed since it was read recomputes it from the fresh row', async () => {
    await start();
    const [id] = await personEvents(1, 40);
    // A second connection to the same file, with the events repository the job uses.
    const database = await openDatabase(path.join(t!.dataDir, 'hsi.sqlite'));
    try {
      const events = eventRepository(database.db, {
        batches: batchRepository(database.db),
        sqlite: database.sqlite,
      });
      const [read] = events.scopePages({})(0, await events.lastRowid(), 10);
      expect(read).toMatchObject({ id, version: 0, riskScore: 40 });
      // The homeowner edits the event between the job's read and its write.
      await t!.call('events.update', { id: id!, notes: 'mine' });
      const recomputedFrom: number[] = [];
      const { written, recomputed } = events.applyScores(
        [{ rowid: read!.rowid, version: read!.version, riskScore: 80, riskLevel: 'high' }],
        (row) => {
          recomputedFrom.push(row.version);
          return { riskScore: 80, riskLevel: 'high' };
        },
        () => undefined,
      );
      expect({ written: written.length, recomputedFrom, n: recomputed.length }).toEqual({
        written: 1,
        recomputedFrom: [1],
        n: 1,
      });
    } finally {
      await database.close();
    }
    expect((await stored())[0]).toMatchObject({ risk_score: 80, notes: 'mine', version: 2 });
  });
});

describe('a re-evaluation interrupted by a crash', () => {
  it('resumes after SIGKILL of hsi serve from its last committed batch: no event skipped or done twice', async () => {
    const dataDir = tempDir();
    const env = { HSI_RECALIBRATION_BATCH: '50' };
    let serve = await startServe(['--data-dir', dataDir, '--port', '0'], env);
    const rpc = async <T>(s: ServeProcess, channel: string, input: unknown): Promise<T> => {
      const res = await request(`${s.url}/api/rpc/${channel}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.token}` },
        body: JSON.stringify(input),
      });
      const body = res.json<{ ok: boolean; data: T; error?: unknown }>();
      if (!body.ok) throw new Error(`${channel}: ${JSON.stringify(body.error)}`);
      return body.data;
    };
    try {
      for (const c of SEED_CAMERAS) await rpc(serve, 'cameras.create', { name: c.name });
      seedEvents(dataDir, 12_000);
      const file = path.join(dataDir, 'hsi.sqlite');
      const read = () => {
        const db = new Database(file, { readonly: true });
        try {
          return db
            .prepare(
              `SELECT id, camera_id, raw_risk_score, object_classes, risk_score, risk_level,
                 version FROM events ORDER BY rowid`,
            )
            .all() as {
            id: string;
            camera_id: string;
            raw_risk_score: number;
            object_classes: string;
            risk_score: number;
            risk_level: RiskLevel;
            version: number;
          }[];
        } finally {
          db.close();
        }
      };
      const before = read();
      const calibration = { classMultipliers: { person: 1.5, car: 0.5 } };
      await rpc(serve, 'calibration.update', calibration);
      const { jobId } = await rpc<{ jobId: string }>(serve, 'calibration.reevaluate', {
        scope: {},
      });
      // Killed in the middle: some batches committed, others not.
      let processed = 0;
      while (processed === 0) {
        processed = (await rpc<Job>(serve, 'jobs.get', { id: jobId })).processed;
      }
      serve.child.kill('SIGKILL');
      await new Promise((r) => serve.child.once('exit', r));
      const atKill = read().filter((e) => e.version > 0).length;
      expect(atKill).toBeGreaterThan(0);
      expect(atKill).toBeLessThan(before.length);

      serve = await startServe(['--data-dir', dataDir, '--port', '0'], env);
      await expect
        .poll(async () => (await rpc<Job>(serve, 'jobs.get', { id: jobId })).status, {
          timeout: 30_000,
        })
        .toBe('completed');
      const job = await rpc<Job>(serve, 'jobs.get', { id: jobId });
      expect(job.processed).toBe(before.length);

      // Every event written exactly once if (and only if) its score or level changed, to
      // what the formula gives.
      const resolve = calibrationResolver({ ...DEFAULT_CALIBRATION, ...calibration });
      const after = read();
      let changed = 0;
      after.forEach((e, i) => {
        const was = before[i]!;
        const classes = was.object_classes ? was.object_classes.split(' ') : [];
        const next = scoreUnder(resolve, {
          components: storedComponents(null, was.raw_risk_score, classes),
          cameraId: was.camera_id,
          startedAt: '2026-01-01T12:00:00.000Z',
        });
        const differs = next.riskScore !== was.risk_score || next.riskLevel !== was.risk_level;
        if (differs) changed += 1;
        expect([e.risk_score, e.risk_level, e.version]).toEqual([
          next.riskScore,
          next.riskLevel,
          differs ? 1 : 0,
        ]);
      });
      expect(job.result?.changed).toBe(changed);
    } finally {
      await serve.stop().catch(() => undefined);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
