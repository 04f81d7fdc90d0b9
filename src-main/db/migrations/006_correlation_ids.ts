import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Each ingested image gets a correlation id that follows it to the batch it opens, the event,
 * its alerts and their deliveries, so one id finds the whole story in the logs, also across
 * a restart. Rows written before this have none.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['ingest_queue', 'batches', 'events', 'alerts', 'deliveries']) {
    await sql`ALTER TABLE ${sql.table(table)} ADD COLUMN correlation_id TEXT`.execute(db);
  }
}
