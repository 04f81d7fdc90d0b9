import type { Kysely, RawBuilder } from 'kysely';
import { sql } from 'kysely';
import type { DB } from './schema';

/** One chunk of a retention run over one table. */
export interface PurgeRequest {
  /** Rows older than this (ISO time) are due. */
  before: string;
  /** Where the previous chunk ended (`PurgeChunk.next`), or null to begin. */
  after: string | null;
  limit: number;
  /** Count what would go, delete nothing. */
  dryRun: boolean;
}

export interface PurgeChunk {
  /** Rows deleted (or, in a dry run, that would be). */
  count: number;
  /** Where the next chunk starts; null when this was the last. */
  next: string | null;
}

/** A due row: its rowid and the columns asked for. */
export type DueRow = { rowid: number; at: string } & Record<string, unknown>;

/**
 * The next chunk of rows of `table` older than `before` by `timeColumn`, in (time, rowid)
 * order after `after`. `qualifies` (SQL over alias `t`) keeps rows that must stay out;
 * `columns` are returned with each row (for owners that clean up files after them).
 */
export async function dueRows(
  db: Kysely<DB>,
  table: keyof DB,
  timeColumn: string,
  req: PurgeRequest,
  qualifies: RawBuilder<unknown> = sql`1`,
  columns: string[] = [],
): Promise<{ rows: DueRow[]; next: string | null }> {
  // '' sorts before every time: the first chunk starts at the beginning.
  const [afterAt, afterRowid] = req.after ? splitKey(req.after) : ['', 0];
  const t = sql.table(table);
  const at = sql.ref(`t.${timeColumn}`);
  const extra = columns.map((c) => sql`, ${sql.ref(`t.${c}`)} AS ${sql.id(c)}`);
  const { rows } = await sql<DueRow>`
    SELECT t.rowid AS rowid, ${at} AS at ${sql.join(extra, sql``)} FROM ${t} AS t
    WHERE ${at} < ${req.before} AND ${at} >= ${afterAt}
      AND (${at} > ${afterAt} OR t.rowid > ${afterRowid})
      AND ${qualifies}
    ORDER BY ${at}, t.rowid
    LIMIT ${req.limit}`.execute(db);
  const last = rows.at(-1);
  return { rows, next: rows.length < req.limit || !last ? null : `${last.at}|${last.rowid}` };
}

export async function deleteRowids(
  db: Kysely<DB>,
  table: keyof DB,
  rowids: number[],
): Promise<void> {
  if (!rowids.length) return;
  await sql`DELETE FROM ${sql.table(table)} WHERE rowid IN (${sql.join(rowids)})`.execute(db);
}

/** `dueRows`, then (unless a dry run) deleted. */
export async function purgeOlder(
  db: Kysely<DB>,
  table: keyof DB,
  timeColumn: string,
  req: PurgeRequest,
  qualifies?: RawBuilder<unknown>,
): Promise<PurgeChunk> {
  const { rows, next } = await dueRows(db, table, timeColumn, req, qualifies);
  if (!req.dryRun)
    await deleteRowids(
      db,
      table,
      rows.map((r) => r.rowid),
    );
  return { count: rows.length, next };
}

function splitKey(key: string): [string, number] {
  const bar = key.lastIndexOf('|');
  return [key.slice(0, bar), Number(key.slice(bar + 1))];
}

/** An event retention keeps (alias `e`): not due yet, or an active alert points at it. */
export function eventKept(e: string, before: string): RawBuilder<unknown> {
  return sql`(${sql.ref(`${e}.started_at`)} >= ${before} OR EXISTS (
    SELECT 1 FROM alerts a WHERE a.event_id = ${sql.ref(`${e}.id`)} AND a.status = 'active'))`;
}

/** A detection retention keeps (alias `d`): not due yet, or part of an event it keeps. */
export function detectionKept(d: string, before: string): RawBuilder<unknown> {
  return sql`(${sql.ref(`${d}.detected_at`)} >= ${before} OR EXISTS (
    SELECT 1 FROM event_detections ed JOIN events e ON e.id = ed.event_id
    WHERE ed.detection_id = ${sql.ref(`${d}.id`)} AND ${eventKept('e', before)}))`;
}
