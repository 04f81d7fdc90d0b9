import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Machine and inference samples (`gpu_stats`): raw every few seconds for a day, then folded
 * into one row per minute and device (`resolution = 'minute'`, `samples` = how many) kept for
 * 30 days; CPU and memory columns for machines without a GPU, and the detector's inference
 * count and queue depth over each sample. Indexes for the per-stage latency windows
 * (`system.telemetry`): images by when they finished, deliveries by when they were sent.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of [
    `ALTER TABLE gpu_stats ADD COLUMN resolution TEXT NOT NULL DEFAULT 'raw'`,
    `ALTER TABLE gpu_stats ADD COLUMN samples INTEGER NOT NULL DEFAULT 1`,
    `ALTER TABLE gpu_stats ADD COLUMN cpu_percent REAL`,
    `ALTER TABLE gpu_stats ADD COLUMN rss_mb REAL`,
    `ALTER TABLE gpu_stats ADD COLUMN inferences INTEGER`,
    `ALTER TABLE gpu_stats ADD COLUMN queue_depth INTEGER`,
    `DROP INDEX gpu_stats_at`,
    `CREATE INDEX gpu_stats_resolution_at ON gpu_stats (resolution, at)`,
    `CREATE INDEX ingest_queue_finished ON ingest_queue (finished_at) WHERE status = 'done'`,
    `CREATE INDEX deliveries_sent ON deliveries (sent_at) WHERE sent_at IS NOT NULL`,
  ]) {
    await sql.raw(s).execute(db);
  }
}
