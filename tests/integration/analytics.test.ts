import Database from 'better-sqlite3';
import type { CompiledQuery } from 'kysely';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { DB } from '../../src-main/db/schema';
import { analyticsRepository } from '../../src-main/analytics';
import { insertScoredEvents } from '../helpers/events';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp } from '../helpers/temp-app';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const RANGE = { from: '2026-11-01T00:00:00.000Z', to: '2026-11-08T00:00:00.000Z' };

/**
 * Porch: person 20 (low) Nov 2 09:00Z, person 70 (high) Nov 2 23:30Z, car 40 (medium) Nov 3
 * 15:00Z. Yard: dog 10 (low) Nov 3 15:10Z, person 90 (critical) Nov 9 (outside the range).
 */
async function seed(): Promise<string[]> {
  t = await startTestApp();
  await t.call('cameras.create', { name: 'Porch' });
  await t.call('cameras.create', { name: 'Yard' });
  return insertScoredEvents(t.app, [
    { cameraId: 'porch', startedAt: '2026-11-02T09:00:00.000Z', component: 20 },
    { cameraId: 'porch', startedAt: '2026-11-02T23:30:00.000Z', component: 70 },
    { cameraId: 'porch', startedAt: '2026-11-03T15:00:00.000Z', component: 40, objectClass: 'car' },
    { cameraId: 'yard', startedAt: '2026-11-03T15:10:00.000Z', component: 10, objectClass: 'dog' },
    { cameraId: 'yard', startedAt: '2026-11-09T12:00:00.000Z', component: 90 },
  ]);
}

async function scanCounts() {
  const db = t!.app.db;
  const { rows } = await sql<{ day: string; camera_id: string; risk_level: string; n: number }>`
    SELECT substr(started_at, 1, 10) AS day, camera_id, risk_level, count(*) AS n FROM events
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`.execute(db);
  // The counters unpivoted to the scan's shape: one row per day, camera and level.
  const { rows: kept } = await sql<{
    day: string;
    camera_id: string;
    risk_level: string;
    n: number;
  }>`
    SELECT day, camera_id, risk_level, n FROM (
      SELECT day, camera_id, 'critical' AS risk_level, critical AS n FROM event_day_counts
      UNION ALL SELECT day, camera_id, 'high', high FROM event_day_counts
      UNION ALL SELECT day, camera_id, 'low', low FROM event_day_counts
      UNION ALL SELECT day, camera_id, 'medium', medium FROM event_day_counts
    ) WHERE n > 0 ORDER BY 1, 2, 3`.execute(db);
  return { rows, kept };
}

describe('counters kept by the database', () => {
  it('follow inserts, level changes and cascading deletes of events and detections', async () => {
    const [first] = await seed();
    let c = await scanCounts();
    expect(c.kept).toEqual(c.rows);
    // A re-scored event changes level: its count moves.
    await t!.app.db
      .updateTable('events')
      .set({ risk_level: 'critical', risk_score: 95 })
      .where('id', '=', first!)
      .execute();
    c = await scanCounts();
    expect(c.kept).toEqual(c.rows);
    // A new time the same day with a new level, then a move to another day and camera.
    const [, second] = await t!.app.db
      .selectFrom('events')
      .select('id')
      .orderBy('started_at')
      .execute();
    for (const set of [
      { started_at: '2026-11-02T23:45:00.000Z', risk_level: 'low' as const },
      { started_at: '2026-11-05T01:00:00.000Z', camera_id: 'yard', risk_level: 'high' as const },
    ]) {
      await t!.app.db.updateTable('events').set(set).where('id', '=', second!.id).execute();
      c = await scanCounts();
      expect(c.kept).toEqual(c.rows);
    }
    const detections = async () =>
      (
        await t!.app.db
          .selectFrom('detection_day_counts')
          .select((eb) => eb.fn.sum<number>('n').as('n'))
          .executeTakeFirstOrThrow()
      ).n;
    expect(Number(await detections())).toBe(5);
    // Deleting a camera cascades to its events and detections, and their counts.
    await t!.call('cameras.delete', { id: 'porch' });
    c = await scanCounts();
    expect(c.kept).toEqual(c.rows);
    expect(Number(await detections())).toBe(2);
    // events.stats without a time range reads the counters and agrees with a scan.
    const fast = await t!.call('events.stats', {});
    const scanned = await t!.call('events.stats', { minRisk: 0 });
    expect(fast).toEqual(scanned);
    expect(fast.total).toBe(3); // yard's two and the one moved there
    expect(await t!.call('events.stats', { riskLevels: ['low'] })).toEqual(
      await t!.call('events.stats', { riskLevels: ['low'], minRisk: 0 }),
    );
  });
});

describe('analytics channels', () => {
  it('answer as computed by hand over a range and cameras', async () => {
    await seed();
    expect(await t!.call('analytics.detectionTrends', RANGE)).toEqual([
      { day: '2026-11-02', objectClass: 'person', count: 2 },
      { day: '2026-11-03', objectClass: 'car', count: 1 },
      { day: '2026-11-03', objectClass: 'dog', count: 1 },
    ]);
    expect(await t!.call('analytics.detectionTrends', { ...RANGE, cameraIds: ['yard'] })).toEqual([
      { day: '2026-11-03', objectClass: 'dog', count: 1 },
    ]);
    expect(await t!.call('analytics.riskHistory', RANGE)).toEqual([
      { day: '2026-11-02', counts: { low: 1, medium: 0, high: 1, critical: 0 } },
      { day: '2026-11-03', counts: { low: 1, medium: 1, high: 0, critical: 0 } },
    ]);
    expect(await t!.call('analytics.objectDistribution', RANGE)).toEqual([
      { objectClass: 'person', count: 2, percent: 50 },
      { objectClass: 'car', count: 1, percent: 25 },
      { objectClass: 'dog', count: 1, percent: 25 },
    ]);

    // Hours in the homeowner's zone: New York is UTC−5 in November.
    await t!.call('calibration.update', {
      night: {
        start: '22:00',
        end: '06:00',
        timezone: 'America/New_York',
        thresholds: { medium: 30, high: 60, critical: 85 },
        classMultipliers: {},
      },
    });
    const heat = await t!.call('analytics.heatmap', RANGE);
    expect(heat.timezone).toBe('America/New_York');
    const filled = heat.cells.flatMap((row, dow) =>
      row.flatMap((n, hour) => (n ? [{ dow, hour, n }] : [])),
    );
    // Mon Nov 2 09:00Z → Mon 04h; Mon 23:30Z → Mon 18h; Tue 15:00Z and 15:10Z → Tue 10h.
    expect(filled).toEqual([
      { dow: 1, hour: 4, n: 1 },
      { dow: 1, hour: 18, n: 1 },
      { dow: 2, hour: 10, n: 2 },
    ]);
    expect(heat.max).toBe(2);

    const [e1, e2, e3] = (await t!.call('events.list', { cameraIds: ['porch'] })).items;
    await t!.call('events.feedback', { eventId: e1!.id, type: 'false_positive' });
    await t!.call('events.feedback', { eventId: e2!.id, type: 'correct' });
    await t!.call('events.feedback', { eventId: e3!.id, type: 'false_positive' });
    expect(await t!.call('analytics.falsePositiveRate', RANGE)).toEqual([
      {
        cameraId: 'porch',
        cameraName: 'Porch',
        events: 3,
        feedback: 3,
        falsePositives: 2,
        rate: 2 / 3,
      },
      {
        cameraId: 'yard',
        cameraName: 'Yard',
        events: 1,
        feedback: 0,
        falsePositives: 0,
        rate: null,
      },
    ]);

    const rule = await t!.call('alertRules.create', {
      name: 'People',
      channelIds: [],
      severity: 'high',
    });
    const at = (i: number) => `2026-11-0${3 + i}T10:00:00.000Z`;
    for (const [i, e] of [e1!, e2!, e3!].entries()) {
      await t!.app.db
        .insertInto('alerts')
        .values({
          id: `a${i}`,
          rule_id: i < 2 ? rule.id : null,
          event_id: e.id,
          severity: i === 0 ? 'critical' : 'high',
          dedup_key: `k${i}`,
          rule_name: i < 2 ? 'People' : 'Old rule',
          created_at: at(i),
          updated_at: at(i),
        })
        .execute();
    }
    expect(await t!.call('analytics.alertsByRule', RANGE)).toEqual([
      {
        ruleId: rule.id,
        ruleName: 'People',
        count: 2,
        bySeverity: { low: 0, medium: 0, high: 1, critical: 1 },
      },
      {
        ruleId: null,
        ruleName: 'Old rule',
        count: 1,
        bySeverity: { low: 0, medium: 0, high: 1, critical: 0 },
      },
    ]);
    expect(await t!.call('analytics.alertsByRule', { ...RANGE, cameraIds: ['yard'] })).toEqual([]);
  });

  it('camera uptime adds up the time in each status from the status log', async () => {
    t = await startTestApp();
    await t.call('cameras.create', { name: 'Porch' });
    const log = (status: 'online' | 'offline', at: string) =>
      t!.app.db
        .insertInto('camera_status_log')
        .values({ camera_id: 'porch', status, at })
        .execute();
    await log('online', '2026-10-31T00:00:00.000Z'); // before the range: online at its start
    await log('offline', '2026-11-02T00:00:00.000Z');
    await log('online', '2026-11-02T06:00:00.000Z');
    const [porch] = await t.call('analytics.cameraUptime', RANGE);
    const hour = 3_600_000;
    expect(porch).toEqual({
      cameraId: 'porch',
      cameraName: 'Porch',
      onlineMs: (7 * 24 - 6) * hour,
      offlineMs: 6 * hour,
      unknownMs: 0,
      uptime: (7 * 24 - 6) / (7 * 24),
      changes: 2,
    });
    // A status change the app makes is logged by the database.
    await t.app.db
      .updateTable('cameras')
      .set({ status: 'online' })
      .where('id', '=', 'porch')
      .execute();
    const rows = await t.app.db
      .selectFrom('camera_status_log')
      .select('status')
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.status)).toEqual(['unknown', 'online', 'offline', 'online', 'online']);
    expect(await t.raw('analytics.riskHistory', { from: RANGE.to, to: RANGE.from })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
  });

  it('storage counts the database, snapshots per camera, exports and logs', async () => {
    await seed();
    const s = await t!.call('system.storage', {});
    expect(s.databaseBytes).toBeGreaterThan(0);
    expect(s.totalBytes).toBe(
      s.databaseBytes + s.exportsBytes + s.logsBytes + s.snapshots.reduce((a, x) => a + x.bytes, 0),
    );
  });

  it('every analytics query walks an index or a primary key', async () => {
    await seed();
    const file = `${t!.app.dataDir}/hsi.sqlite`;
    const raw = new Database(file, { readonly: true });
    const queries: CompiledQuery[] = [];
    const logged = new Kysely<DB>({
      dialect: new SqliteDialect({ database: raw }),
      log: (e) => void queries.push(e.query),
    });
    const repo = analyticsRepository(logged);
    const days = { fromDay: '2026-11-01', toDay: '2026-11-07' };
    const withCameras = { ...days, cameraIds: ['porch'] };
    for (const r of [days, withCameras]) {
      await repo.detectionTrends(r);
      await repo.objectCounts(r);
      await repo.eventsByDayLevel(r);
      await repo.eventsByDayHour(r);
      await repo.eventsByCamera(r);
    }
    await repo.alertsByRule(RANGE.from, RANGE.to);
    await repo.alertsByRule(RANGE.from, RANGE.to, ['porch']);
    await repo.feedbackByCamera(RANGE.from, RANGE.to, ['porch']);
    await repo.statusChanges('porch', RANGE.from, RANGE.to);
    expect(queries.length).toBe(15);
    const big =
      /^SCAN (events|detections|event_day_counts|event_hour_counts|detection_day_counts|alerts|camera_status_log)\b/;
    for (const q of queries) {
      const plan = (
        raw.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...(q.parameters as unknown[])) as {
          detail: string;
        }[]
      ).map((r) => r.detail);
      const unindexed = plan.filter(
        (d) => big.test(d) && !/USING (COVERING )?INDEX|PRIMARY KEY/.test(d),
      );
      expect({ sql: q.sql, unindexed }).toEqual({ sql: q.sql, unindexed: [] });
    }
    await logged.destroy();
  });
});
