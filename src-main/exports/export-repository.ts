import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { EventFilter } from '../../src-shared/contract';
import type { ExportFormat, ExportJob, ExportStatus } from '../../src-shared/domain';
import type { DB, ExportJobsTable } from '../db/schema';
import { newId, nowIso } from '../common/ids';

type Row = Selectable<ExportJobsTable>;

function toJob(r: Row): ExportJob {
  return {
    id: r.id,
    format: r.format,
    status: r.status,
    filters: JSON.parse(r.filters) as Record<string, unknown>,
    includeImages: r.include_images === 1,
    progress: r.progress,
    processed: r.processed,
    total: r.total,
    rowCount: r.row_count,
    fileName: r.file_name,
    fileSize: r.file_size,
    sha256: r.sha256,
    error: r.error,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

export interface ExportJobRecord extends ExportJob {
  filePath: string | null;
}

function toRecord(r: Row): ExportJobRecord {
  return { ...toJob(r), filePath: r.file_path };
}

export function exportRepository(db: Kysely<DB>) {
  return {
    async create(input: {
      format: ExportFormat;
      filters: EventFilter;
      includeImages: boolean;
    }): Promise<ExportJobRecord> {
      const row = await db
        .insertInto('export_jobs')
        .values({
          id: newId(),
          format: input.format,
          filters: JSON.stringify(input.filters),
          include_images: input.includeImages ? 1 : 0,
          created_at: nowIso(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRecord(row);
    },

    async get(id: string): Promise<ExportJobRecord | undefined> {
      const row = await db
        .selectFrom('export_jobs')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toRecord(row);
    },

    async list(filter: { status?: ExportStatus; limit?: number }): Promise<ExportJob[]> {
      let q = db.selectFrom('export_jobs').selectAll();
      if (filter.status) q = q.where('status', '=', filter.status);
      const rows = await q
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.limit ?? 100)
        .execute();
      return rows.map(toJob);
    },

    /** The oldest pending job, now running: one UPDATE … RETURNING, so no job starts twice. */
    async claimNext(): Promise<ExportJobRecord | undefined> {
      const row = await db
        .updateTable('export_jobs')
        .set({ status: 'running', started_at: nowIso(), error: null })
        .where(
          'id',
          '=',
          db
            .selectFrom('export_jobs')
            .select('id')
            .where('status', '=', 'pending')
            .orderBy('created_at')
            .orderBy('id')
            .limit(1),
        )
        .where('status', '=', 'pending')
        .returningAll()
        .executeTakeFirst();
      return row && toRecord(row);
    },

    async setTotal(id: string, total: number, rowCount: number): Promise<void> {
      await db
        .updateTable('export_jobs')
        .set({ total, row_count: rowCount })
        .where('id', '=', id)
        .execute();
    },

    async setProgress(id: string, processed: number, progress: number): Promise<void> {
      await db
        .updateTable('export_jobs')
        .set({ processed, progress })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .execute();
    },

    async complete(
      id: string,
      f: {
        fileName: string;
        filePath: string;
        fileSize: number;
        sha256: string;
        processed: number;
      },
    ): Promise<void> {
      await db
        .updateTable('export_jobs')
        .set({
          status: 'completed',
          progress: 100,
          processed: f.processed,
          file_name: f.fileName,
          file_path: f.filePath,
          file_size: f.fileSize,
          sha256: f.sha256,
          error: null,
          finished_at: nowIso(),
        })
        .where('id', '=', id)
        .execute();
    },

    /** Ends a job as failed or cancelled; only from the given states (race-free cancel). */
    async finish(
      id: string,
      status: 'failed' | 'cancelled',
      error: string | null,
      from: ExportStatus[] = ['pending', 'running'],
    ): Promise<boolean> {
      const r = await db
        .updateTable('export_jobs')
        .set({ status, error, finished_at: nowIso() })
        .where('id', '=', id)
        .where('status', 'in', from)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /** Back to the queue (graceful shutdown while running): it starts over next time. */
    async requeue(id: string): Promise<void> {
      await db
        .updateTable('export_jobs')
        .set({ status: 'pending', progress: 0, processed: 0, started_at: null })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .execute();
    },

    /** Jobs that were running when the process died: they fail as interrupted. */
    async interrupted(): Promise<ExportJobRecord[]> {
      const rows = await db
        .updateTable('export_jobs')
        .set({
          status: 'failed',
          error: 'Interrupted: the app stopped while this export was running. Start it again.',
          finished_at: nowIso(),
        })
        .where('status', '=', 'running')
        .returningAll()
        .execute();
      return rows.map(toRecord);
    },

    /** Finished jobs older than the cutoff, with their files, removed from the list. */
    /** Pending or running exports (retention keeps what they need). */
    async unfinished(): Promise<ExportJobRecord[]> {
      const rows = await db
        .selectFrom('export_jobs')
        .selectAll()
        .where('status', 'in', ['pending', 'running'])
        .execute();
      return rows.map(toRecord);
    },

    async expire(before: string): Promise<ExportJobRecord[]> {
      const rows = await db
        .deleteFrom('export_jobs')
        .where('status', 'in', ['completed', 'failed', 'cancelled'])
        .where(sql<string>`coalesce(finished_at, created_at)`, '<', before)
        .returningAll()
        .execute();
      return rows.map(toRecord);
    },
  };
}

export type ExportRepository = ReturnType<typeof exportRepository>;
