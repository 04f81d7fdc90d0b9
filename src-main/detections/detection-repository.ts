import type { Insertable, Kysely, Selectable, SqlBool } from 'kysely';
import { sql } from 'kysely';
import type { ChannelParsedInput, Page } from '../../src-shared/contract';
import type { BBox, Detection } from '../../src-shared/domain';
import { decodeCursor, encodeCursor } from '../common/cursor';
import type { PurgeChunk, PurgeRequest } from '../db/purge';
import { eventKept, purgeOlder } from '../db/purge';
import type { DB, DetectionsTable } from '../db/schema';

type Row = Selectable<DetectionsTable> & { event_id: string | null };
export type NewDetectionRow = Insertable<DetectionsTable>;

function toDetection(r: Row): Detection {
  return {
    id: r.id,
    eventId: r.event_id,
    cameraId: r.camera_id,
    imageId: r.image_id ?? 0,
    imagePath: r.image_path,
    imageWidth: r.image_width ?? 0,
    imageHeight: r.image_height ?? 0,
    detectedAt: r.detected_at,
    objectClass: r.object_class,
    confidence: r.confidence,
    bbox: [r.x1, r.y1, r.x2, r.y2] as BBox,
    stationary: r.stationary === 1,
    suppressed: r.suppressed === 1,
  };
}

/** The `detections` table: what the detector found, one row per object per image. */
export function detectionRepository(db: Kysely<DB>) {
  const base = () =>
    db
      .selectFrom('detections as d')
      .leftJoin('event_detections as ed', 'ed.detection_id', 'd.id')
      .selectAll('d')
      .select('ed.event_id');

  const repo = {
    /** Retention: detections due that no kept event holds. */
    purge(req: PurgeRequest): Promise<PurgeChunk> {
      return purgeOlder(
        db,
        'detections',
        'detected_at',
        req,
        sql`NOT EXISTS (SELECT 1 FROM event_detections ed JOIN events e ON e.id = ed.event_id
          WHERE ed.detection_id = t.id AND ${eventKept('e', req.before)})`,
      );
    },

    /**
     * Deletes up to `limit` of a camera's detections (the camera is being deleted, a chunk at
     * a time; their links to events cascade); how many went.
     */
    async deleteForCamera(cameraId: string, limit: number): Promise<number> {
      const r = await sql`DELETE FROM detections WHERE rowid IN
        (SELECT rowid FROM detections WHERE camera_id = ${cameraId} LIMIT ${limit})`.execute(db);
      return Number(r.numAffectedRows ?? 0);
    },

    /** Stores one image's detections; `tx` joins the caller's transaction (the pipeline's). */
    async insertMany(rows: NewDetectionRow[], tx: Kysely<DB> = db): Promise<void> {
      if (rows.length) await tx.insertInto('detections').values(rows).execute();
    },

    async forImage(imageId: number): Promise<Detection[]> {
      const rows = await base()
        .where('d.image_id', '=', imageId)
        .orderBy('d.confidence', 'desc')
        .execute();
      return rows.map(toDetection);
    },

    async get(id: string): Promise<Detection | undefined> {
      const row = await base().where('d.id', '=', id).executeTakeFirst();
      return row && toDetection(row);
    },

    /** Several detections, oldest first. */
    async byIds(ids: string[]): Promise<Detection[]> {
      if (!ids.length) return [];
      const rows = await base().where('d.id', 'in', ids).orderBy('d.detected_at').execute();
      return rows.map(toDetection);
    },

    /**
     * A camera's detections of these classes in [since, until) (not those ignored): what a new
     * one may repeat.
     */
    async recent(
      cameraId: string,
      classes: string[],
      since: string,
      until: string,
    ): Promise<{ objectClass: string; x1: number; y1: number; x2: number; y2: number }[]> {
      return db
        .selectFrom('detections')
        .select(['object_class as objectClass', 'x1', 'y1', 'x2', 'y2'])
        .where('camera_id', '=', cameraId)
        .where('detected_at', '>=', since)
        .where('detected_at', '<', until)
        .where('object_class', 'in', classes)
        .where('suppressed', '=', 0)
        .execute();
    },

    async markStationary(ids: string[]): Promise<void> {
      if (!ids.length) return;
      await db.updateTable('detections').set({ stationary: 1 }).where('id', 'in', ids).execute();
    },

    /** Marks detections inside an ignore zone (kept and shown, never batched). */
    async markSuppressed(ids: string[]): Promise<void> {
      if (ids.length === 0) return;
      await db.updateTable('detections').set({ suppressed: 1 }).where('id', 'in', ids).execute();
    },

    /** Newest first, keyset-paginated on (detected_at, id). */
    async list(f: ChannelParsedInput<'detections.list'>): Promise<Page<Detection>> {
      const limit = f.limit ?? 100;
      let q = base();
      if (f.eventId) q = q.where('ed.event_id', '=', f.eventId);
      if (f.cameraId) q = q.where('d.camera_id', '=', f.cameraId);
      if (f.imageId) q = q.where('d.image_id', '=', f.imageId);
      if (f.objectClasses?.length) q = q.where('d.object_class', 'in', f.objectClasses);
      if (f.minConfidence !== undefined) q = q.where('d.confidence', '>=', f.minConfidence);
      if (f.from) q = q.where('d.detected_at', '>=', new Date(f.from).toISOString());
      if (f.to) q = q.where('d.detected_at', '<', new Date(f.to).toISOString());
      if (f.cursor) {
        const [at, id] = decodeCursor(f.cursor);
        q = q.where(sql<SqlBool>`(d.detected_at, d.id) < (${at}, ${id})`);
      }
      const rows = await q
        .orderBy('d.detected_at', 'desc')
        .orderBy('d.id', 'desc')
        .limit(limit + 1)
        .execute();
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return {
        items: items.map(toDetection),
        nextCursor: rows.length > limit && last ? encodeCursor(last.detected_at, last.id) : null,
      };
    },

    /** An event's detections (at most 500), newest first. */
    async forEvent(eventId: string): Promise<Detection[]> {
      return (await repo.list({ eventId, limit: 500 })).items;
    },

    /** The detections of several events in one query, by event id (none: an empty list). */
    async forEvents(eventIds: readonly string[]): Promise<Map<string, Detection[]>> {
      const out = new Map<string, Detection[]>(eventIds.map((id) => [id, []]));
      for (let i = 0; i < eventIds.length; i += 500) {
        const rows = await base()
          .where('ed.event_id', 'in', eventIds.slice(i, i + 500))
          .orderBy('d.detected_at')
          .execute();
        for (const r of rows) out.get(r.event_id!)?.push(toDetection(r));
      }
      return out;
    },
  };
  return repo;
}

export type DetectionRepository = ReturnType<typeof detectionRepository>;
