import type Database from 'better-sqlite3';
import type { Kysely, Selectable } from 'kysely';
import type { Page } from '../../src-shared/contract';
import type { DeadLetter, Job, JobHistoryEntry, JobStatus } from '../../src-shared/domain';
import { AppError } from '../../src-shared/errors';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { newId, nowIso } from '../common/ids';
import type { PurgeChunk, PurgeRequest } from '../db/purge';
import { purgeOlder } from '../db/purge';
import { sql } from 'kysely';
import type { DB, JobDeadLettersTable, JobsTable } from '../db/schema';
import type { Logger } from '../system';
import { jsonReader } from '../system';

/** A row as a job (`result`: its counts, as the repository read them). */
function rowToJob(r: Selectable<JobsTable>, result: Record<string, number> | null): Job {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    progress: r.progress,
    processed: r.processed,
    total: r.total,
    result,
    error: r.error,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

function toLetter(r: Selectable<JobDeadLettersTable>): DeadLetter {
  return {
    id: r.id,
    jobId: r.job_id,
    kind: r.kind,
    item: JSON.parse(r.item) as Record<string, unknown>,
    error: r.error,
    attempts: r.attempts,
    at: r.at,
  };
}

/** Which dead letters an operation is about: one, one job's, or all. */
export interface LetterScope {
  id?: number;
  jobId?: string;
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
export function jobRepository(
  db: Kysely<DB>,
  sqlite: Database.Database,
  d: { /** Told about corrupt values. */ logger?: Logger } = {},
) {
  // A corrupt value is logged once per row and column and read past: the job list goes on.
  const json = jsonReader('jobs', d.logger);
  const parse = <T>(r: Selectable<JobsTable>, column: 'result' | 'params'): T | undefined => {
    const text = r[column];
    return text === null ? undefined : json<T | undefined>(text, column, r.id, undefined);
  };
  const toJob = (r: Selectable<JobsTable>) =>
    rowToJob(r, parse<Record<string, number>>(r, 'result') ?? null);
  let advanceStmt: Database.Statement<[number, number, string, string, string, string]> | undefined;
  const repo = {
    /** A new pending job (`id`: when it shares its id with a record of its own, an export's). */
    async create<P>(kind: string, params: P, total: number, id = newId()): Promise<Job> {
      const now = nowIso();
      const row = await db
        .insertInto('jobs')
        .values({
          id,
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

    /** Newest first; `cursor` is the id of the last job of the previous page. */
    async list(f: {
      kind?: string;
      status?: JobStatus;
      cursor?: string;
      limit?: number;
    }): Promise<Job[]> {
      const after = f.cursor
        ? await db
            .selectFrom('jobs')
            .select(['created_at', 'id'])
            .where('id', '=', f.cursor)
            .executeTakeFirst()
        : undefined;
      if (f.cursor && !after) {
        throw new AppError('invalid_input', 'The cursor names no job (it may have been deleted)', [
          { path: ['cursor'], message: 'No such job' },
        ]);
      }
      const rows = await db
        .selectFrom('jobs')
        .selectAll()
        .$if(f.kind !== undefined, (q) => q.where('kind', '=', f.kind!))
        .$if(f.status !== undefined, (q) => q.where('status', '=', f.status!))
        .$if(after !== undefined, (q) =>
          q.where((eb) =>
            eb.or([
              eb('created_at', '<', after!.created_at),
              eb.and([eb('created_at', '=', after!.created_at), eb('id', '<', after!.id)]),
            ]),
          ),
        )
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(f.limit ?? 50)
        .execute();
      return rows.map(toJob);
    },

    async setTotal(id: string, total: number): Promise<void> {
      await db
        .updateTable('jobs')
        .set({ total, updated_at: nowIso() })
        .where('id', '=', id)
        .execute();
    },

    /** Retention: finished jobs older than the cutoff, unless they hold dead letters. */
    purge(req: PurgeRequest): Promise<PurgeChunk> {
      return purgeOlder(
        db,
        'jobs',
        'created_at',
        req,
        sql`t.status IN ('completed', 'failed', 'cancelled')
          AND NOT EXISTS (SELECT 1 FROM job_dead_letters l WHERE l.job_id = t.id)`,
      );
    },

    /** A line in the job's history (status changes are added by `setStatus`). */
    async note(
      jobId: string,
      level: JobHistoryEntry['level'],
      message: string,
      status: JobStatus | null = null,
    ): Promise<void> {
      await db
        .insertInto('job_history')
        .values({ job_id: jobId, at: nowIso(), level, status, message })
        .execute();
    },

    async history(jobId: string): Promise<JobHistoryEntry[]> {
      const rows = await db
        .selectFrom('job_history')
        .select(['at', 'level', 'status', 'message'])
        .where('job_id', '=', jobId)
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        at: r.at,
        level: r.level as JobHistoryEntry['level'],
        status: r.status as JobStatus | null,
        message: r.message,
      }));
    },

    async addDeadLetter(
      jobId: string,
      kind: string,
      item: Record<string, unknown>,
      error: string,
      attempts = 1,
    ): Promise<DeadLetter> {
      const row = await db
        .insertInto('job_dead_letters')
        .values({ job_id: jobId, kind, item: JSON.stringify(item), error, attempts, at: nowIso() })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toLetter(row);
    },

    /** Newest first, pages by id. */
    async deadLetters(f: {
      jobId?: string;
      kind?: string;
      cursor?: string;
      limit?: number;
    }): Promise<Page<DeadLetter>> {
      const limit = f.limit ?? 100;
      const before = f.cursor ? Number(decodeCursor(f.cursor)[1]) : undefined;
      const rows = await db
        .selectFrom('job_dead_letters')
        .selectAll()
        .$if(f.jobId !== undefined, (q) => q.where('job_id', '=', f.jobId!))
        .$if(f.kind !== undefined, (q) => q.where('kind', '=', f.kind!))
        .$if(before !== undefined, (q) => q.where('id', '<', before!))
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      const items = rows.slice(0, limit).map(toLetter);
      return {
        items,
        nextCursor:
          rows.length > limit ? encodeCursor(items.at(-1)!.at, String(items.at(-1)!.id)) : null,
      };
    },

    /** The dead letters in scope (all of them without one), oldest first. */
    async lettersIn(scope: LetterScope): Promise<DeadLetter[]> {
      const rows = await db
        .selectFrom('job_dead_letters')
        .selectAll()
        .$if(scope.id !== undefined, (q) => q.where('id', '=', scope.id!))
        .$if(scope.jobId !== undefined, (q) => q.where('job_id', '=', scope.jobId!))
        .orderBy('id')
        .execute();
      return rows.map(toLetter);
    },

    async removeLetters(ids: number[]): Promise<number> {
      let removed = 0;
      for (let i = 0; i < ids.length; i += 500) {
        const r = await db
          .deleteFrom('job_dead_letters')
          .where('id', 'in', ids.slice(i, i + 500))
          .executeTakeFirst();
        removed += Number(r.numDeletedRows);
      }
      return removed;
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
      // A job whose saved state cannot be read is not resumed (it is logged).
      return rows.flatMap((row) => {
        const params = parse<P>(row, 'params');
        return params === undefined ? [] : [{ job: toJob(row), params }];
      });
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
      const job = await repo.get(id);
      if (job) {
        const message = error ? `${status}: ${error}` : status;
        await repo.note(id, status === 'failed' ? 'error' : 'info', message, status);
      }
      return job;
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
