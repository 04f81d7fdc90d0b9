import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/** Quiet hours are evaluated in a time zone of the user's choosing (default: the machine's). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE quiet_hours ADD COLUMN timezone TEXT`.execute(db);
  await sql`CREATE INDEX deliveries_digest ON deliveries (channel_id, status, digest_of)`.execute(
    db,
  );
}
