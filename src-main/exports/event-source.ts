import { setImmediate as nextTick } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { EventFilter } from '../../src-shared/contract';
import type { DB } from '../db/schema';
import { eventFilterSql, withFts } from '../events/event-repository';

/** One exported event, as the raw row SQLite hands back (no per-row objects on the hot path). */
export type EventTuple = [
  id: string,
  cameraName: string,
  startedAt: string,
  endedAt: string,
  riskScore: number,
  riskLevel: string,
  summary: string,
  detectionCount: number,
  reviewed: number,
  objectClasses: string,
  reasoning: string,
  cameraId: string,
  falsePositive: number,
  notes: string,
  scorer: string,
  model: string | null,
];

export interface DetectionExportRow {
  id: string;
  event_id: string;
  camera_id: string;
  object_class: string;
  confidence: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  detected_at: string;
  image_id: number | null;
  image_path: string;
  stationary: number;
}

/** Keyset start above every real (started_at, id). */
const TOP: [string, string] = ['\uffff', ''];

/**
 * The events an export walks, newest first, in chunks: each chunk is one short keyset query
 * on the time index, so the event loop (and every other channel) gets a turn between chunks
 * and memory holds one chunk at a time however many rows match.
 */
export class EventSource {
  private cursor: [string, string] = TOP;
  private done = false;

  private constructor(
    private readonly sqlite: Database.Database,
    private readonly page: Database.Statement,
    private readonly baseParams: unknown[],
    private readonly countSql: { sql: string; params: unknown[] },
    private readonly ftsTable: string | null,
    readonly chunkSize: number,
  ) {}

  /**
   * Prepares the queries for a filter. A full-text filter is resolved once into a temp table
   * of matching rowids (filled in slices, so even a term that matches everything never blocks
   * for long); a malformed query is `invalid_input`.
   */
  static async open(
    db: Kysely<DB>,
    sqlite: Database.Database,
    filter: EventFilter,
    opts: { key: string; chunkSize?: number; signal?: AbortSignal },
  ): Promise<EventSource> {
    let ftsTable: string | null = null;
    if (filter.q) {
      const table = `export_fts_${opts.key.replace(/[^A-Za-z0-9]/g, '')}`;
      ftsTable = table;
      try {
        await withFts(filter, () => fillMatches(sqlite, table, filter.q!, opts.signal));
      } catch (err) {
        sqlite.exec(`DROP TABLE IF EXISTS temp."${table}"`);
        throw err;
      }
    }
    const where = eventFilterSql(filter, ftsTable ? { ftsTable } : {});
    const page = sql`SELECT e.id, c.name, e.started_at, e.ended_at, e.risk_score, e.risk_level,
        e.summary, e.detection_count, e.reviewed, e.object_classes, e.reasoning, e.camera_id,
        e.false_positive, e.notes, e.scorer, e.model
      FROM events AS e JOIN cameras AS c ON c.id = e.camera_id
      WHERE ${where} AND (e.started_at, e.id) < (${TOP[0]}, ${TOP[1]})
      ORDER BY e.started_at DESC, e.id DESC LIMIT ${0}`.compile(db);
    const count = sql`SELECT count(*) FROM events AS e WHERE ${where}`.compile(db);
    const stmt = sqlite.prepare(page.sql).raw(true);
    return new EventSource(
      sqlite,
      stmt,
      page.parameters.slice(0, -3),
      { sql: count.sql, params: [...count.parameters] },
      ftsTable,
      opts.chunkSize ?? 1000,
    );
  }

  count(): number {
    const row = this.sqlite
      .prepare(this.countSql.sql)
      .raw(true)
      .get(...this.countSql.params) as [number];
    return Number(row[0]);
  }

  /** The next chunk, or an empty array at the end. */
  next(): EventTuple[] {
    if (this.done) return [];
    const rows = this.page.all(
      ...this.baseParams,
      this.cursor[0],
      this.cursor[1],
      this.chunkSize,
    ) as EventTuple[];
    const last = rows[rows.length - 1];
    if (rows.length < this.chunkSize || !last) this.done = true;
    if (last) this.cursor = [last[2], last[0]];
    return rows;
  }

  /** Starts again from the newest event (ZIP walks the events once per entry). */
  rewind(): void {
    this.cursor = TOP;
    this.done = false;
  }

  /** The detections of a chunk's events, in event order. */
  detections(eventIds: string[]): DetectionExportRow[] {
    if (!eventIds.length) return [];
    const marks = eventIds.map(() => '?').join(',');
    return this.sqlite
      .prepare(
        `SELECT d.id, ed.event_id, d.camera_id, d.object_class, d.confidence, d.x1, d.y1, d.x2, d.y2,
           d.detected_at, d.image_id, d.image_path, d.stationary
         FROM event_detections AS ed JOIN detections AS d ON d.id = ed.detection_id
         WHERE ed.event_id IN (${marks})
         ORDER BY ed.event_id, d.detected_at, d.id`,
      )
      .all(...eventIds) as DetectionExportRow[];
  }

  close(): void {
    if (this.ftsTable) this.sqlite.exec(`DROP TABLE IF EXISTS temp."${this.ftsTable}"`);
  }
}

async function fillMatches(
  sqlite: Database.Database,
  table: string,
  q: string,
  signal?: AbortSignal,
): Promise<void> {
  sqlite.exec(`DROP TABLE IF EXISTS temp."${table}"`);
  sqlite.exec(`CREATE TEMP TABLE "${table}" (rid INTEGER PRIMARY KEY)`);
  const slice = 20_000;
  const insert = sqlite.prepare(
    `INSERT INTO temp."${table}" (rid)
       SELECT rowid FROM events_fts WHERE events_fts MATCH ? AND rowid > ? ORDER BY rowid LIMIT ?`,
  );
  const last = sqlite.prepare(`SELECT max(rid) FROM temp."${table}"`).pluck();
  let after = -Infinity;
  for (;;) {
    signal?.throwIfAborted();
    const { changes } = insert.run(q, after === -Infinity ? Number.MIN_SAFE_INTEGER : after, slice);
    if (changes < slice) return;
    after = Number(last.get());
    await nextTick();
  }
}
