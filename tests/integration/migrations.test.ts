import path from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/db/database';
import { MIGRATIONS } from '../../src-main/db/migrations';
import { tempDir } from '../helpers/temp-app';

const TABLES = [
  'cameras',
  'zones',
  'detections',
  'events',
  'event_detections',
  'events_fts',
  'alert_rules',
  'alerts',
  'notification_channels',
  'deliveries',
  'notification_preferences',
  'quiet_hours',
  'calibration',
  'event_feedback',
  'jobs',
  'export_jobs',
  'prompt_templates',
  'prompt_versions',
  'prompt_experiments',
  'gpu_stats',
  'logs',
  'rum_samples',
  'settings',
  'debug_recordings',
  'ingest_queue',
  'dedupe_hashes',
  'batches',
];

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
});

async function open(file: string, options?: Parameters<typeof openDatabase>[1]) {
  const handle = await openDatabase(file, options);
  opened.push(handle);
  return handle;
}

describe('migrations', () => {
  it('001 creates the whole data model with WAL and foreign keys on', async () => {
    const file = path.join(tempDir(), 'hsi.sqlite');
    const { db, sqlite } = await open(file);
    const rows = await sql<{ name: string }>`
      SELECT name FROM sqlite_master WHERE type = 'table'`.execute(db);
    const names = rows.rows.map((r) => r.name);
    for (const table of TABLES) expect(names).toContain(table);
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
    const cal = await db.selectFrom('calibration').selectAll().executeTakeFirstOrThrow();
    expect([cal.medium_threshold, cal.high_threshold, cal.critical_threshold]).toEqual([
      30, 60, 85,
    ]);
  });

  it('re-opening an up-to-date database changes nothing', async () => {
    const file = path.join(tempDir(), 'hsi.sqlite');
    const first = await open(file);
    await first.db
      .insertInto('settings')
      .values({ key: 'k', value: '1', updated_at: 'now' })
      .execute();
    await first.close();
    opened.pop();
    const { db } = await open(file);
    const applied = await sql<{ name: string }>`SELECT name FROM kysely_migration`.execute(db);
    expect(applied.rows.map((r) => r.name)).toEqual(Object.keys(MIGRATIONS));
    expect(await db.selectFrom('settings').select('value').executeTakeFirst()).toEqual({
      value: '1',
    });
  });

  it('refuses a database written by a newer version, leaving it untouched', async () => {
    const file = path.join(tempDir(), 'hsi.sqlite');
    (await open(file)).sqlite.exec(
      "INSERT INTO kysely_migration (name, timestamp) VALUES ('999_future', '2030-01-01')",
    );
    await opened.pop()!.close();
    await expect(openDatabase(file)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/newer version/),
    });
    const raw = new Database(file, { readonly: true });
    const count = raw.prepare('SELECT count(*) AS n FROM kysely_migration').get() as { n: number };
    raw.close();
    expect(count.n).toBe(Object.keys(MIGRATIONS).length + 1);
  });

  it('a failing migration rolls back completely', async () => {
    const file = path.join(tempDir(), 'hsi.sqlite');
    await (await open(file)).close();
    opened.pop();
    const broken = {
      ...MIGRATIONS,
      '999_broken': {
        async up(db: Parameters<(typeof MIGRATIONS)['001_initial']['up']>[0]) {
          await sql`CREATE TABLE half_done (x INTEGER)`.execute(db);
          await sql`INSERT INTO no_such_table VALUES (1)`.execute(db);
        },
      },
    };
    await expect(openDatabase(file, { migrations: broken })).rejects.toThrow(/999_broken/);
    const raw = new Database(file, { readonly: true });
    const tables = raw
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'half_done'")
      .all();
    const names = raw.prepare('SELECT name FROM kysely_migration').all() as { name: string }[];
    raw.close();
    expect(tables).toEqual([]);
    expect(names.map((n) => n.name)).toEqual(Object.keys(MIGRATIONS));
  });

  it('009 rebuilds zones for ignore regions keeping every zone; older events get a version and no components', async () => {
    const file = path.join(tempDir(), 'hsi.sqlite');
    const old = await open(file, { migrateTo: '007_calibration_night' });
    const now = new Date().toISOString();
    await old.db
      .insertInto('cameras')
      .values({ id: 'porch', name: 'Porch', folder: '/tmp/p', created_at: now, updated_at: now })
      .execute();
    old.sqlite.exec(`INSERT INTO zones (id, camera_id, name, kind, points, risk_weight, color,
      enabled, created_at, updated_at) VALUES ('z1', 'porch', 'Steps', 'polygon',
      '[[0,0],[1,0],[1,1]]', 2.5, '#112233', 0, '${now}', '${now}')`);
    old.sqlite.exec(`INSERT INTO events (id, camera_id, started_at, ended_at, risk_score,
      raw_risk_score, risk_level, scorer, created_at, updated_at) VALUES ('e1', 'porch', '${now}',
      '${now}', 40, 40, 'medium', 'rules', '${now}', '${now}')`);
    await old.close();
    opened.pop();

    const { sqlite } = await open(file);
    expect(sqlite.prepare('SELECT * FROM zones').all()).toEqual([
      {
        id: 'z1',
        camera_id: 'porch',
        name: 'Steps',
        kind: 'polygon',
        points: '[[0,0],[1,0],[1,1]]',
        risk_weight: 2.5,
        color: '#112233',
        enabled: 0,
        created_at: now,
        updated_at: now,
        object_classes: null,
      },
    ]);
    expect(sqlite.prepare('SELECT version, score_components FROM events').get()).toEqual({
      version: 0,
      score_components: null,
    });
    // The widened check: an ignore zone fits now, another kind still does not.
    sqlite.exec(`INSERT INTO zones (id, camera_id, name, kind, points, created_at, updated_at)
      VALUES ('z2', 'porch', 'Statue', 'ignore', '[]', '${now}', '${now}')`);
    expect(() =>
      sqlite.exec(`INSERT INTO zones (id, camera_id, name, kind, points, created_at, updated_at)
        VALUES ('z3', 'porch', 'x', 'circle', '[]', '${now}', '${now}')`),
    ).toThrow(/CHECK/);
    // Deleting the camera still takes its zones (the rebuilt table kept the cascade).
    sqlite.exec(`DELETE FROM cameras WHERE id = 'porch'`);
    expect(sqlite.prepare('SELECT count(*) AS n FROM zones').get()).toEqual({ n: 0 });
  });

  it('011 makes the built-in prompt version 1 of "Risk analysis"; older LLM events point at it', async () => {
    const file = path.join(tempDir(), 'hsi.sqlite');
    const old = await open(file, { migrateTo: '010_debug_recordings' });
    const now = new Date().toISOString();
    await old.db
      .insertInto('cameras')
      .values({ id: 'porch', name: 'Porch', folder: '/tmp/p', created_at: now, updated_at: now })
      .execute();
    for (const [id, scorer] of [
      ['llm-event', 'llm'],
      ['rules-event', 'rules'],
    ]) {
      old.sqlite.exec(`INSERT INTO events (id, camera_id, started_at, ended_at, risk_score,
        risk_level, scorer, created_at, updated_at) VALUES ('${id}', 'porch', '${now}', '${now}',
        40, 'medium', '${scorer}', '${now}', '${now}')`);
    }
    await old.close();
    opened.pop();

    const { sqlite } = await open(file);
    expect(sqlite.prepare('SELECT id, prompt_version_id FROM events ORDER BY id').all()).toEqual([
      { id: 'llm-event', prompt_version_id: 'prompt-risk-v1' },
      { id: 'rules-event', prompt_version_id: null },
    ]);
    const versions = sqlite
      .prepare(
        'SELECT id, number, active, created_by, variables FROM prompt_versions ORDER BY number',
      )
      .all();
    expect(versions).toEqual([
      expect.objectContaining({ id: 'prompt-risk-v1', number: 1, active: 0, created_by: 'system' }),
      expect.objectContaining({ id: 'prompt-risk-v2', number: 2, active: 1, created_by: 'system' }),
    ]);
    expect(
      sqlite.prepare("SELECT live, name FROM prompt_templates WHERE id = 'prompt-risk'").get(),
    ).toEqual({ live: 1, name: 'Risk analysis' });
  });

  it('015 rebuilds notification_channels for the mqtt kind, keeping every channel and its deliveries', async () => {
    const file = path.join(tempDir(), 'hsi.sqlite');
    const old = await open(file, { migrateTo: '014_services_and_dead_letters' });
    const now = new Date().toISOString();
    old.sqlite.exec(`INSERT INTO notification_channels (id, kind, name, enabled, config,
      secrets_ciphertext, created_at, updated_at) VALUES ('c1', 'webhook', 'Hub', 1,
      '{"url":"http://127.0.0.1:9/h"}', 'sealed', '${now}', '${now}')`);
    old.sqlite.exec(`INSERT INTO deliveries (id, alert_id, channel_id, status, idempotency_key,
      created_at, updated_at) VALUES ('d1', NULL, 'c1', 'sent', 'k1', '${now}', '${now}')`);
    await old.close();
    opened.pop();

    const { sqlite } = await open(file);
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(
      sqlite.prepare('SELECT id, kind, secrets_ciphertext FROM notification_channels').all(),
    ).toEqual([{ id: 'c1', kind: 'webhook', secrets_ciphertext: 'sealed' }]);
    expect(sqlite.prepare('SELECT id, channel_id FROM deliveries').all()).toEqual([
      { id: 'd1', channel_id: 'c1' },
    ]);
    sqlite.exec(`INSERT INTO notification_channels (id, kind, name, created_at, updated_at)
      VALUES ('c2', 'mqtt', 'Broker', '${now}', '${now}')`);
    expect(() =>
      sqlite.exec(`INSERT INTO notification_channels (id, kind, name, created_at, updated_at)
        VALUES ('c3', 'pager', 'x', '${now}', '${now}')`),
    ).toThrow(/CHECK/);
    // The deliveries still follow their channel.
    sqlite.exec(`DELETE FROM notification_channels WHERE id = 'c1'`);
    expect(sqlite.prepare('SELECT count(*) AS n FROM deliveries').get()).toEqual({ n: 0 });
    expect(sqlite.prepare('SELECT count(*) AS n FROM mqtt_queue').get()).toEqual({ n: 0 });
  });

  it('keeps the events full-text index in sync, including camera renames', async () => {
    const { db } = await open(path.join(tempDir(), 'hsi.sqlite'));
    const now = new Date().toISOString();
    await db
      .insertInto('cameras')
      .values({ id: 'porch', name: 'Porch', folder: '/tmp/p', created_at: now, updated_at: now })
      .execute();
    await db
      .insertInto('events')
      .values({
        id: 'e1',
        camera_id: 'porch',
        started_at: now,
        ended_at: now,
        risk_score: 70,
        risk_level: 'high',
        scorer: 'rules',
        summary: 'Person lingering near the door',
        reasoning: 'Night time',
        object_classes: 'person',
        created_at: now,
        updated_at: now,
      })
      .execute();
    const match = async (q: string) =>
      (
        await sql<{ id: string }>`
          SELECT e.id FROM events_fts f JOIN events e ON e.rowid = f.rowid
          WHERE events_fts MATCH ${q}`.execute(db)
      ).rows.map((r) => r.id);
    expect(await match('lingering')).toEqual(['e1']);
    expect(await match('porch')).toEqual(['e1']);
    await db.updateTable('cameras').set({ name: 'Back Yard' }).where('id', '=', 'porch').execute();
    expect(await match('porch')).toEqual([]);
    expect(await match('"back yard"')).toEqual(['e1']);
    await db
      .updateTable('events')
      .set({ summary: 'Delivery van' })
      .where('id', '=', 'e1')
      .execute();
    expect(await match('lingering')).toEqual([]);
    expect(await match('van')).toEqual(['e1']);
    await db.deleteFrom('events').where('id', '=', 'e1').execute();
    expect(await match('van')).toEqual([]);
  });
});
