import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../db/schema';
import type { Logger } from '../system';
import { isStringList, jsonReader } from '../system';

/** A batch as stored: open (collecting), closing (being scored) or closed (its event exists). */
export interface BatchRecord {
  id: string;
  cameraId: string;
  status: 'open' | 'closing' | 'closed';
  openedAt: string;
  lastDetectionAt: string;
  detectionIds: string[];
  isFastPath: boolean;
  correlationId: string | null;
}

/** The `batches` table: per-camera groups of detections on their way to becoming one event. */
export function batchRepository(
  db: Kysely<DB>,
  d: { /** Told about corrupt values. */ logger?: Logger } = {},
) {
  // A corrupt list reads as empty (the batch closes without an event); the others resume.
  const json = jsonReader('batches', d.logger);
  const detectionIds = (id: string, text: string) =>
    json<string[]>(text, 'detection_ids', id, [], isStringList);
  return {
    /** Batches not finished when the app last stopped. */
    async unfinished(): Promise<BatchRecord[]> {
      const rows = await db
        .selectFrom('batches')
        .selectAll()
        .where('status', 'in', ['open', 'closing'])
        .execute();
      return rows.map((r) => ({
        id: r.id,
        cameraId: r.camera_id,
        status: r.status,
        openedAt: r.opened_at,
        lastDetectionAt: r.last_detection_at,
        detectionIds: detectionIds(r.id, r.detection_ids),
        isFastPath: r.is_fast_path === 1,
        correlationId: r.correlation_id,
      }));
    },

    async open(b: { id: string; cameraId: string; at: string; correlationId: string | null }) {
      await db
        .insertInto('batches')
        .values({
          id: b.id,
          camera_id: b.cameraId,
          opened_at: b.at,
          last_detection_at: b.at,
          detection_ids: '[]',
          correlation_id: b.correlationId,
        })
        .execute();
    },

    async setDetections(id: string, detectionIds: string[], lastDetectionAt: string) {
      await db
        .updateTable('batches')
        .set({ detection_ids: JSON.stringify(detectionIds), last_detection_at: lastDetectionAt })
        .where('id', '=', id)
        .execute();
    },

    /** Claimed for scoring: a restart finishes it instead of collecting into it. */
    async setClosing(id: string, isFastPath: boolean) {
      await db
        .updateTable('batches')
        .set({ status: 'closing', is_fast_path: isFastPath ? 1 : 0 })
        .where('id', '=', id)
        .execute();
    },

    /**
     * Deletes up to `limit` of a camera's batches (the camera is being deleted, a chunk at a
     * time); how many went. The status list lets the (status, camera_id) index find them.
     */
    async deleteForCamera(cameraId: string, limit: number): Promise<number> {
      const r = await sql`DELETE FROM batches WHERE id IN (SELECT id FROM batches
        WHERE status IN ('open', 'closing', 'closed') AND camera_id = ${cameraId}
        LIMIT ${limit})`.execute(db);
      return Number(r.numAffectedRows ?? 0);
    },

    /** Its event exists (or it had nothing to score); `tx` joins the event's transaction. */
    async markClosed(id: string, at: string | null, tx: Kysely<DB> = db) {
      await tx
        .updateTable('batches')
        .set({ status: 'closed', ...(at !== null && { closed_at: at }) })
        .where('id', '=', id)
        .execute();
    },
  };
}

export type BatchRepository = ReturnType<typeof batchRepository>;
