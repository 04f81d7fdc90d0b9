import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Indexes for hot queries that read every delivery or export (found by
 * tests/reliability/query-plans.test.ts, which keeps them in use):
 * - `deliveries_digest_of`: the outbox looks for deliveries waiting for a digest on every poll
 *   (and reads a digest's alerts) — a walk of every delivery's index entry before; partial, so
 *   it holds only the few rows folded into digests;
 * - `deliveries_channel_created`: the hourly cap counts a channel's messages of the last hour
 *   for each new alert, inside the alert's transaction — every delivery the channel ever had
 *   before (20 ms at 100,000);
 * - `deliveries_created`: the notification log, newest first — a scan and sort of the table;
 * - `export_jobs_created`: the exports list, newest first — a scan and sort of the table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of [
    `CREATE INDEX deliveries_digest_of ON deliveries (digest_of, channel_id) WHERE digest_of IS NOT NULL`,
    `CREATE INDEX deliveries_channel_created ON deliveries (channel_id, created_at)`,
    `CREATE INDEX deliveries_created ON deliveries (created_at)`,
    `CREATE INDEX export_jobs_created ON export_jobs (created_at, id)`,
  ]) {
    await sql.raw(s).execute(db);
  }
}
