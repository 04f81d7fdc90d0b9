import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventFilter } from '../../src-shared/contract';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp } from '../helpers/temp-app';
import { SEED_CAMERAS, seedEvents } from '../helpers/seed-events';
import type { Kysely } from 'kysely';
import { batchRepository } from '../../src-main/aggregate';
import type { DB } from '../../src-main/db/schema';
import type { FtsStrategy, FtsTuning } from '../../src-main/events';
import { eventRepository } from '../../src-main/events';

let t: TestApp;
let oracle: Database.Database;

beforeAll(async () => {
  t = await startTestApp();
  for (const c of SEED_CAMERAS) await t.call('cameras.create', { name: c.name });
  seedEvents(t.dataDir, 9000);
  oracle = new Database(path.join(t.dataDir, 'hsi.sqlite'));
  // Time order and insertion order disagree for some events (late imports, clock changes):
  // the oldest rowids get the newest times and some of the newest rowids the oldest.
  oracle.exec(`UPDATE events SET started_at = '2026-12-31T00:00:00.000Z'
    WHERE rowid IN (SELECT rowid FROM events ORDER BY rowid LIMIT 40)`);
  oracle.exec(`UPDATE events SET started_at = '2020-01-01T00:00:00.000Z'
    WHERE rowid IN (SELECT rowid FROM events ORDER BY rowid DESC LIMIT 40)`);
});

afterAll(async () => {
  oracle.close();
  await t.close();
});

/** The app's event repository with small full-text thresholds (a second connection for exports). */
function tuned(db: Kysely<DB>, sqlite: Database.Database, tuning: FtsTuning) {
  return eventRepository(db, { batches: batchRepository(db), sqlite, tuning });
}

/** Every match by brute force: all of them, sorted. */
function expected(q: string, where = '1 = 1', params: unknown[] = []): string[] {
  return oracle
    .prepare(
      `SELECT e.id FROM events e WHERE ${where} AND e.rowid IN
           (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)
         ORDER BY e.started_at DESC, e.id DESC`,
    )
    .pluck()
    .all(...params, q) as string[];
}

async function pageThrough(filter: EventFilter, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await t.call('events.list', { ...filter, limit, cursor });
    ids.push(...page.items.map((e) => e.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

describe('full-text search with many matches', () => {
  it('pages a common term in exactly the sorted order, across out-of-order rowids', async () => {
    const all = expected('person');
    expect(all.length).toBeGreaterThan(2000);
    expect(await pageThrough({ q: 'person' }, 50)).toEqual(all);
    expect(await pageThrough({ q: 'person' }, 500)).toEqual(all);
  });

  it('combines a common term with camera and level filters (the window grows when needed)', async () => {
    const camera = SEED_CAMERAS[1]!.id;
    expect(await pageThrough({ q: 'person', cameraIds: [camera] }, 50)).toEqual(
      expected('person', 'e.camera_id = ?', [camera]),
    );
    const rare = expected('person', "e.risk_level = 'critical'");
    expect(rare.length).toBeGreaterThan(0);
    expect(await pageThrough({ q: 'person', riskLevels: ['critical'] }, 20)).toEqual(rare);
    expect(await pageThrough({ q: 'person OR car', reviewed: false }, 200)).toEqual(
      expected('person OR car', 'e.reviewed = 0'),
    );
  });
});

describe('full-text paging strategies', () => {
  it('sorting all matches, one-statement pages and windows all give the exact pages', async () => {
    const used = new Set<FtsStrategy>();
    const trace = (s: FtsStrategy) => used.add(s);
    // Small probes and windows, so that a few thousand events take every path: the pages
    // past the probe's reach come from windows, and the windows grow.
    const strategies = {
      sort: tuned(t.app.db, oracle, { sortLimit: 1_000_000, trace }),
      small: tuned(t.app.db, oracle, { sortLimit: 20, window: 64, trace }),
      large: tuned(t.app.db, oracle, { sortLimit: 600, window: 64, trace }),
    };
    const cases: [EventFilter, string, unknown[]][] = [
      [{ q: 'person' }, '1 = 1', []],
      [{ q: 'vehicle night' }, '1 = 1', []],
      [{ q: 'ladder', cameraIds: [SEED_CAMERAS[2]!.id] }, 'e.camera_id = ?', [SEED_CAMERAS[2]!.id]],
      [{ q: '"left a package"', riskLevels: ['high'] }, "e.risk_level = 'high'", []],
      [{ q: 'linger*' }, '1 = 1', []],
      [
        { q: 'person', to: '2026-01-20T00:00:00.000Z' },
        "e.started_at < '2026-01-20T00:00:00.000Z'",
        [],
      ],
    ];
    for (const [filter, where, params] of cases) {
      const want = expected(filter.q!, where, params);
      // More matches than the sort limit, so the window strategies are the ones at work.
      expect(expected(filter.q!).length, filter.q).toBeGreaterThan(20);
      expect(want.length, filter.q).toBeGreaterThan(0);
      for (const [name, repo] of Object.entries(strategies)) {
        expect(await pageWith(repo, filter, 30), `${name} ${JSON.stringify(filter)}`).toEqual(want);
      }
    }
    expect([...used].sort()).toEqual(['direct', 'sort', 'window']);
    // A common term at a rare level: the first window, sized for the term alone, is too small.
    const seq: FtsStrategy[] = [];
    const grows = tuned(t.app.db, oracle, {
      sortLimit: 20,
      window: 64,
      trace: (s) => seq.push(s),
    });
    const page = await grows.list({ q: 'person', riskLevels: ['critical'], limit: 30 });
    expect(page.items.map((e) => e.id)).toEqual(
      expected('person', "e.risk_level = 'critical'").slice(0, 30),
    );
    expect(seq.filter((s) => s === 'window').length).toBeGreaterThan(1);
  });

  it('answers a first page in one statement when rowids follow time, and falls back when not', async () => {
    const fresh = await startTestApp();
    try {
      for (const c of SEED_CAMERAS) await fresh.call('cameras.create', { name: c.name });
      seedEvents(fresh.dataDir, 4000);
      const db = new Database(path.join(fresh.dataDir, 'hsi.sqlite'));
      const brute = (q: string, where = '1 = 1', params: unknown[] = []) =>
        db
          .prepare(
            `SELECT e.id FROM events e WHERE ${where} AND e.rowid IN
               (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)
             ORDER BY e.started_at DESC, e.id DESC LIMIT 25`,
          )
          .pluck()
          .all(...params, q) as string[];
      const used: FtsStrategy[] = [];
      const repo = tuned(fresh.app.db, db, { sortLimit: 400, trace: (s) => used.push(s) });
      const camera = SEED_CAMERAS[3]!.id;
      const first = async (f: EventFilter) =>
        (await repo.list({ ...f, limit: 25 })).items.map((e) => e.id);
      expect(await first({ q: 'person' })).toEqual(brute('person'));
      expect(await first({ q: 'person', cameraIds: [camera] })).toEqual(
        brute('person', 'e.camera_id = ?', [camera]),
      );
      expect(used).toEqual(['direct', 'direct']);
      // Old rowids that now sort first (late imports), one matching and one not: the probe
      // cannot vouch for either, so the page comes from a window instead.
      const oldest = (not: string) =>
        db
          .prepare(
            `SELECT e.rowid FROM events e WHERE e.rowid ${not} IN
               (SELECT rowid FROM events_fts WHERE events_fts MATCH 'person')
             ORDER BY e.rowid LIMIT 1`,
          )
          .pluck()
          .get() as number;
      const [match, other] = [oldest(''), oldest('NOT')];
      const move = db.prepare('UPDATE events SET started_at = ? WHERE rowid = ?');
      move.run('2027-01-02T00:00:00.000Z', other);
      move.run('2027-01-01T00:00:00.000Z', match);
      used.length = 0;
      const page = await first({ q: 'person' });
      expect(page).toEqual(brute('person'));
      expect(page[0]).toBe(db.prepare('SELECT id FROM events WHERE rowid = ?').pluck().get(match));
      expect(used.length).toBeGreaterThan(0);
      expect(used).not.toContain('direct');
      db.close();
    } finally {
      await fresh.close();
    }
  });
});

async function pageWith(
  repo: ReturnType<typeof eventRepository>,
  filter: EventFilter,
  limit: number,
): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await repo.list({ ...filter, limit, cursor });
    ids.push(...page.items.map((e) => e.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

describe('events.stats', () => {
  it('counts by level and camera the same way with and without a time range', async () => {
    const count = (where: string) =>
      oracle
        .prepare(
          `SELECT risk_level AS k, count(*) AS n FROM events WHERE ${where} GROUP BY risk_level
           UNION ALL SELECT camera_id AS k, count(*) AS n FROM events WHERE ${where} GROUP BY camera_id`,
        )
        .all() as { k: string; n: number }[];
    const range = {
      from: '2026-01-05T00:00:00.000Z',
      to: '2026-01-20T00:00:00.000Z',
      riskLevels: ['low', 'high'] as ('low' | 'high')[],
    };
    for (const [filter, where] of [
      [{}, '1 = 1'],
      [
        range,
        `started_at >= '${range.from}' AND started_at < '${range.to}' AND risk_level IN ('low', 'high')`,
      ],
    ] as const) {
      const stats = await t.call('events.stats', filter);
      const want = new Map(count(where).map((r) => [r.k, r.n]));
      expect(stats.total).toBe(
        ['low', 'medium', 'high', 'critical'].reduce((a, l) => a + (want.get(l) ?? 0), 0),
      );
      for (const [level, n] of Object.entries(stats.byRiskLevel)) {
        expect(n, level).toBe(want.get(level) ?? 0);
      }
      for (const c of stats.byCamera) expect(c.count, c.cameraId).toBe(want.get(c.cameraId));
      expect(stats.byCamera.length).toBeGreaterThan(0);
    }
  });
});
