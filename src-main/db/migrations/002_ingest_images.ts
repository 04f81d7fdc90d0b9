import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Ingest rows double as the image catalogue: their pixel size, and the link from each
 * detection to the image it came from. Indexes for "is this file already known" and
 * "latest image per camera".
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    `ALTER TABLE ingest_queue ADD COLUMN width INTEGER`,
    `ALTER TABLE ingest_queue ADD COLUMN height INTEGER`,
    `ALTER TABLE ingest_queue ADD COLUMN mtime_ms REAL`,
    `CREATE INDEX ingest_queue_path ON ingest_queue (path)`,
    `CREATE INDEX ingest_queue_camera_done ON ingest_queue (camera_id, status, id)`,
    `ALTER TABLE detections ADD COLUMN image_id INTEGER REFERENCES ingest_queue(id) ON DELETE SET NULL`,
    `CREATE INDEX detections_image ON detections (image_id)`,
  ]) {
    await sql.raw(statement).execute(db);
  }
}
