import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Indexes by camera on the two tables that cascade from `cameras` without one: deleting a
 * camera row made SQLite read all of `batches` and `dedupe_hashes` to find the rows its
 * foreign keys remove (found by tests/reliability/integrity.test.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of [
    `CREATE INDEX batches_camera ON batches (camera_id)`,
    `CREATE INDEX dedupe_hashes_camera ON dedupe_hashes (camera_id)`,
  ]) {
    await sql.raw(s).execute(db);
  }
}
