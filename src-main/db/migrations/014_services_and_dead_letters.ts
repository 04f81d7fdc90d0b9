import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * The supervisor's memory of each service (`service_state`: disabled or not and why, failures
 * in a row, restarts), a job's history (`job_history`: every status change and its log lines)
 * and the items a job could not process (`job_dead_letters`, requeued or purged by hand).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of [
    `CREATE TABLE service_state (
      name TEXT PRIMARY KEY,
      enabled INTEGER NOT NULL DEFAULT 1,
      disabled_reason TEXT,
      failures INTEGER NOT NULL DEFAULT 0,
      restarts INTEGER NOT NULL DEFAULT 0,
      last_error TEXT,
      updated_at TEXT NOT NULL
    )`,
    `CREATE TABLE job_history (
      id INTEGER PRIMARY KEY,
      job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
      at TEXT NOT NULL,
      level TEXT NOT NULL,
      status TEXT,
      message TEXT NOT NULL
    )`,
    `CREATE INDEX job_history_job ON job_history (job_id, id)`,
    `CREATE TABLE job_dead_letters (
      id INTEGER PRIMARY KEY,
      job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
      kind TEXT NOT NULL,
      item TEXT NOT NULL,
      error TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 1,
      at TEXT NOT NULL
    )`,
    `CREATE INDEX job_dead_letters_job ON job_dead_letters (job_id, id)`,
    `CREATE INDEX jobs_created ON jobs (created_at, id)`,
  ]) {
    await sql.raw(s).execute(db);
  }
}
