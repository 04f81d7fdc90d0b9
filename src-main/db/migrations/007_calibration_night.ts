import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/** The calibration's optional night profile (JSON: window, time zone, thresholds, multipliers). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE calibration ADD COLUMN night_profile TEXT`.execute(db);
}
