import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/** ZIP exports may leave the snapshot images out (large archives, or the data alone). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE export_jobs ADD COLUMN include_images INTEGER NOT NULL DEFAULT 1`.execute(
    db,
  );
}
