import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RetentionReport } from '../../src-shared/retention';
import { newId } from '../../src-main/common/ids';
import { FAST_BATCHES, detect } from '../helpers/events';
import { startFakeLlm } from '../helpers/llm-server';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp, tempDir } from '../helpers/temp-app';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const DAY = 86400_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

/** One snapshot file (its size is its index in KiB) with a person in it, as one event. */
async function snapshot(app: TestApp, dir: string, name: string, at: string, kib: number) {
  const file = path.join(dir, `${name}.jpg`);
  fs.writeFileSync(file, Buffer.alloc(kib * 1024, 1));
  const before = (await app.call('events.list', {})).items.length;
  await detect(app.app, 'yard', [{ objectClass: 'person', confidence: 0.95 }], at, file);
  await expect
    .poll(async () => (await app.call('events.list', {})).items.length, { timeout: 5000 })
    .toBe(before + 1);
  const event = (await app.call('events.list', {})).items.find((e) => e.startedAt === at)!;
  return { file, event };
}

/** Old rows of the tables with their own retention: logs, RUM samples, jobs, recordings. */
async function oldRows(app: TestApp) {
  const db = app.app.db;
  const old = ago(60 * DAY);
  await db
    .insertInto('logs')
    .values([1, 2].map((i) => ({ at: old, level: 'info', module: 'test', message: `old ${i}` })))
    .execute();
  await db
    .insertInto('rum_samples')
    .values({ at: old, name: 'LCP', value: 900, rating: 'good', path: '/', metric_id: null })
    .execute();
  await db
    .insertInto('debug_recordings')
    .values({
      ...{ id: newId(), at: old, channel: 'events.list', input: '{}', output: null, ok: 1 },
      ...{ duration_ms: 1, correlation_id: newId(), transport: null, code: null },
    })
    .execute();
  for (const id of ['old-job', 'old-job-with-letters']) {
    await db
      .insertInto('jobs')
      .values({ id, kind: 'test', status: 'completed', total: 1, created_at: old, updated_at: old })
      .execute();
  }
  await db
    .insertInto('job_dead_letters')
    .values({ job_id: 'old-job-with-letters', kind: 'test', item: '{}', error: 'x', at: old })
    .execute();
}

describe('retention', () => {
  it('a dry run reports exactly what the run then deletes, keeping what alerts and new events need', async () => {
    t = await startTestApp({ settingsPatch: FAST_BATCHES });
    await t.call('cameras.create', { name: 'Yard' });
    const dir = tempDir('hsi-retention-');
    const old = 40 * DAY;
    const alerted = await snapshot(t, dir, 'alerted', ago(old), 1);
    const b = await snapshot(t, dir, 'b', ago(old - 600_000), 2);
    const c = await snapshot(t, dir, 'c', ago(old - 1_200_000), 3);
    // A "snapshot" that cannot be deleted: a folder where the file was.
    const stuck = await snapshot(t, dir, 'stuck', ago(old - 1_800_000), 1);
    fs.rmSync(stuck.file);
    fs.mkdirSync(stuck.file);
    const fresh = await snapshot(t, dir, 'fresh', ago(DAY), 4);
    await t.app.db
      .insertInto('alerts')
      .values({
        ...{ id: newId(), rule_id: null, event_id: alerted.event.id, severity: 'high' },
        ...{ status: 'active', dedup_key: 'k', created_at: ago(old), updated_at: ago(old) },
      })
      .execute();
    await oldRows(t);
    // Orphans: a quarantined copy with no row, a partial export nothing writes, a row whose
    // file has gone (recent, so only the orphan check can remove it).
    const quarantined = path.join(t.dataDir, 'quarantine', 'yard', 'lost.jpg');
    fs.mkdirSync(path.dirname(quarantined), { recursive: true });
    fs.writeFileSync(quarantined, Buffer.alloc(5 * 1024));
    const partial = path.join(t.dataDir, 'exports', '.gone.partial');
    fs.mkdirSync(path.dirname(partial), { recursive: true });
    fs.writeFileSync(partial, Buffer.alloc(6 * 1024));
    const twoHoursAgo = new Date(Date.now() - 7200_000);
    for (const f of [quarantined, partial]) fs.utimesSync(f, twoHoursAgo, twoHoursAgo);
    const young = path.join(t.dataDir, 'exports', '.young.partial');
    fs.writeFileSync(young, 'x');
    await t.app.db
      .insertInto('ingest_queue')
      .values({
        ...{ camera_id: 'yard', path: path.join(dir, 'vanished.jpg'), source: 'import' },
        ...{ status: 'done', enqueued_at: ago(DAY), finished_at: ago(DAY) },
      })
      .execute();

    const preview = await t.call('retention.preview', {});
    const expected: Omit<RetentionReport, 'cutoffs' | 'dryRun'> = {
      events: 3,
      detections: 3,
      images: 3,
      logs: 2,
      rum: 1,
      jobs: 1,
      recordings: 1,
      // b and c, and the two orphans.
      files: 4,
      bytes: (2 + 3 + 5 + 6) * 1024,
      orphanFiles: 2,
      orphanRows: 1,
      protected: 1,
      failed: 1,
    };
    expect(preview).toMatchObject({ dryRun: true, ...expected });
    // Nothing changed.
    expect((await t.call('events.list', {})).items).toHaveLength(5);
    expect(fs.existsSync(b.file) && fs.existsSync(quarantined)).toBe(true);

    const job = await t.call('retention.run', {});
    const done = await t.app.jobs.finished(job.id);
    expect(done).toMatchObject({ kind: 'retention', status: 'completed', progress: 100 });
    expect(done.result).toMatchObject({ ...expected, dryRun: 0 });

    const left = (await t.call('events.list', {})).items.map((e) => e.id).sort();
    expect(left).toEqual([alerted.event.id, fresh.event.id].sort());
    expect(fs.existsSync(b.file) || fs.existsSync(c.file)).toBe(false);
    expect(fs.existsSync(alerted.file) && fs.existsSync(fresh.file)).toBe(true);
    expect(fs.existsSync(quarantined) || fs.existsSync(partial)).toBe(false);
    expect(fs.existsSync(young)).toBe(true);
    const detections = await t.call('detections.list', {});
    expect(detections.items.map((d) => d.imagePath).sort()).toEqual(
      [alerted.file, fresh.file].sort(),
    );
    expect(await t.app.db.selectFrom('logs').select('message').execute()).not.toContainEqual({
      message: 'old 1',
    });
    const jobs = await t.app.db.selectFrom('jobs').select('id').execute();
    expect(jobs.map((j) => j.id)).toContain('old-job-with-letters');
    expect(jobs.map((j) => j.id)).not.toContain('old-job');

    // The folder could not go: a dead letter, then requeued once it is a file again.
    const letters = await t.call('jobs.deadLetters.list', { jobId: job.id });
    expect(letters.items).toHaveLength(1);
    expect(letters.items[0]).toMatchObject({ kind: 'retention', item: { path: stuck.file } });
    const history = await t.call('jobs.history', { id: job.id });
    expect(history.map((h) => h.status).filter(Boolean)).toEqual(['running', 'completed']);
    expect(history.some((h) => h.level === 'warn' && h.message.includes(stuck.file))).toBe(true);
    fs.rmdirSync(stuck.file);
    fs.writeFileSync(stuck.file, 'now a file');
    const requeued = await t.call('jobs.deadLetters.requeue', { id: letters.items[0]!.id });
    expect(requeued.requeued).toBe(1);
    expect(await t.app.jobs.finished(requeued.jobIds[0]!)).toMatchObject({ status: 'completed' });
    expect(fs.existsSync(stuck.file)).toBe(false);
    expect((await t.call('jobs.deadLetters.list', { jobId: job.id })).items).toHaveLength(0);

    // A second run finds nothing more.
    const again = await t.call('retention.preview', {});
    expect(again).toMatchObject({ events: 0, detections: 0, images: 0, files: 0, orphanRows: 0 });
  });

  it('keeps everything an unfinished export reads, and runs one at a time', async () => {
    t = await startTestApp({ settingsPatch: FAST_BATCHES });
    await t.call('cameras.create', { name: 'Yard' });
    const dir = tempDir('hsi-retention-');
    for (let i = 0; i < 3; i += 1) {
      await snapshot(t, dir, `s${i}`, ago(40 * DAY - i * 600_000), 1);
    }
    await t.app.db
      .insertInto('export_jobs')
      .values({
        ...{ id: 'reading', format: 'csv', status: 'running', filters: '{}' },
        ...{ created_at: ago(60_000), total: null, row_count: null, file_name: null },
        ...{ file_path: null, file_size: null, sha256: null, error: null },
        ...{ started_at: ago(60_000), finished_at: null },
      })
      .execute();
    const preview = await t.call('retention.preview', {});
    expect(preview).toMatchObject({ events: 0, images: 0, files: 0, protected: 3 });

    await t.app.db.updateTable('export_jobs').set({ status: 'completed' }).execute();

    // Live intake busy (an event waiting for the LLM): the run waits, and a second one is
    // refused meanwhile.
    const llm = await startFakeLlm('good');
    try {
      let release!: () => void;
      llm.gate = new Promise<void>((r) => (release = r));
      await t.call('system.settings.update', {
        llm: { enabled: true, baseUrl: llm.url, model: 'nemotron-mini' },
      });
      await detect(t.app, 'yard', [{ objectClass: 'person', confidence: 0.95 }]);
      await expect.poll(() => llm.requests.length, { timeout: 5000 }).toBe(1);
      const run = await t.call('retention.run', {});
      expect(await t.raw('retention.run', { dryRun: true })).toMatchObject({
        ok: false,
        error: { code: 'conflict' },
      });
      await expect
        .poll(async () => (await t!.call('jobs.history', { id: run.id })).map((h) => h.message))
        .toContain('waiting: live intake is busy');
      expect((await t.call('jobs.get', { id: run.id })).processed).toBe(0);
      release();
      expect(await t.app.jobs.finished(run.id)).toMatchObject({
        status: 'completed',
        result: expect.objectContaining({ events: 3, files: 3 }) as unknown,
      });
    } finally {
      await llm.close();
    }
  });

  it('refuses a requeue of a dead letter that does not exist, and purges', async () => {
    t = await startTestApp();
    expect(await t.raw('jobs.deadLetters.requeue', { id: 999 })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await t.raw('jobs.deadLetters.requeue', {})).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    await oldRows(t);
    expect(await t.call('jobs.deadLetters.purge', {})).toEqual({ purged: 1 });
    expect(await t.raw('jobs.list', { cursor: 'no-such-job' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
    expect(await t.raw('jobs.deadLetters.list', { cursor: 'nonsense' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
  });
});
