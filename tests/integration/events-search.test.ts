import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventFilter } from '../../src-shared/contract';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp } from '../helpers/temp-app';
import { SEED_CAMERAS, seedEvents } from '../helpers/seed-events';
import { eventRepository } from '../../src-main/events/event-repository';

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
  it('sorting all matches, the dense window and the sparse window all give the exact pages', async () => {
    const strategies = {
      sort: eventRepository(t.app.db, { sortLimit: 1_000_000 }),
      dense: eventRepository(t.app.db, { sortLimit: 20, window: 64, dense: 0 }),
      sparse: eventRepository(t.app.db, { sortLimit: 20, window: 64, dense: 2 }),
    };
    const cases: [EventFilter, string, unknown[]][] = [
      [{ q: 'person' }, '1 = 1', []],
      [{ q: 'vehicle night' }, '1 = 1', []],
      [{ q: 'ladder', cameraIds: [SEED_CAMERAS[2]!.id] }, 'e.camera_id = ?', [SEED_CAMERAS[2]!.id]],
      [{ q: '"left a package"', riskLevels: ['high'] }, "e.risk_level = 'high'", []],
    ];
    for (const [filter, where, params] of cases) {
      const want = expected(filter.q!, where, params);
      // More matches than the sort limit, so the window strategies are the ones at work.
      expect(expected(filter.q!).length, filter.q).toBeGreaterThan(20);
      expect(want.length, filter.q).toBeGreaterThan(0);
      for (const [name, repo] of Object.entries(strategies)) {
        const ids: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await repo.list({ ...filter, limit: 30, cursor });
          ids.push(...page.items.map((e) => e.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        expect(ids, `${name} ${JSON.stringify(filter)}`).toEqual(want);
      }
    }
  });
});

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
