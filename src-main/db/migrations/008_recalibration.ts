import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Re-evaluation of stored events under a new calibration:
 * - `events.score_components`: what the score is made of before calibration (JSON: class →
 *   component), so a new calibration is arithmetic, not re-scoring; older rows have none
 *   and use their raw score for each class.
 * - `events.version`: bumped by every write, so a writer that read an event before awaiting
 *   something can tell it changed meanwhile and retry instead of overwriting.
 * - `alerts.resolved_reason`: why the app (not the homeowner) resolved an alert
 *   ('recalibrated'); null when the homeowner did.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE events ADD COLUMN score_components TEXT`.execute(db);
  await sql`ALTER TABLE events ADD COLUMN version INTEGER NOT NULL DEFAULT 0`.execute(db);
  await sql`ALTER TABLE alerts ADD COLUMN resolved_reason TEXT`.execute(db);
}
