import { setImmediate as nextTick } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { EventFilter } from '../../src-shared/contract';
import type { ScoreComponents } from '../../src-shared/calibration';
import { storedComponents } from '../../src-shared/calibration';
import type { LabelledEvent } from '../../src-shared/calibration-suggest';
import type { FeedbackType, RiskLevel, Scorer } from '../../src-shared/domain';
import { nowIso } from '../common/ids';
import type { DB } from '../db/schema';
import { eventFilterSql } from './event-filter-sql';
import type { JsonReader } from '../system';
import { objectClassesOf } from './object-classes';

/** What re-evaluating one event needs: its score's components, camera, time and version. */
export interface ScoreRow {
  rowid: number;
  id: string;
  cameraId: string;
  startedAt: string;
  riskScore: number;
  riskLevel: RiskLevel;
  scorer: Scorer;
  objectClasses: string[];
  components: ScoreComponents;
  /** False for events scored before components were kept (`components` is a stand-in). */
  componentsStored: boolean;
  version: number;
  correlationId: string | null;
}

/** A new score and level for an event, written only over the version it was computed from. */
export interface ScoreChange {
  rowid: number;
  version: number;
  riskScore: number;
  riskLevel: RiskLevel;
}

/** What a batch wrote: every change written, and those recomputed from a fresher row. */
export interface AppliedScores {
  written: ScoreChange[];
  recomputed: { row: ScoreRow; next: ScoreChange }[];
}

interface RawRow {
  rid: number;
  id: string;
  camera_id: string;
  started_at: string;
  risk_score: number;
  raw_risk_score: number | null;
  risk_level: RiskLevel;
  scorer: Scorer;
  object_classes: string;
  score_components: string | null;
  version: number;
  correlation_id: string | null;
}

/** Stored components: an object of numbers (anything else reads as none). */
const isComponents = (v: unknown): v is ScoreComponents =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  Object.values(v).every((x) => typeof x === 'number');

function toScoreRow(r: RawRow, json: JsonReader): ScoreRow {
  const objectClasses = objectClassesOf(r.object_classes);
  // Corrupt components read as none: the event is scored as one stored before they were kept.
  const stored =
    r.score_components === null
      ? null
      : json<ScoreComponents | null>(
          r.score_components,
          'score_components',
          r.id,
          null,
          isComponents,
        );
  return {
    rowid: r.rid,
    id: r.id,
    cameraId: r.camera_id,
    startedAt: r.started_at,
    riskScore: r.risk_score,
    riskLevel: r.risk_level,
    scorer: r.scorer,
    objectClasses,
    components: stored ?? storedComponents(null, r.raw_risk_score, objectClasses),
    componentsStored: stored !== null,
    version: r.version,
    correlationId: r.correlation_id,
  };
}

/** Rowids per slice of a long count. */
const COUNT_SLICE = 50_000;

const COLUMNS = sql`e.rowid AS rid, e.id, e.camera_id, e.started_at, e.risk_score,
  e.raw_risk_score, e.risk_level, e.scorer, e.object_classes, e.score_components, e.version, e.correlation_id`;

/**
 * The events repository's part for re-evaluation: scopes read in rowid order (a cursor that
 * survives restarts and never meets a row twice), and new scores written in one synchronous
 * transaction per batch with prepared statements (a million rows in seconds), each only over
 * the version it was computed from.
 */
export function recalibrationRows(db: Kysely<DB>, sqlite: Database.Database, json: JsonReader) {
  // Prepared on first use (the schema is migrated by then).
  let statements:
    | {
        write: Database.Statement<[number, RiskLevel, string, number, number]>;
        readOne: Database.Statement<[number], RawRow>;
      }
    | undefined;
  const prepared = () =>
    (statements ??= {
      write: sqlite.prepare(
        `UPDATE events SET risk_score = ?, risk_level = ?, updated_at = ?, version = version + 1
         WHERE rowid = ? AND version = ?`,
      ),
      readOne: sqlite.prepare(`SELECT ${COLUMNS.compile(db).sql} FROM events e WHERE e.rowid = ?`),
    });
  return {
    /** The newest event's rowid (a job's scope ends there: later events are scored new). */
    async lastRowid(): Promise<number> {
      const r = await sql<{ m: number | null }>`SELECT max(rowid) AS m FROM events`.execute(db);
      return r.rows[0]?.m ?? 0;
    },

    /**
     * Events of the scope up to rowid `untilRowid`, counted in slices of 50,000 rowids with
     * the event loop free between them (a million rows would otherwise hold it ~0.2 s).
     */
    async countScope(scope: EventFilter, untilRowid: number): Promise<number> {
      const compiled = sql<{ n: number }>`SELECT count(*) AS n FROM events e
        WHERE ${eventFilterSql(scope)} AND e.rowid > ${0} AND e.rowid <= ${0}`.compile(db);
      const stmt = sqlite.prepare<unknown[], { n: number }>(compiled.sql);
      const filterParams = compiled.parameters.slice(0, -2);
      let n = 0;
      for (let from = 0; from < untilRowid; from += COUNT_SLICE) {
        n += stmt.get(...filterParams, from, Math.min(untilRowid, from + COUNT_SLICE))?.n ?? 0;
        await nextTick();
      }
      return n;
    },

    /**
     * A reader of the scope's events in rowid order, prepared once (a job reads hundreds of
     * pages): up to `limit` after rowid `after`, none past `until`. Synchronous.
     */
    scopePages(scope: EventFilter): (after: number, until: number, limit: number) => ScoreRow[] {
      const compiled = sql<RawRow>`SELECT ${COLUMNS} FROM events e
        WHERE ${eventFilterSql(scope)} AND e.rowid > ${0} AND e.rowid <= ${0}
        ORDER BY e.rowid LIMIT ${0}`.compile(db);
      // Rows as arrays (no per-row object from the driver), in COLUMNS' order.
      const stmt = sqlite.prepare<unknown[], unknown[]>(compiled.sql).raw(true);
      const filterParams = compiled.parameters.slice(0, -3);
      return (after, until, limit) =>
        stmt.all(...filterParams, after, until, limit).map((r) =>
          toScoreRow(
            {
              rid: r[0] as number,
              id: r[1] as string,
              camera_id: r[2] as string,
              started_at: r[3] as string,
              risk_score: r[4] as number,
              raw_risk_score: r[5] as number | null,
              risk_level: r[6] as RiskLevel,
              scorer: r[7] as Scorer,
              object_classes: r[8] as string,
              score_components: r[9] as string | null,
              version: r[10] as number,
              correlation_id: r[11] as string | null,
            },
            json,
          ),
        );
    },

    /**
     * Whether a transaction is open on the connection (one of Kysely's, mid-way): a batch
     * written now would nest inside it and share its fate, so callers wait for it to end.
     */
    inTransaction(): boolean {
      return sqlite.inTransaction;
    },

    /**
     * Writes the changes and runs `alsoInTx` in one synchronous transaction. A row written by
     * someone else since it was read is read again and handed to `recompute` (its change is
     * written if it still has one): no update is lost either way. The rows recomputed so
     * (with their fresh values) reach `alsoInTx` and the caller.
     */
    applyScores(
      changes: readonly ScoreChange[],
      recompute: (row: ScoreRow) => Omit<ScoreChange, 'rowid' | 'version'>,
      alsoInTx: (outcome: AppliedScores) => void,
    ): AppliedScores {
      const at = nowIso();
      const { write, readOne } = prepared();
      return sqlite.transaction(() => {
        const outcome: AppliedScores = { written: [], recomputed: [] };
        for (const c of changes) {
          if (write.run(c.riskScore, c.riskLevel, at, c.rowid, c.version).changes) {
            outcome.written.push(c);
            continue;
          }
          const raw = readOne.get(c.rowid);
          if (!raw) continue; // deleted meanwhile
          const row = toScoreRow(raw, json);
          const next = { ...recompute(row), rowid: row.rowid, version: row.version };
          if (next.riskScore === row.riskScore && next.riskLevel === row.riskLevel) continue;
          write.run(next.riskScore, next.riskLevel, at, row.rowid, row.version);
          outcome.written.push(next);
          outcome.recomputed.push({ row, next });
        }
        alsoInTx(outcome);
        return outcome;
      })();
    },

    /** Events' scores and levels as stored now, by id (missing: deleted). */
    async currentScores(
      ids: readonly string[],
    ): Promise<Map<string, { riskScore: number; riskLevel: RiskLevel }>> {
      const out = new Map<string, { riskScore: number; riskLevel: RiskLevel }>();
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await db
          .selectFrom('events')
          .select(['id', 'risk_score', 'risk_level'])
          .where('id', 'in', ids.slice(i, i + 500))
          .execute();
        for (const r of rows) out.set(r.id, { riskScore: r.risk_score, riskLevel: r.risk_level });
      }
      return out;
    },

    /** Boxes of one class in the camera's events marked false positive, by event. */
    async falsePositiveBoxes(
      cameraId: string,
      objectClass: string,
    ): Promise<{ eventId: string; boxes: [number, number, number, number][] }[]> {
      const r = await sql<{ event_id: string; x1: number; y1: number; x2: number; y2: number }>`
        SELECT e.id AS event_id, d.x1, d.y1, d.x2, d.y2
        FROM event_feedback f
        JOIN events e ON e.id = f.event_id
        JOIN event_detections ed ON ed.event_id = e.id
        JOIN detections d ON d.id = ed.detection_id
        WHERE f.type = 'false_positive' AND e.camera_id = ${cameraId}
          AND d.object_class = ${objectClass}`.execute(db);
      const byEvent = new Map<string, [number, number, number, number][]>();
      for (const x of r.rows) {
        const boxes = byEvent.get(x.event_id) ?? [];
        boxes.push([x.x1, x.y1, x.x2, x.y2]);
        byEvent.set(x.event_id, boxes);
      }
      return [...byEvent].map(([eventId, boxes]) => ({ eventId, boxes }));
    },

    /** The scope's events that have feedback, with their current score (suggestions). */
    async labelledScores(scope: EventFilter): Promise<LabelledEvent[]> {
      const r = await sql<{
        camera_id: string;
        object_classes: string;
        risk_score: number;
        type: FeedbackType;
      }>`SELECT e.camera_id, e.object_classes, e.risk_score, f.type
        FROM event_feedback f JOIN events e ON e.id = f.event_id
        WHERE ${eventFilterSql(scope)}`.execute(db);
      return r.rows.map((x) => ({
        cameraId: x.camera_id,
        objectClasses: objectClassesOf(x.object_classes),
        riskScore: x.risk_score,
        type: x.type,
      }));
    },
  };
}
