import type { RawBuilder, SqlBool } from 'kysely';
import { sql } from 'kysely';
import type { EventFilter } from '../../src-shared/contract';
import { AppError } from '../../src-shared/errors';

/** FTS5 answers a malformed query with an SQLite error: that is bad input, not a crash. */
function isFtsSyntaxError(err: unknown): boolean {
  const message = (err as Error | undefined)?.message ?? '';
  return /fts5|unterminated string|no such column|malformed MATCH|unknown special query|expected integer/i.test(
    message,
  );
}

export async function withFts<T>(filter: EventFilter, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (filter.q && isFtsSyntaxError(err)) {
      throw new AppError(
        'invalid_input',
        `The search "${filter.q}" is not valid: ${(err as Error).message}`,
        [
          {
            path: ['q'],
            message: 'Check quotes and operators (AND, OR, NOT, NEAR, "phrases", prefix*)',
          },
        ],
      );
    }
    throw err;
  }
}

/**
 * Every EventFilter condition as one SQL condition over `events AS e`. `ftsTable` names a
 * temp table of matching rowids collected beforehand (long exports) instead of the live
 * full-text subquery.
 */
export function eventFilterSql(
  f: EventFilter,
  opts: { ftsTable?: string } = {},
): RawBuilder<SqlBool> {
  const parts: RawBuilder<unknown>[] = [sql`1 = 1`];
  if (f.cameraIds?.length) parts.push(sql`e.camera_id IN (${sql.join(f.cameraIds)})`);
  if (f.riskLevels?.length) parts.push(sql`e.risk_level IN (${sql.join(f.riskLevels)})`);
  if (f.minRisk !== undefined) parts.push(sql`e.risk_score >= ${f.minRisk}`);
  if (f.maxRisk !== undefined) parts.push(sql`e.risk_score <= ${f.maxRisk}`);
  if (f.from) parts.push(sql`e.started_at >= ${new Date(f.from).toISOString()}`);
  if (f.to) parts.push(sql`e.started_at < ${new Date(f.to).toISOString()}`);
  if (f.reviewed !== undefined) parts.push(sql`e.reviewed = ${f.reviewed ? 1 : 0}`);
  if (f.objectClasses?.length) {
    const likes = f.objectClasses.map(
      (c) => sql`(' ' || e.object_classes || ' ') LIKE ${`% ${c} %`}`,
    );
    parts.push(sql`(${sql.join(likes, sql` OR `)})`);
  }
  if (f.q && opts.ftsTable) {
    // The matches were collected once into a temp table keyed by rowid (long exports).
    parts.push(sql`e.rowid IN (SELECT rid FROM temp.${sql.id(opts.ftsTable)})`);
  } else if (f.q) {
    parts.push(sql`e.rowid IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ${f.q})`);
  }
  return sql<SqlBool>`(${sql.join(parts, sql` AND `)})`;
}
