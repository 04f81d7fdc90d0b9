import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import pino from 'pino';
import type { Page } from '../../src-shared/contract';
import type { LogEntry, LogLevel } from '../../src-shared/domain';
import { decodeCursor, encodeCursor } from '../common/cursor';
import type { PurgeChunk, PurgeRequest } from '../db/purge';
import { purgeOlder } from '../db/purge';
import type { DB } from '../db/schema';

export interface LogFilter {
  /** This level and above. */
  level?: LogLevel;
  /** One module, or any of several. */
  module?: string | string[];
  correlationId?: string;
  /** Words in the message (case-insensitive). */
  q?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit?: number;
}

/**
 * Reads the `logs` table (the log sink writes it): newest first, keyset-paged on
 * (at, id), filtered by level and above, module, correlation id, text and time.
 */
export function logRepository(db: Kysely<DB>) {
  return {
    /** Retention: log lines older than the cutoff. */
    purge(req: PurgeRequest): Promise<PurgeChunk> {
      return purgeOlder(db, 'logs', 'at', req);
    },

    async list(f: LogFilter): Promise<Page<LogEntry>> {
      const limit = f.limit ?? 100;
      // pino's own level numbers: this level and the ones above it.
      const { values } = pino.levels;
      const levels = f.level
        ? Object.keys(values).filter((l) => values[l]! >= (values[f.level!] ?? Infinity))
        : undefined;
      let q = db.selectFrom('logs').selectAll();
      if (levels) q = q.where('level', 'in', levels.length ? levels : ['none']);
      if (typeof f.module === 'string') q = q.where('module', '=', f.module);
      else if (f.module) q = q.where('module', 'in', f.module.length ? f.module : ['']);
      if (f.correlationId) q = q.where('correlation_id', '=', f.correlationId);
      if (f.q) q = q.where(sql<boolean>`instr(lower(message), lower(${f.q})) > 0`);
      if (f.from) q = q.where('at', '>=', new Date(f.from).toISOString());
      if (f.to) q = q.where('at', '<', new Date(f.to).toISOString());
      if (f.cursor) {
        const [at, id] = decodeCursor(f.cursor);
        q = q.where(sql<boolean>`(at, id) < (${at}, ${Number(id)})`);
      }
      const rows = await q
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      const items = rows.slice(0, limit).map((r) => ({
        id: r.id,
        at: r.at,
        level: r.level,
        module: r.module,
        message: r.message,
        correlationId: r.correlation_id,
        context: r.context ? (JSON.parse(r.context) as Record<string, unknown>) : null,
      }));
      const last = items[items.length - 1];
      return {
        items,
        nextCursor: rows.length > limit && last ? encodeCursor(last.at, String(last.id)) : null,
      };
    },
  };
}

export type LogRepository = ReturnType<typeof logRepository>;
