import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Debug recordings say how a call came (`transport`), how it failed (`code`), whether its
 * output was cut (`truncated`), and which call a replay re-ran (`replay_of`, a correlation id).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE debug_recordings ADD COLUMN transport TEXT`.execute(db);
  await sql`ALTER TABLE debug_recordings ADD COLUMN code TEXT`.execute(db);
  await sql`ALTER TABLE debug_recordings ADD COLUMN truncated INTEGER NOT NULL DEFAULT 0`.execute(
    db,
  );
  await sql`ALTER TABLE debug_recordings ADD COLUMN replay_of TEXT`.execute(db);
}
