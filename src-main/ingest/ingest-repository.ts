import fs from 'node:fs';
import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { QuarantinedFile } from '../../src-shared/domain';
import type { PurgeChunk, PurgeRequest } from '../db/purge';
import { deleteRowids, detectionKept, dueRows } from '../db/purge';
import type { DB, IngestQueueTable } from '../db/schema';
import type { DetectionRepository, NewDetectionRow } from '../detections';

export type IngestRow = Selectable<IngestQueueTable>;
export type IngestSource = IngestRow['source'];

export interface NewIngestItem {
  cameraId: string;
  path: string;
  size: number;
  mtimeMs: number;
  source: IngestSource;
  enqueuedAt: string;
  /** Recorded as already quarantined (never visible to the pipeline) with this reason. */
  quarantineReason?: string;
  correlationId: string;
}

/** A processed image: its size, content hash and detections, stored at once. */
export interface ProcessedImage {
  sha256: string;
  width: number;
  height: number;
  detections: NewDetectionRow[];
  now: string;
}

/**
 * The persisted ingest queue (which doubles as the catalogue of received images) and the
 * content hashes used to skip duplicates: `ingest_queue` and `dedupe_hashes`.
 */
export function ingestRepository(db: Kysely<DB>, d: { detections: DetectionRepository }) {
  return {
    /**
     * Retention: finished snapshots due that no kept detection points at, with their files
     * (a file another row still names stays).
     */
    async purge(req: PurgeRequest): Promise<PurgeChunk & { files: string[] }> {
      const { rows, next } = await dueRows(
        db,
        'ingest_queue',
        'enqueued_at',
        req,
        sql`t.status NOT IN ('queued', 'processing') AND NOT EXISTS (
          SELECT 1 FROM detections d WHERE d.image_id = t.id AND ${detectionKept('d', req.before)})`,
        ['path', 'quarantine_path'],
      );
      const rowids = rows.map((r) => r.rowid);
      const paths = [...new Set(rows.map((r) => r.path as string))];
      const shared = paths.length
        ? await db
            .selectFrom('ingest_queue')
            .select('path')
            .where('path', 'in', paths)
            .where('id', 'not in', rowids)
            .execute()
        : [];
      const stays = new Set(shared.map((r) => r.path));
      const files = new Set<string>();
      for (const r of rows) {
        if (!stays.has(r.path as string)) files.add(r.path as string);
        if (r.quarantine_path) files.add(r.quarantine_path as string);
      }
      if (!req.dryRun) await deleteRowids(db, 'ingest_queue', rowids);
      return { count: rows.length, next, files: [...files] };
    },

    /**
     * Finished snapshots no detection points at, after `afterId` (orphan checks): the file
     * each should have (the quarantined copy for quarantined ones).
     */
    async unreferencedPage(
      afterId: number,
      limit: number,
      since: string,
    ): Promise<{ id: number; path: string }[]> {
      const { rows } = await sql<{ id: number; path: string }>`
        SELECT q.id AS id, coalesce(q.quarantine_path, q.path) AS path FROM ingest_queue q
        WHERE q.id > ${afterId} AND q.enqueued_at >= ${since}
          AND q.status IN ('done', 'duplicate', 'failed', 'quarantined')
          AND NOT EXISTS (SELECT 1 FROM detections d WHERE d.image_id = q.id)
        ORDER BY q.id LIMIT ${limit}`.execute(db);
      return rows;
    },

    /**
     * Deletes up to `limit` of a camera's snapshot rows (the camera is being deleted, a chunk
     * at a time; its files stay where they are); how many went.
     */
    async deleteForCamera(cameraId: string, limit: number): Promise<number> {
      const r = await sql`DELETE FROM ingest_queue WHERE id IN
        (SELECT id FROM ingest_queue WHERE camera_id = ${cameraId} LIMIT ${limit})`.execute(db);
      return Number(r.numAffectedRows ?? 0);
    },

    /** Deletes up to `limit` of a camera's content hashes (the camera is being deleted). */
    async deleteHashesForCamera(cameraId: string, limit: number): Promise<number> {
      const r = await sql`DELETE FROM dedupe_hashes WHERE rowid IN
        (SELECT rowid FROM dedupe_hashes WHERE camera_id = ${cameraId} LIMIT ${limit})`.execute(db);
      return Number(r.numAffectedRows ?? 0);
    },

    async deleteImages(ids: number[]): Promise<void> {
      await deleteRowids(db, 'ingest_queue', ids);
    },

    /** Which of these quarantined copies a row still names. */
    async knownQuarantinePaths(paths: string[]): Promise<Set<string>> {
      if (!paths.length) return new Set();
      const rows = await db
        .selectFrom('ingest_queue')
        .select('quarantine_path')
        .where('quarantine_path', 'in', paths)
        .execute();
      return new Set(rows.map((r) => r.quarantine_path!));
    },

    /** True when this exact file (path, size, mtime) was already taken in. */
    async isKnown(path: string, size: number, mtimeMs: number): Promise<boolean> {
      const row = await db
        .selectFrom('ingest_queue')
        .select('id')
        .where('path', '=', path)
        .where('size', '=', size)
        .where('mtime_ms', '=', mtimeMs)
        .executeTakeFirst();
      return row !== undefined;
    },

    async enqueue(item: NewIngestItem): Promise<number> {
      const row = await db
        .insertInto('ingest_queue')
        .values({
          camera_id: item.cameraId,
          path: item.path,
          size: item.size,
          mtime_ms: item.mtimeMs,
          source: item.source,
          enqueued_at: item.enqueuedAt,
          correlation_id: item.correlationId,
          ...(item.quarantineReason !== undefined && {
            status: 'quarantined' as const,
            error: item.quarantineReason,
            finished_at: item.enqueuedAt,
          }),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },

    /** Takes the oldest queued item and marks it processing, atomically. */
    async claimNext(now: string): Promise<IngestRow | undefined> {
      return db
        .updateTable('ingest_queue')
        .set((eb) => ({ status: 'processing', started_at: now, attempts: eb('attempts', '+', 1) }))
        .where(
          'id',
          '=',
          db
            .selectFrom('ingest_queue')
            .select('id')
            .where('status', '=', 'queued')
            .orderBy('id')
            .limit(1),
        )
        .returningAll()
        .executeTakeFirst();
    },

    /** After a crash, work that was in flight goes back to the queue. */
    async requeueInFlight(): Promise<number> {
      const r = await db
        .updateTable('ingest_queue')
        .set({ status: 'queued', started_at: null })
        .where('status', '=', 'processing')
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    async finish(
      id: number,
      status: 'failed' | 'quarantined' | 'duplicate' | 'queued',
      fields: { error?: string; quarantinePath?: string; sha256?: string; now: string },
    ): Promise<void> {
      await db
        .updateTable('ingest_queue')
        .set({
          status,
          error: fields.error ?? null,
          quarantine_path: fields.quarantinePath ?? null,
          ...(fields.sha256 !== undefined && { sha256: fields.sha256 }),
          finished_at: status === 'queued' ? null : fields.now,
        })
        .where('id', '=', id)
        .execute();
    },

    /**
     * Detections, the image's size and status, and the dedupe hash: one transaction, so a
     * crash never leaves an image half stored (it is processed again from the queue).
     */
    async complete(row: IngestRow, image: ProcessedImage): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await d.detections.insertMany(image.detections, trx);
        await trx
          .updateTable('ingest_queue')
          .set({
            status: 'done',
            sha256: image.sha256,
            width: image.width,
            height: image.height,
            error: null,
            finished_at: image.now,
          })
          .where('id', '=', row.id)
          .execute();
        await trx
          .insertInto('dedupe_hashes')
          .values({ sha256: image.sha256, camera_id: row.camera_id, seen_at: image.now })
          .onConflict((oc) =>
            oc.columns(['sha256', 'camera_id']).doUpdateSet({ seen_at: image.now }),
          )
          .execute();
      });
    },

    /** Where a processed image's file is, if it is still on disk. */
    async existingPath(id: number): Promise<string | undefined> {
      const row = await db
        .selectFrom('ingest_queue')
        .select('path')
        .where('id', '=', id)
        .executeTakeFirst();
      return row && fs.existsSync(row.path) ? row.path : undefined;
    },

    async counts(): Promise<Record<IngestRow['status'], number>> {
      const rows = await db
        .selectFrom('ingest_queue')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('status')
        .execute();
      const out = { queued: 0, processing: 0, done: 0, failed: 0, quarantined: 0, duplicate: 0 };
      for (const r of rows) out[r.status] = Number(r.n);
      return out;
    },

    async queueDepth(): Promise<number> {
      const r = await db
        .selectFrom('ingest_queue')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'queued')
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async finishedSince(since: string): Promise<number> {
      const r = await db
        .selectFrom('ingest_queue')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'done')
        .where('finished_at', '>=', since)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async quarantined(cameraId: string | undefined, limit: number): Promise<QuarantinedFile[]> {
      let q = db
        .selectFrom('ingest_queue')
        .select(['id', 'camera_id', 'path', 'quarantine_path', 'error', 'finished_at'])
        .where('status', '=', 'quarantined')
        .orderBy('id', 'desc')
        .limit(limit);
      if (cameraId) q = q.where('camera_id', '=', cameraId);
      const rows = await q.execute();
      return rows.map((r) => ({
        id: r.id,
        cameraId: r.camera_id,
        path: r.path,
        quarantinePath: r.quarantine_path,
        reason: r.error ?? 'unknown',
        at: r.finished_at ?? '',
      }));
    },

    async get(id: number): Promise<IngestRow | undefined> {
      return db.selectFrom('ingest_queue').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** Whether this content was seen for the camera within the window. */
    async seenRecently(sha256: string, cameraId: string, since: string): Promise<boolean> {
      const row = await db
        .selectFrom('dedupe_hashes')
        .select('seen_at')
        .where('sha256', '=', sha256)
        .where('camera_id', '=', cameraId)
        .where('seen_at', '>=', since)
        .executeTakeFirst();
      return row !== undefined;
    },

    async pruneHashes(before: string): Promise<void> {
      await db.deleteFrom('dedupe_hashes').where('seen_at', '<', before).execute();
    },

    /**
     * The latest processed image of each of these cameras: one step down the
     * (camera_id, status, id) index per camera, instead of grouping every image.
     */
    async latestImages(cameraIds: string[]): Promise<IngestRow[]> {
      if (cameraIds.length === 0) return [];
      const latest = cameraIds.map(
        (id) => sql`(SELECT max(id) FROM ingest_queue WHERE camera_id = ${id} AND status = 'done')`,
      );
      const rows = await sql<IngestRow>`
        SELECT * FROM ingest_queue WHERE id IN (${sql.join(latest)})`.execute(db);
      return rows.rows;
    },
  };
}

export type IngestRepository = ReturnType<typeof ingestRepository>;
