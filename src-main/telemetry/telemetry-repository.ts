import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { MachineSample } from '../../src-shared/telemetry';
import type { DB, GpuStatsTable } from '../db/schema';

const DAY_MS = 86_400_000;

function toSample(r: Selectable<GpuStatsTable>): MachineSample {
  return {
    at: r.at,
    device: r.device,
    resolution: r.resolution,
    samples: r.samples,
    utilization: r.utilization,
    memoryUsedMb: r.memory_used_mb,
    memoryTotalMb: r.memory_total_mb,
    temperatureC: r.temperature_c,
    powerW: r.power_w,
    cpuPercent: r.cpu_percent,
    rssMb: r.rss_mb,
    inferenceMs: r.inference_ms,
    inferences: r.inferences,
    queueDepth: r.queue_depth,
  };
}

export type NewSample = Omit<MachineSample, 'resolution' | 'samples'>;

/** `gpu_stats` (machine samples) and the windows the per-stage latencies are read from. */
export function telemetryRepository(db: Kysely<DB>) {
  return {
    async insertSamples(samples: NewSample[]): Promise<void> {
      if (!samples.length) return;
      await db
        .insertInto('gpu_stats')
        .values(
          samples.map((s) => ({
            at: s.at,
            device: s.device,
            utilization: s.utilization,
            memory_used_mb: s.memoryUsedMb,
            memory_total_mb: s.memoryTotalMb,
            temperature_c: s.temperatureC,
            power_w: s.powerW,
            cpu_percent: s.cpuPercent,
            rss_mb: s.rssMb,
            inference_ms: s.inferenceMs,
            inferences: s.inferences,
            queue_depth: s.queueDepth,
          })),
        )
        .execute();
    },

    /**
     * Raw samples older than a day become one row per minute and device (averages; counts of
     * inferences summed), in one transaction; minute rows older than 30 days go.
     */
    async downsample(now: number): Promise<{ folded: number; removed: number }> {
      const rawBefore = new Date(now - DAY_MS).toISOString();
      const minuteBefore = new Date(now - 30 * DAY_MS).toISOString();
      return db.transaction().execute(async (trx) => {
        await sql`
          INSERT INTO gpu_stats (at, device, resolution, samples, utilization, memory_used_mb,
            memory_total_mb, temperature_c, power_w, cpu_percent, rss_mb, inference_ms, inferences,
            queue_depth)
          SELECT substr(at, 1, 16) || ':00.000Z', device, 'minute', count(*), avg(utilization),
            avg(memory_used_mb), avg(memory_total_mb), avg(temperature_c), avg(power_w),
            avg(cpu_percent), avg(rss_mb),
            sum(inference_ms * inferences) / nullif(sum(CASE WHEN inference_ms IS NULL THEN 0 ELSE inferences END), 0),
            sum(inferences), avg(queue_depth)
          FROM gpu_stats WHERE resolution = 'raw' AND at < ${rawBefore}
          GROUP BY substr(at, 1, 16), device`.execute(trx);
        const folded = await trx
          .deleteFrom('gpu_stats')
          .where('resolution', '=', 'raw')
          .where('at', '<', rawBefore)
          .executeTakeFirst();
        const removed = await trx
          .deleteFrom('gpu_stats')
          .where('resolution', '=', 'minute')
          .where('at', '<', minuteBefore)
          .executeTakeFirst();
        return { folded: Number(folded.numDeletedRows), removed: Number(removed.numDeletedRows) };
      });
    },

    async samples(
      from: string,
      to: string,
      resolution?: 'raw' | 'minute',
    ): Promise<MachineSample[]> {
      const rows = await db
        .selectFrom('gpu_stats')
        .selectAll()
        .where('resolution', 'in', resolution ? [resolution] : ['raw', 'minute'])
        .where('at', '>=', from)
        .where('at', '<=', to)
        .orderBy('at')
        .orderBy('device')
        .limit(50_000)
        .execute();
      return rows.map(toSample);
    },

    /** Each stage's durations (ms) for work that finished in the window. */
    async stageDurations(since: string) {
      const q = async (query: ReturnType<typeof sql<{ ms: number | null }>>) =>
        (await query.execute(db)).rows.flatMap((r) => (r.ms === null || r.ms < 0 ? [] : [r.ms]));
      const ms = (a: string, b: string) =>
        sql.raw(`(unixepoch(${b}, 'subsec') - unixepoch(${a}, 'subsec')) * 1000.0`);
      return {
        arrival_to_detected: await q(sql<{ ms: number | null }>`
          SELECT ${ms('enqueued_at', 'finished_at')} AS ms FROM ingest_queue
          WHERE status = 'done' AND finished_at >= ${since}`),
        detected_to_event: await q(sql<{ ms: number | null }>`
          SELECT ${ms('ended_at', 'created_at')} AS ms FROM events WHERE started_at >= ${since}`),
        event_to_alert: await q(sql<{ ms: number | null }>`
          SELECT ${ms('e.created_at', 'a.created_at')} AS ms FROM alerts a
          JOIN events e ON e.id = a.event_id WHERE a.created_at >= ${since}`),
        alert_to_delivered: await q(sql<{ ms: number | null }>`
          SELECT ${ms('a.created_at', 'd.sent_at')} AS ms FROM deliveries d
          JOIN alerts a ON a.id = d.alert_id WHERE d.sent_at >= ${since}`),
      };
    },
  };
}

export type TelemetryRepository = ReturnType<typeof telemetryRepository>;
