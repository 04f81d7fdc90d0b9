import type { Kysely, Selectable, SqlBool } from 'kysely';
import { sql } from 'kysely';
import type { ChannelParsedInput, Page } from '../../src-shared/contract';
import type { BBox, Detection } from '../../src-shared/domain';
import type { DB, DetectionsTable } from '../db/schema';

type Row = Selectable<DetectionsTable> & { event_id: string | null };

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
  };
}

function encodeCursor(r: { detected_at: string; id: string }): string {
  return Buffer.from(JSON.stringify([r.detected_at, r.id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] | undefined {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string') {
      return [v[0], v[1]];
    }
  } catch {
    // fall through
  }
  return undefined;
}

export function detectionRepository(db: Kysely<DB>) {
  const base = () =>
    db
      .selectFrom('detections as d')
      .leftJoin('event_detections as ed', 'ed.detection_id', 'd.id')
      .selectAll('d')
      .select('ed.event_id');

  return {
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

    /** Newest first, keyset-paginated on (detected_at, id). Undefined for a bad cursor. */
    async list(f: ChannelParsedInput<'detections.list'>): Promise<Page<Detection> | undefined> {
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
        const c = decodeCursor(f.cursor);
        if (!c) return undefined;
        q = q.where(sql<SqlBool>`(d.detected_at, d.id) < (${c[0]}, ${c[1]})`);
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
        nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
      };
    },
  };
}

export type DetectionRepository = ReturnType<typeof detectionRepository>;
