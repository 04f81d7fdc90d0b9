import type Database from 'better-sqlite3';
import type { Kysely, RawBuilder, Selectable, SqlBool } from 'kysely';
import { sql } from 'kysely';
import type { EventFilter, Page } from '../../src-shared/contract';
import type {
  EventAnalysis,
  EventFeedback,
  EventStats,
  FeedbackStats,
  FeedbackType,
  RiskLevel,
  SecurityEvent,
} from '../../src-shared/domain';
import { FEEDBACK_TYPES, RISK_LEVELS } from '../../src-shared/domain';
import type { BatchRepository } from '../aggregate';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { newId, nowIso } from '../common/ids';
import type { PurgeChunk, PurgeRequest } from '../db/purge';
import { purgeOlder } from '../db/purge';
import type { DB, EventsTable } from '../db/schema';
import type { RiskAssessment } from '../risk';
import type { JsonReader, Logger } from '../system';
import { jsonReader } from '../system';
import { eventFilterSql, withFts } from './event-filter-sql';
import type { ExportSourceOptions } from './event-source';
import { EventSource } from './event-source';
import { objectClassesOf } from './object-classes';
import { recalibrationRows } from './recalibration-rows';

/** An events row as pages read it: the camera's name and the best detection's image joined. */
type EventRow = Selectable<EventsTable> & {
  camera_name: string;
  thumbnail_image_id: number | null;
};

/** A row as an event (`json` reads its JSON columns: a corrupt one is logged and read as none). */
function toEvent(r: EventRow, json: JsonReader): SecurityEvent {
  return {
    id: r.id,
    batchId: r.batch_id,
    cameraId: r.camera_id,
    cameraName: r.camera_name,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    riskScore: r.risk_score,
    rawRiskScore: r.raw_risk_score,
    riskLevel: r.risk_level,
    summary: r.summary,
    reasoning: r.reasoning,
    scorer: r.scorer,
    model: r.model,
    promptVersionId: r.prompt_version_id,
    analysis: r.analysis ? json<EventAnalysis | null>(r.analysis, 'analysis', r.id, null) : null,
    latencyMs: r.latency_ms,
    objectClasses: objectClassesOf(r.object_classes),
    detectionCount: r.detection_count,
    isFastPath: r.is_fast_path === 1,
    reviewed: r.reviewed === 1,
    falsePositive: r.false_positive === 1,
    notes: r.notes,
    thumbnailImageId: r.thumbnail_image_id,
    correlationId: r.correlation_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    version: r.version,
  };
}

/** Above this many full-text matches, page through windows of the time index instead. */
const FTS_SORT_LIMIT = 1000;
/** The smallest first window, in events (it grows until a page fits). */
const FTS_WINDOW = 512;
/** The largest first window (a sparse query's estimate may be far too big). */
const FTS_MAX_WINDOW = 262_144;

export interface NewEvent {
  batchId: string;
  cameraId: string;
  startedAt: string;
  endedAt: string;
  objectClasses: string[];
  detectionIds: string[];
  isFastPath: boolean;
  assessment: RiskAssessment;
  correlationId: string | null;
}

/** Full-text paging thresholds (tests make them small to reach every path with few events). */
export interface FtsTuning {
  sortLimit?: number;
  window?: number;
  /** Told which way each full-text page (or window) was answered. */
  trace?: (strategy: FtsStrategy) => void;
}

export type FtsStrategy = 'sort' | 'direct' | 'window';

/** The newest matches of a full-text query, read once per page. */
interface FtsProbe {
  /** Their rowids, as a JSON array (passed back to SQLite through json_each). */
  json: string;
  count: number;
  /** Smallest and largest rowid among them. */
  lo: number;
  top: number;
  /** When the event with the smallest rowid started. */
  loAt: string;
  /** The largest event rowid when they were read: every match in [lo, hi] is among them. */
  hi: number;
}

type Keys = { id: string; started_at: string }[];

/**
 * Events and what belongs to them: `events` (with its full-text index, kept by triggers),
 * `event_detections` and `event_feedback`. Pages read the camera name and the best
 * detection's image as joined columns (one statement per page).
 */
export function eventRepository(
  db: Kysely<DB>,
  d: {
    batches: BatchRepository;
    /** The raw handle exports stream from (prepared statements, no per-row objects). */
    sqlite: Database.Database;
    tuning?: FtsTuning;
    /** Told about corrupt values (logged once per row). */
    logger?: Logger;
  },
) {
  const json = jsonReader('events', d.logger);
  const asEvent = (r: EventRow) => toEvent(r, json);
  const tuning = d.tuning ?? {};
  const sortLimit = tuning.sortLimit ?? FTS_SORT_LIMIT;
  const firstWindow = tuning.window ?? FTS_WINDOW;
  const trace = tuning.trace ?? (() => undefined);
  const selectEvents = () =>
    db
      .selectFrom('events as e')
      .innerJoin('cameras as c', 'c.id', 'e.camera_id')
      .selectAll('e')
      .select('c.name as camera_name')
      .select(
        sql<number | null>`(SELECT d.image_id FROM event_detections ed
          JOIN detections d ON d.id = ed.detection_id
          WHERE ed.event_id = e.id ORDER BY d.confidence DESC LIMIT 1)`.as('thumbnail_image_id'),
      );

  /**
   * The newest sortLimit + 1 matches by rowid (FTS5 reads newest-first cheaply). No more than
   * sortLimit means they are all the matches, and sorting them is cheapest.
   */
  const ftsProbe = async (q: string): Promise<FtsProbe | null> => {
    const r = (
      await sql<{ m: string; hi: number | null; lo_at: string | null }>`WITH p AS MATERIALIZED
          (SELECT rowid AS r FROM events_fts WHERE events_fts MATCH ${q}
            ORDER BY rowid DESC LIMIT ${sortLimit + 1})
        SELECT json_group_array(r) AS m, (SELECT max(rowid) FROM events) AS hi,
          (SELECT started_at FROM events WHERE rowid = (SELECT min(r) FROM p)) AS lo_at
        FROM p`.execute(db)
    ).rows[0];
    const rowids = r ? (JSON.parse(r.m) as number[]) : [];
    if (!r || r.hi === null || r.lo_at === null || !rowids.length) return null;
    return {
      json: r.m,
      count: rowids.length,
      lo: Math.min(...rowids),
      loAt: r.lo_at,
      top: Math.max(...rowids),
      hi: r.hi,
    };
  };

  /**
   * A page of a full-text filter with many matches. Materialising every match of a common
   * term costs more than the page, so the page comes from a window of the time index: the
   * next `k` events after the cursor (within the filter's time range). The matches inside
   * it are the FTS5 matches in the window's rowid range, which FTS5 seeks to directly when
   * the bounds are integers (JavaScript numbers bind as REAL, and FTS5 ignores a REAL rowid
   * bound: a 2,000-rowid range then costs as much as every match, measured). A full page
   * inside the window is exactly the answer (every event outside it sorts after it);
   * otherwise the window grows.
   */
  const windowedFts = async (
    f: EventFilter,
    limit: number,
    cursor: [string, string] | undefined,
    p: FtsProbe,
  ): Promise<EventRow[]> => {
    const q = f.q!;
    const afterCursor = cursor
      ? sql<SqlBool>`(e.started_at, e.id) < (${cursor[0]}, ${cursor[1]})`
      : sql<SqlBool>`1 = 1`;
    // The window walks the time index from the cursor, within the filter's time range.
    const after = sql<SqlBool>`${afterCursor} AND ${eventFilterSql({ from: f.from, to: f.to })}`;
    const rest = eventFilterSql({ ...f, q: undefined });
    const page = (where: RawBuilder<SqlBool>) =>
      selectEvents()
        .select(sql<number>`e.rowid`.as('rid'))
        .where(rest)
        .where(afterCursor)
        .where(where)
        .orderBy('e.started_at', 'desc')
        .orderBy('e.id', 'desc')
        .limit(limit + 1)
        .execute();

    // The page in one statement: the probe's matches and every event it cannot vouch for
    // (older rowids, or inserted since), in time order. When the first limit + 1 of them are
    // all the probe's, they are exactly the page. Tried where the page starts after the
    // probe's oldest match (the first pages, when rowids follow time) and the filter leaves
    // the time order to one index (at most one camera, no condition but the time range).
    const timeOrdered = Object.entries(f).every(
      ([key, v]) =>
        v === undefined ||
        ['q', 'cursor', 'limit', 'from', 'to'].includes(key) ||
        (key === 'cameraIds' && Array.isArray(v) && v.length <= 1),
    );
    const pageTop = cursor ? cursor[0] : f.to ? new Date(f.to).toISOString() : null;
    if (timeOrdered && (pageTop === null || pageTop > p.loAt)) {
      const rows = await page(
        sql<SqlBool>`(+e.rowid IN (SELECT value FROM json_each(${p.json}))
          OR +e.rowid < ${p.lo} OR +e.rowid > ${p.hi})`,
      );
      if (rows.every((r) => r.rid >= p.lo && r.rid <= p.hi)) {
        trace('direct');
        return rows;
      }
    }

    // Four times the expected need: matches cluster in time (night, deliveries at noon).
    const density = p.count / Math.max(1, p.top - p.lo + 1);
    let k = Math.min(FTS_MAX_WINDOW, Math.max(firstWindow, Math.ceil(((limit + 1) / density) * 4)));
    for (;;) {
      const w = (
        await sql<{
          low: number | null;
          high: number | null;
          edge: string | null;
          n: number;
        }>`SELECT min(r) AS low, max(r) AS high, min(s) AS edge, count(*) AS n
          FROM (SELECT e.rowid AS r, e.started_at AS s FROM events AS e
            WHERE ${after} ORDER BY e.started_at DESC, e.id DESC LIMIT ${k})`.execute(db)
      ).rows[0];
      if (!w || w.low === null || w.high === null || w.edge === null) return [];
      trace('window');
      // The window reaches the oldest event: no time bound, the answer is complete.
      const whole = Number(w.n) < k;
      const rows = await page(
        sql<SqlBool>`${whole ? sql`1 = 1` : sql`e.started_at > ${w.edge}`}
          AND +e.rowid IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ${q}
            AND rowid BETWEEN CAST(${w.low} AS INTEGER) AND CAST(${w.high} AS INTEGER))`,
      );
      if (rows.length > limit || whole) return rows;
      // Grow by what the window yielded: enough for a page with room to spare.
      k *= Math.min(16, Math.max(2, Math.ceil(((limit + 1) / Math.max(rows.length, 1)) * 1.5)));
    }
  };

  const repo = {
    /** Retention: events started before the cutoff without an active alert (cascades). */
    purge(req: PurgeRequest): Promise<PurgeChunk> {
      return purgeOlder(
        db,
        'events',
        'started_at',
        req,
        sql`NOT EXISTS (SELECT 1 FROM alerts a WHERE a.event_id = t.id AND a.status = 'active')`,
      );
    },

    /** Retention: events due but kept because an active alert points at them. */
    async keptForAlerts(before: string): Promise<number> {
      const { rows } = await sql<{ n: number }>`
        SELECT count(DISTINCT e.id) AS n FROM alerts a JOIN events e ON e.id = a.event_id
        WHERE a.status = 'active' AND e.started_at < ${before}`.execute(db);
      return rows[0]?.n ?? 0;
    },

    /** Events started in [from, to): kept for an unfinished export. */
    async countBetween(from: string, to: string): Promise<number> {
      const { rows } = await sql<{ n: number }>`
        SELECT count(*) AS n FROM events WHERE started_at >= ${from} AND started_at < ${to}`.execute(
        db,
      );
      return rows[0]?.n ?? 0;
    },

    /** Up to `limit` of a camera's events (the camera is being deleted, a chunk at a time). */
    async idsForCamera(cameraId: string, limit: number): Promise<string[]> {
      const rows = await db
        .selectFrom('events')
        .select('id')
        .where('camera_id', '=', cameraId)
        .limit(limit)
        .execute();
      return rows.map((r) => r.id);
    },

    /**
     * Deletes these events with their detection links and feedback, in one transaction (their
     * prompt runs go by cascade; their alerts are the alerts repository's to delete first).
     */
    async deleteMany(ids: readonly string[]): Promise<number> {
      if (!ids.length) return 0;
      const list = JSON.stringify(ids);
      return db.transaction().execute(async (tx) => {
        for (const table of ['event_detections', 'event_feedback'] as const) {
          await sql`DELETE FROM ${sql.table(table)}
            WHERE event_id IN (SELECT value FROM json_each(${list}))`.execute(tx);
        }
        const r = await sql`DELETE FROM events
          WHERE id IN (SELECT value FROM json_each(${list}))`.execute(tx);
        return Number(r.numAffectedRows ?? 0);
      });
    },

    ...recalibrationRows(db, d.sqlite, json),
    async get(id: string): Promise<SecurityEvent | undefined> {
      const row = await selectEvents().where('e.id', '=', id).executeTakeFirst();
      return row && asEvent(row);
    },

    /** Several events in one query. */
    async getMany(ids: string[]): Promise<Map<string, SecurityEvent>> {
      const out = new Map<string, SecurityEvent>();
      // In slices: SQLite limits the number of bound parameters.
      for (let i = 0; i < ids.length; i += 500) {
        const slice = ids.slice(i, i + 500);
        const rows = (await selectEvents().where('e.id', 'in', slice).execute()) as EventRow[];
        for (const r of rows) out.set(r.id, asEvent(r));
      }
      return out;
    },

    async byBatch(batchId: string): Promise<SecurityEvent | undefined> {
      const row = await selectEvents().where('e.batch_id', '=', batchId).executeTakeFirst();
      return row && asEvent(row);
    },

    /**
     * One event per batch, ever: the insert is keyed on batch_id, and the detection links and
     * the batch's closed state are written in the same transaction.
     */
    async insertForBatch(e: NewEvent): Promise<{ event: SecurityEvent; created: boolean }> {
      const now = nowIso();
      const id = newId();
      const created = await db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto('events')
          .values({
            id,
            batch_id: e.batchId,
            camera_id: e.cameraId,
            started_at: e.startedAt,
            ended_at: e.endedAt,
            risk_score: e.assessment.riskScore,
            raw_risk_score: e.assessment.rawRiskScore,
            risk_level: e.assessment.riskLevel,
            summary: e.assessment.summary,
            reasoning: e.assessment.reasoning,
            scorer: e.assessment.scorer,
            model: e.assessment.model,
            prompt_version_id: e.assessment.promptVersionId,
            analysis: e.assessment.analysis ? JSON.stringify(e.assessment.analysis) : null,
            latency_ms: e.assessment.latencyMs,
            object_classes: e.objectClasses.join(' '),
            detection_count: e.detectionIds.length,
            is_fast_path: e.isFastPath ? 1 : 0,
            correlation_id: e.correlationId,
            score_components: JSON.stringify(e.assessment.components),
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) => oc.column('batch_id').doNothing())
          .executeTakeFirst();
        const isNew = Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
        if (isNew && e.detectionIds.length) {
          await trx
            .insertInto('event_detections')
            .values(e.detectionIds.map((d) => ({ event_id: id, detection_id: d, created_at: now })))
            .onConflict((oc) => oc.column('detection_id').doNothing())
            .execute();
        }
        await d.batches.markClosed(e.batchId, now, trx);
        return isNew;
      });
      const event = await repo.byBatch(e.batchId);
      if (!event) throw new Error(`event for batch ${e.batchId} vanished`);
      return { event, created };
    },

    /**
     * Newest first, keyset-paged on (started_at, id). Two steps: the page's ids from the
     * indexes alone, then the full rows (camera name, thumbnail) for just those ids.
     */
    async list(f: EventFilter & { cursor?: string; limit?: number }): Promise<Page<SecurityEvent>> {
      const limit = f.limit ?? 50;
      return withFts(f, async () => {
        const cursor = f.cursor ? decodeCursor(f.cursor) : undefined;
        let keys: Keys;
        let rows: EventRow[] | undefined;
        const probe = f.q ? await ftsProbe(f.q) : null;
        if (f.q && !probe) {
          keys = [];
        } else if (f.q && probe && probe.count > sortLimit) {
          keys = rows = await windowedFts(f, limit, cursor, probe);
        } else {
          let q = db
            .selectFrom('events as e')
            .select(['e.id', 'e.started_at'])
            .where(eventFilterSql({ ...f, q: undefined }));
          // Few matches: the probe holds them all.
          if (f.q && probe) {
            trace('sort');
            q = q.where(sql<SqlBool>`e.rowid IN (SELECT value FROM json_each(${probe.json}))`);
          }
          if (cursor) {
            // A row-value comparison is one index range; the OR form scans from the top.
            q = q.where(sql<SqlBool>`(e.started_at, e.id) < (${cursor[0]}, ${cursor[1]})`);
          }
          keys = await q
            .orderBy('e.started_at', 'desc')
            .orderBy('e.id', 'desc')
            .limit(limit + 1)
            .execute();
        }
        const pageKeys = keys.slice(0, limit);
        if (!rows && pageKeys.length) {
          rows = await selectEvents()
            .where(
              'e.id',
              'in',
              pageKeys.map((k) => k.id),
            )
            .orderBy('e.started_at', 'desc')
            .orderBy('e.id', 'desc')
            .execute();
        }
        const items = (rows ?? []).slice(0, limit).map(asEvent);
        const last = pageKeys[pageKeys.length - 1];
        return {
          items,
          nextCursor: keys.length > limit && last ? encodeCursor(last.started_at, last.id) : null,
        };
      });
    },

    /** Counts by level and camera; grouped on events alone (covered by its indexes). */
    async stats(f: EventFilter): Promise<EventStats> {
      return withFts(f, async () => {
        const where = eventFilterSql(f);
        let byLevel: { risk_level: RiskLevel; n: number }[];
        let byCameraId: { camera_id: string; n: number }[];
        const countersOnly = Object.entries(f).every(
          ([k, v]) => v === undefined || k === 'cameraIds' || k === 'riskLevels',
        );
        let groups: { risk_level: RiskLevel; camera_id: string; n: number }[] | undefined;
        if (countersOnly) {
          // No time range and nothing but cameras and levels: the per-day counters the
          // database keeps with the events (a few rows per day, not every event).
          const levels = f.riskLevels?.length ? f.riskLevels : RISK_LEVELS;
          const rows = (
            await sql<{ camera_id: string } & Record<RiskLevel, number>>`
              SELECT camera_id, ${sql.join(levels.map((l) => sql`sum(${sql.ref(l)}) AS ${sql.ref(l)}`))}
              FROM event_day_counts
              ${f.cameraIds?.length ? sql`WHERE camera_id IN (${sql.join(f.cameraIds)})` : sql``}
              GROUP BY camera_id`.execute(db)
          ).rows;
          groups = rows
            .flatMap((r) =>
              levels.map((l) => ({ risk_level: l, camera_id: r.camera_id, n: Number(r[l]) })),
            )
            .filter((g) => g.n > 0);
        } else if (f.from || f.to) {
          // A time range: one pass over the (started_at, risk_level, camera_id) index. The
          // unary + keeps the planner from walking the whole (risk_level, …) index to group
          // by level when only a lower bound is given.
          groups = await db
            .selectFrom('events as e')
            .select(['e.risk_level', 'e.camera_id', (eb) => eb.fn.countAll<number>().as('n')])
            .where(where)
            .groupBy([sql`+e.risk_level`, 'e.camera_id'])
            .execute();
        }
        if (groups) {
          const levels = new Map<RiskLevel, number>();
          const cameras = new Map<string, number>();
          for (const g of groups) {
            levels.set(g.risk_level, (levels.get(g.risk_level) ?? 0) + Number(g.n));
            cameras.set(g.camera_id, (cameras.get(g.camera_id) ?? 0) + Number(g.n));
          }
          byLevel = [...levels].map(([risk_level, n]) => ({ risk_level, n }));
          byCameraId = [...cameras].map(([camera_id, n]) => ({ camera_id, n }));
        } else {
          // All time: each count walks its own index in order (no sort of every event).
          byLevel = await db
            .selectFrom('events as e')
            .select(['e.risk_level', (eb) => eb.fn.countAll<number>().as('n')])
            .where(where)
            .groupBy('e.risk_level')
            .execute();
          byCameraId = await db
            .selectFrom('events as e')
            .select(['e.camera_id', (eb) => eb.fn.countAll<number>().as('n')])
            .where(where)
            .groupBy('e.camera_id')
            .execute();
        }
        const names = new Map(
          (
            await db
              .selectFrom('cameras')
              .select(['id', 'name'])
              .where('id', 'in', byCameraId.length ? byCameraId.map((r) => r.camera_id) : [''])
              .execute()
          ).map((c) => [c.id, c.name]),
        );
        const levels = Object.fromEntries(RISK_LEVELS.map((l) => [l, 0])) as Record<
          RiskLevel,
          number
        >;
        for (const r of byLevel) levels[r.risk_level] = Number(r.n);
        return {
          total: Object.values(levels).reduce((a, b) => a + b, 0),
          byRiskLevel: levels,
          byCamera: byCameraId
            .map((r) => ({
              cameraId: r.camera_id,
              cameraName: names.get(r.camera_id) ?? r.camera_id,
              count: Number(r.n),
            }))
            .sort((a, b) => b.count - a.count || a.cameraName.localeCompare(b.cameraName)),
        };
      });
    },

    async update(
      id: string,
      patch: { reviewed?: boolean; falsePositive?: boolean; notes?: string },
    ): Promise<SecurityEvent | undefined> {
      const result = await db
        .updateTable('events')
        .set({
          ...(patch.reviewed !== undefined && { reviewed: patch.reviewed ? 1 : 0 }),
          ...(patch.falsePositive !== undefined && { false_positive: patch.falsePositive ? 1 : 0 }),
          ...(patch.notes !== undefined && { notes: patch.notes }),
          updated_at: nowIso(),
          version: sql`version + 1`,
        })
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) ? repo.get(id) : undefined;
    },

    async setReviewed(ids: string[], reviewed: boolean): Promise<number> {
      const r = await db
        .updateTable('events')
        .set({ reviewed: reviewed ? 1 : 0, updated_at: nowIso(), version: sql`version + 1` })
        .where('id', 'in', ids)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    /**
     * A new assessment for the event, written only if the event is still at `version` (what
     * the assessment was based on): 'stale' when something else wrote it meanwhile.
     */
    async rescore(
      id: string,
      version: number,
      a: RiskAssessment,
    ): Promise<SecurityEvent | 'stale' | undefined> {
      const r = await db
        .updateTable('events')
        .set({
          risk_score: a.riskScore,
          raw_risk_score: a.rawRiskScore,
          risk_level: a.riskLevel,
          summary: a.summary,
          reasoning: a.reasoning,
          scorer: a.scorer,
          model: a.model,
          prompt_version_id: a.promptVersionId,
          analysis: a.analysis ? JSON.stringify(a.analysis) : null,
          latency_ms: a.latencyMs,
          score_components: JSON.stringify(a.components),
          updated_at: nowIso(),
          version: sql`version + 1`,
        })
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return (await repo.get(id)) ? 'stale' : undefined;
      return repo.get(id);
    },

    /** How many events the rules scored (waiting for the LLM). */
    async countRulesScored(): Promise<number> {
      const row = await db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('scorer', '=', 'rules')
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    /** Rules-scored events, newest first, after `cursor` (the last one of the previous page). */
    async rulesScoredAfter(
      cursor: { startedAt: string; id: string } | null,
      limit: number,
    ): Promise<SecurityEvent[]> {
      const rows = (await selectEvents()
        .where('e.scorer', '=', 'rules')
        .$if(cursor !== null, (q) =>
          q.where((eb) =>
            eb.or([
              eb('e.started_at', '<', cursor!.startedAt),
              eb.and([eb('e.started_at', '=', cursor!.startedAt), eb('e.id', '<', cursor!.id)]),
            ]),
          ),
        )
        .orderBy('e.started_at', 'desc')
        .orderBy('e.id', 'desc')
        .limit(limit)
        .execute()) as EventRow[];
      return rows.map(asEvent);
    },

    /** Events the rules scorer produced while the LLM was down, newest first. */
    async rulesScored(limit: number): Promise<SecurityEvent[]> {
      const rows = (await selectEvents()
        .where('e.scorer', '=', 'rules')
        .orderBy('e.started_at', 'desc')
        .limit(limit)
        .execute()) as EventRow[];
      return rows.map(asEvent);
    },

    /** The ids of the event's detections. */
    async detectionIds(eventId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('event_detections')
        .select('detection_id')
        .where('event_id', '=', eventId)
        .execute();
      return rows.map((r) => r.detection_id);
    },

    /** Throws `invalid_input` at `q` when the full-text query is malformed. */
    async checkSearch(q: string): Promise<void> {
      await withFts({ q }, async () => {
        await sql`SELECT 1 FROM events_fts WHERE events_fts MATCH ${q} LIMIT 1`.execute(db);
      });
    },

    /** The events matching a filter, newest first, in chunks (exports). */
    exportSource(filter: EventFilter, opts: ExportSourceOptions): Promise<EventSource> {
      return EventSource.open(db, d.sqlite, filter, opts);
    },

    /** Stores feedback; `alsoInTx` (the calibration's learning) commits with it or not at all. */
    async addFeedback(
      f: { eventId: string; type: FeedbackType; notes?: string; expectedSeverity?: RiskLevel },
      alsoInTx?: (tx: Kysely<DB>) => Promise<void>,
    ): Promise<EventFeedback> {
      const row = await db.transaction().execute(async (tx) => {
        const inserted = await tx
          .insertInto('event_feedback')
          .values({
            id: newId(),
            event_id: f.eventId,
            type: f.type,
            notes: f.notes ?? null,
            expected_severity: f.expectedSeverity ?? null,
            created_at: nowIso(),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await alsoInTx?.(tx);
        return inserted;
      });
      return {
        id: row.id,
        eventId: row.event_id,
        type: row.type,
        notes: row.notes,
        expectedSeverity: row.expected_severity as RiskLevel | null,
        createdAt: row.created_at,
      };
    },

    /** The feedback type given on each of these events (those with feedback). */
    async feedbackTypes(eventIds: string[]): Promise<Map<string, FeedbackType>> {
      const out = new Map<string, FeedbackType>();
      for (let i = 0; i < eventIds.length; i += 500) {
        const rows = await db
          .selectFrom('event_feedback')
          .select(['event_id', 'type'])
          .where('event_id', 'in', eventIds.slice(i, i + 500))
          .execute();
        for (const r of rows) out.set(r.event_id, r.type);
      }
      return out;
    },

    /** Ids of events with feedback, in id order, after `afterId` (a golden set, paged). */
    async feedbackEventIds(afterId: string | null, limit: number): Promise<string[]> {
      const rows = await db
        .selectFrom('event_feedback')
        .select('event_id')
        .$if(afterId !== null, (q) => q.where('event_id', '>', afterId!))
        .orderBy('event_id')
        .limit(limit)
        .execute();
      return rows.map((r) => r.event_id);
    },

    async countFeedback(): Promise<number> {
      const r = await db
        .selectFrom('event_feedback')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    /** A camera's events that started before a time, newest first (a prompt's context). */
    async recentForCamera(cameraId: string, before: string, limit: number) {
      const rows = await db
        .selectFrom('events')
        .select(['id', 'started_at', 'risk_score', 'risk_level', 'object_classes', 'summary'])
        .where('camera_id', '=', cameraId)
        .where('started_at', '<', before)
        .orderBy('started_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        startedAt: r.started_at,
        riskScore: r.risk_score,
        riskLevel: r.risk_level,
        objectClasses: objectClassesOf(r.object_classes),
        summary: r.summary,
      }));
    },

    /** Feedback counted by type, by its event's camera and by each class in the event. */
    async feedbackStats(range: { from?: string; to?: string }): Promise<FeedbackStats> {
      const rows = await db
        .selectFrom('event_feedback as f')
        .innerJoin('events as e', 'e.id', 'f.event_id')
        .select(['f.type', 'e.camera_id', 'e.object_classes'])
        .$if(range.from !== undefined, (q) => q.where('f.created_at', '>=', range.from!))
        .$if(range.to !== undefined, (q) => q.where('f.created_at', '<', range.to!))
        .execute();
      const stats: FeedbackStats = {
        total: rows.length,
        byType: Object.fromEntries(FEEDBACK_TYPES.map((t) => [t, 0])) as FeedbackStats['byType'],
        byCamera: {},
        byClass: {},
      };
      for (const r of rows) {
        stats.byType[r.type] += 1;
        stats.byCamera[r.camera_id] = (stats.byCamera[r.camera_id] ?? 0) + 1;
        for (const c of new Set(objectClassesOf(r.object_classes))) {
          stats.byClass[c] = (stats.byClass[c] ?? 0) + 1;
        }
      }
      return stats;
    },
  };
  return repo;
}

export type EventRepository = ReturnType<typeof eventRepository>;
