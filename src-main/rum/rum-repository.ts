import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { RumMetric } from '../../src-shared/domain';
import type { PurgeChunk, PurgeRequest } from '../db/purge';
import { purgeOlder } from '../db/purge';
import type { DB } from '../db/schema';

/** The `rum_samples` table: accepted metrics, the newest `keep` of them. */
export function rumRepository(db: Kysely<DB>, keep = 50_000) {
  return {
    /** Retention: samples older than the cutoff. */
    purge(req: PurgeRequest): Promise<PurgeChunk> {
      return purgeOlder(db, 'rum_samples', 'at', req);
    },

    async insert(metrics: readonly RumMetric[], at: string): Promise<void> {
      if (metrics.length === 0) return;
      await db.transaction().execute(async (tx) => {
        await tx
          .insertInto('rum_samples')
          .values(
            metrics.map((m) => ({
              at,
              name: m.name,
              value: m.value,
              rating: m.rating,
              path: m.path,
              metric_id: m.id ?? null,
            })),
          )
          .execute();
        await sql`DELETE FROM rum_samples WHERE id <= (
          SELECT id FROM rum_samples ORDER BY id DESC LIMIT 1 OFFSET ${keep})`.execute(tx);
      });
    },

    /** Samples in [from, to), ordered by metric, page and value (for percentiles). */
    async samples(range: { from?: string; to?: string }) {
      return db
        .selectFrom('rum_samples')
        .select(['name', 'path', 'value'])
        .$if(range.from !== undefined, (q) => q.where('at', '>=', range.from!))
        .$if(range.to !== undefined, (q) => q.where('at', '<', range.to!))
        .orderBy('name')
        .orderBy('path')
        .orderBy('value')
        .execute();
    },
  };
}

export type RumRepository = ReturnType<typeof rumRepository>;
