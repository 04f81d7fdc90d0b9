import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { PipelineStage, StageStatus } from '../../src-shared/domain';
import type { DB } from '../db/schema';

/** The modules whose error logs belong to each stage. */
const STAGE_MODULES: Record<PipelineStage, string[]> = {
  intake: ['ingest', 'ingest-runtime', 'watcher', 'ftp'],
  detect: ['pipeline', 'detector'],
  aggregate: ['aggregator'],
  score: ['events'],
  alert: ['alerts'],
  outbox: ['outbox'],
  exports: ['exports'],
  jobs: ['jobs', 'recalibrate'],
};
const ERRORS_PER_STAGE = 5;

type Row = { n: number; oldest: string | null; recent: number | null };

/**
 * Read-only counts across the pipeline's tables for the debug panel (one statement per
 * table; the owning repositories still do every write).
 */
export function pipelineCounts(db: Kysely<DB>) {
  const one = async (query: ReturnType<typeof sql<Row>>) =>
    (await query.execute(db)).rows[0] ?? { n: 0, oldest: null, recent: null };
  /** A table of jobs (pending → running → finished): waiting, running, oldest, done lately. */
  const queue = async (table: 'export_jobs' | 'jobs', minuteAgo: string) =>
    (
      await sql<{ pending: number; running: number; oldest: string | null; recent: number }>`
        SELECT sum(status = 'pending') AS pending, sum(status = 'running') AS running,
          min(CASE WHEN status = 'pending' THEN created_at END) AS oldest,
          sum(finished_at >= ${minuteAgo}) AS recent
        FROM ${sql.table(table)}
        WHERE status IN ('pending', 'running') OR finished_at >= ${minuteAgo}`.execute(db)
    ).rows[0];
  return {
    async read(minuteAgo: string) {
      const intake = await sql<{
        queued: number;
        processing: number;
        oldest: string | null;
        recent: number;
      }>`SELECT
          sum(status = 'queued') AS queued, sum(status = 'processing') AS processing,
          min(CASE WHEN status = 'queued' THEN enqueued_at END) AS oldest,
          sum(finished_at >= ${minuteAgo}) AS recent
        FROM ingest_queue WHERE status IN ('queued', 'processing') OR finished_at >= ${minuteAgo}`.execute(
        db,
      );
      const closing = await one(sql<Row>`SELECT count(*) AS n, min(last_detection_at) AS oldest,
        (SELECT count(*) FROM events WHERE created_at >= ${minuteAgo}) AS recent
        FROM batches WHERE status = 'closing'`);
      const alerts = await one(sql<Row>`SELECT 0 AS n, NULL AS oldest, count(*) AS recent
        FROM alerts WHERE created_at >= ${minuteAgo}`);
      const outbox = await sql<{
        pending: number;
        sending: number;
        oldest: string | null;
        recent: number;
      }>`SELECT sum(status = 'pending') AS pending, sum(status = 'sending') AS sending,
          min(CASE WHEN status = 'pending' THEN created_at END) AS oldest,
          sum(sent_at >= ${minuteAgo}) AS recent
        FROM deliveries WHERE status IN ('pending', 'sending') OR sent_at >= ${minuteAgo}`.execute(
        db,
      );
      const exports = await queue('export_jobs', minuteAgo);
      const jobs = await queue('jobs', minuteAgo);
      return {
        intake: intake.rows[0],
        closing,
        alerts,
        outbox: outbox.rows[0],
        exports,
        jobs,
      };
    },

    /** The newest errors of each stage's modules, from the logs table. */
    async errors(): Promise<Record<PipelineStage, StageStatus['lastErrors']>> {
      const out = {} as Record<PipelineStage, StageStatus['lastErrors']>;
      for (const [stage, modules] of Object.entries(STAGE_MODULES) as [PipelineStage, string[]][]) {
        const rows = await db
          .selectFrom('logs')
          .select(['at', 'message', 'correlation_id'])
          .where('level', 'in', ['error', 'fatal'])
          .where('module', 'in', modules)
          .orderBy('at', 'desc')
          .limit(ERRORS_PER_STAGE)
          .execute();
        out[stage] = rows.map((r) => ({
          at: r.at,
          message: r.message,
          correlationId: r.correlation_id,
        }));
      }
      return out;
    },
  };
}

export type PipelineCounts = ReturnType<typeof pipelineCounts>;

/** What lives in memory, not in tables: open batches, events being scored, worker counts. */
export interface LivePipeline {
  openBatches: () => { detections: number; openedAt: string }[];
  scoring: () => number;
  workers: () => { decode: number; inference: number };
}

const ageSeconds = (iso: string | null | undefined, now: number) =>
  iso ? Math.max(0, Math.round((now - Date.parse(iso)) / 1000)) : null;

/** Every stage of the pipeline, from intake to exports and jobs. */
export async function pipelineStatus(
  counts: PipelineCounts,
  live: LivePipeline,
): Promise<StageStatus[]> {
  const now = Date.now();
  const c = await counts.read(new Date(now - 60_000).toISOString());
  const errors = await counts.errors();
  const n = (v: number | null | undefined) => Number(v ?? 0);
  const batches = live.openBatches();
  const oldestBatch = batches.map((b) => b.openedAt).sort()[0];
  const workers = live.workers();
  const stage = (
    name: PipelineStage,
    s: Omit<StageStatus, 'stage' | 'lastErrors'>,
  ): StageStatus => ({ stage: name, ...s, lastErrors: errors[name] });
  /** A stage that is a table of work items: pending, running, oldest pending, done lately. */
  const queued = (
    name: PipelineStage,
    q: { pending?: number; running?: number; oldest?: string | null; recent?: number } | undefined,
  ) =>
    stage(name, {
      queueDepth: n(q?.pending),
      inFlight: n(q?.running),
      workers: null,
      perMinute: n(q?.recent),
      oldestWaitingSeconds: ageSeconds(q?.oldest, now),
    });
  return [
    stage('intake', {
      queueDepth: n(c.intake?.queued),
      inFlight: 0,
      workers: null,
      perMinute: null,
      oldestWaitingSeconds: ageSeconds(c.intake?.oldest, now),
    }),
    stage('detect', {
      queueDepth: n(c.intake?.queued),
      inFlight: n(c.intake?.processing),
      workers: workers.decode + workers.inference,
      perMinute: n(c.intake?.recent),
      oldestWaitingSeconds: ageSeconds(c.intake?.oldest, now),
    }),
    stage('aggregate', {
      queueDepth: batches.reduce((a, b) => a + b.detections, 0),
      inFlight: batches.length,
      workers: null,
      perMinute: null,
      oldestWaitingSeconds: ageSeconds(oldestBatch, now),
    }),
    stage('score', {
      queueDepth: n(c.closing.n),
      inFlight: live.scoring(),
      workers: null,
      perMinute: n(c.closing.recent),
      oldestWaitingSeconds: ageSeconds(c.closing.oldest, now),
    }),
    stage('alert', {
      queueDepth: 0,
      inFlight: 0,
      workers: null,
      perMinute: n(c.alerts.recent),
      oldestWaitingSeconds: null,
    }),
    queued('outbox', { ...c.outbox, running: c.outbox?.sending }),
    queued('exports', c.exports),
    queued('jobs', c.jobs),
  ];
}
