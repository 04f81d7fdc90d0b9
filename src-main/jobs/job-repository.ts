import type Database from 'better-sqlite3';
import type { Kysely, Selectable } from 'kysely';
import type { Job, JobStatus } from '../../src-shared/domain';
import { newId, nowIso } from '../common/ids';
import type { DB, JobsTable } from '../db/schema';

function toJob(r: Selectable<JobsTable>): Job {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    progress: r.progress,
    processed: r.processed,
    total: r.total,
    result: r.result ? (JSON.parse(r.result) as Record<string, number>) : null,
    error: r.error,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

/** A job's saved state: what it was asked (`params`) and where it got to (`cursor`). */
export interface JobState<P> {
  job: Job;
  params: P;
}

/**
 * The `jobs` table: background work that survives restarts. A job's progress (and its
 * cursor, inside `params`) is committed in the same transaction as the work it counts, so a
 * restart resumes after the last committed batch.
 */
export function jobRepository(db: Kysely<DB>, sqlite: Database.Database) {
  let advanceStmt: Database.Statement<[number, number, string, string, string, string]> | undefined;
  const repo = {
    async create<P>(kind: string, params: P, total: number): Promise<Job> {
      const now = nowIso();
      const row = await db
        .insertInto('jobs')
        .values({
          id: newId(),
          kind,
          params: JSON.stringify(params),
          total,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toJob(row);
    },

    async get(id: string): Promise<Job | undefined> {
      const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toJob(row);
    },

    async state<P>(id: string): Promise<JobState<P> | undefined> {
      const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
      return row && { job: toJob(row), params: JSON.parse(row.params) as P };
    },

    async list(f: { kind?: string; status?: JobStatus; limit?: number }): Promise<Job[]> {
      const rows = await db
        .selectFrom('jobs')
        .selectAll()
        .$if(f.kind !== undefined, (q) => q.where('kind', '=', f.kind!))
        .$if(f.status !== undefined, (q) => q.where('status', '=', f.status!))
        .orderBy('created_at', 'desc')
        .limit(f.limit ?? 50)
        .execute();
      return rows.map(toJob);
    },

    /** Pending or running jobs of a kind, oldest first (resumed at start). */
    async unfinished<P>(kind: string): Promise<JobState<P>[]> {
      const rows = await db
        .selectFrom('jobs')
        .selectAll()
        .where('kind', '=', kind)
        .where('status', 'in', ['pending', 'running'])
        .orderBy('created_at')
        .execute();
      return rows.map((row) => ({ job: toJob(row), params: JSON.parse(row.params) as P }));
    },

    async setStatus(
      id: string,
      status: JobStatus,
      error: string | null = null,
    ): Promise<Job | undefined> {
      const now = nowIso();
      const finished = status === 'completed' || status === 'failed' || status === 'cancelled';
      await db
        .updateTable('jobs')
        .set({
          status,
          error,
          updated_at: now,
          ...(status === 'running' && { started_at: now }),
          ...(finished && { finished_at: now }),
          ...(status === 'completed' && { progress: 100 }),
        })
        .where('id', '=', id)
        .execute();
      return repo.get(id);
    },

    /**
     * Records progress synchronously (call it inside the transaction that did the work):
     * processed count, params (with the cursor) and the result so far.
     */
    advanceInTx<P>(
      id: string,
      processed: number,
      progress: number,
      params: P,
      result: Record<string, number>,
    ): void {
      advanceStmt ??= sqlite.prepare(
        `UPDATE jobs SET processed = ?, progress = ?, params = ?, result = ?, updated_at = ?
         WHERE id = ?`,
      );
      advanceStmt.run(
        processed,
        progress,
        JSON.stringify(params),
        JSON.stringify(result),
        nowIso(),
        id,
      );
    },
  };
  return repo;
}

export type JobRepository = ReturnType<typeof jobRepository>;
