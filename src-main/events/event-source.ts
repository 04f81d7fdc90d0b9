import { setImmediate as nextTick } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { EventFilter } from '../../src-shared/contract';
import type { DB } from '../db/schema';
import { eventFilterSql, withFts } from './event-filter-sql';

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

/** Keyset start above every real (started_at, id). */
const TOP: [string, string] = ['\uffff', ''];

/** The spreadsheet columns come first (CSV reads only those); JSON adds the rest. */
const SHEET_COLUMNS = `e.id, c.name, e.started_at, e.ended_at, e.risk_score, e.risk_level,
  e.summary, e.detection_count, e.reviewed, e.object_classes, e.reasoning`;
const EXTRA_COLUMNS = `e.camera_id, e.false_positive, e.notes, e.scorer, e.model`;

/** A detection as the ZIP's detections pass reads it (plain arrays are cheaper than objects). */
export type DetectionTuple = [
  id: string,
  eventId: string,
  cameraId: string,
  objectClass: string,
  confidence: number,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  detectedAt: string,
  imageId: number | null,
  imagePath: string,
  stationary: number,
];

/** Events per detections query: keeps each synchronous read short (event loop turns). */
const DETECTION_SLICE = 250;

export interface ExportSourceOptions {
  /** Names the temp table a full-text filter's matches are collected in. */
  key: string;
  chunkSize?: number;
  signal?: AbortSignal;
  /** `sheet`: the CSV/XLSX columns only (faster); `all`: every EventTuple field. */
  columns?: 'sheet' | 'all';
}

/**
 * The events an export walks, newest first, in chunks: each chunk is one short keyset query
 * on the time index, so the event loop (and every other channel) gets a turn between chunks
 * and memory holds one chunk at a time however many rows match.
 */
export class EventSource {
  private cursor: [string, string] = TOP;
  private done = false;

  private readonly detectionStatements = new Map<number, Database.Statement>();
  private page: Database.Statement;

  private constructor(
    private readonly sqlite: Database.Database,
    private readonly rowsPage: Database.Statement,
    private readonly keysPage: Database.Statement,
    /** The filter's own parameters; each page adds the cursor and the limit after them. */
    private readonly filterParams: unknown[],
    private readonly countStatement: Database.Statement,
    private readonly ftsTable: string | null,
    readonly chunkSize: number,
  ) {
    this.page = rowsPage;
  }

  /**
   * Prepares the queries for a filter. A full-text filter is resolved once into a temp table
   * of matching rowids (filled in slices, so even a term that matches everything never blocks
   * for long); a malformed query is `invalid_input`.
   */
  static async open(
    db: Kysely<DB>,
    sqlite: Database.Database,
    filter: EventFilter,
    opts: ExportSourceOptions,
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
    // The filter is compiled once; every statement below appends the keyset cursor (two
    // parameters) and the chunk size (one) after the filter's own parameters.
    const where = eventFilterSql(filter, ftsTable ? { ftsTable } : {}).compile(db);
    const after = `${where.sql} AND (e.started_at, e.id) < (?, ?)
      ORDER BY e.started_at DESC, e.id DESC LIMIT ?`;
    const columns = opts.columns === 'all' ? `${SHEET_COLUMNS}, ${EXTRA_COLUMNS}` : SHEET_COLUMNS;
    const page = `SELECT ${columns} FROM events AS e JOIN cameras AS c ON c.id = e.camera_id
      WHERE ${after}`;
    // Later passes need only the keys (id at 0, started_at at 2, like EventTuple).
    const keys = `SELECT e.id, NULL, e.started_at FROM events AS e WHERE ${after}`;
    // Counted in slices along the time index, so a million rows never block for long.
    const count = `SELECT count(*), min(k) FROM (SELECT e.started_at || char(1) || e.id AS k
      FROM events AS e WHERE ${after})`;
    return new EventSource(
      sqlite,
      sqlite.prepare(page).raw(true),
      sqlite.prepare(keys).raw(true),
      [...where.parameters],
      sqlite.prepare(count).raw(true),
      ftsTable,
      opts.chunkSize ?? 1000,
    );
  }

  /** The number of matching events, counted a slice at a time with a turn for the event loop. */
  async count(signal?: AbortSignal): Promise<number> {
    const slice = 20_000;
    let cursor: [string, string] = TOP;
    let total = 0;
    for (;;) {
      signal?.throwIfAborted();
      const [n, last] = this.countStatement.get(
        ...this.filterParams,
        cursor[0],
        cursor[1],
        slice,
      ) as [number, string | null];
      total += Number(n);
      if (Number(n) < slice || last === null) return total;
      const cut = last.indexOf('\u0001');
      cursor = [last.slice(0, cut), last.slice(cut + 1)];
      await nextTick();
    }
  }

  /** The next chunk, or an empty array at the end. */
  next(): EventTuple[] {
    if (this.done) return [];
    const rows = this.page.all(
      ...this.filterParams,
      this.cursor[0],
      this.cursor[1],
      this.chunkSize,
    ) as EventTuple[];
    const last = rows[rows.length - 1];
    if (rows.length < this.chunkSize || !last) this.done = true;
    if (last) this.cursor = [last[2], last[0]];
    return rows;
  }

  /**
   * Starts again from the newest event (ZIP walks the events once per entry); `keysOnly`
   * chunks carry just the id (0) and started_at (2).
   */
  rewind(opts: { keysOnly?: boolean } = {}): void {
    this.cursor = TOP;
    this.done = false;
    this.page = opts.keysOnly ? this.keysPage : this.rowsPage;
  }

  /**
   * The detections of some events (each event's in detection-id order, which is time order),
   * read DETECTION_SLICE events at a time with a turn for the event loop between reads.
   */
  async *detections(eventIds: string[]): AsyncGenerator<DetectionTuple[]> {
    for (let i = 0; i < eventIds.length; i += DETECTION_SLICE) {
      const ids = eventIds.slice(i, i + DETECTION_SLICE);
      let stmt = this.detectionStatements.get(ids.length);
      if (!stmt) {
        stmt = this.sqlite
          .prepare(
            `SELECT d.id, ed.event_id, d.camera_id, d.object_class, d.confidence, d.x1, d.y1,
               d.x2, d.y2, d.detected_at, d.image_id, d.image_path, d.stationary
             FROM event_detections AS ed JOIN detections AS d ON d.id = ed.detection_id
             WHERE ed.event_id IN (${ids.map(() => '?').join(',')})
             ORDER BY ed.event_id, ed.detection_id`,
          )
          .raw(true);
        this.detectionStatements.set(ids.length, stmt);
      }
      yield stmt.all(...ids) as DetectionTuple[];
      if (i + DETECTION_SLICE < eventIds.length) await nextTick();
    }
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
       SELECT rowid FROM events_fts WHERE events_fts MATCH ? AND rowid > CAST(? AS INTEGER)
         ORDER BY rowid LIMIT ?`,
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
