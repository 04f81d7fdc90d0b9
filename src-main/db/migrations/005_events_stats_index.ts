import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Counts by risk level and camera over a time range (events.stats, the dashboard) read this
 * index alone instead of one table row per event.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX events_started_level_camera ON events (started_at, risk_level, camera_id)`.execute(
    db,
  );
}
