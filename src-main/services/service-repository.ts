import type { Kysely } from 'kysely';
import { nowIso } from '../common/ids';
import type { DB } from '../db/schema';

/** What the supervisor remembers about a service across restarts. */
export interface StoredServiceState {
  enabled: boolean;
  disabledReason: string | null;
  failures: number;
  restarts: number;
  lastError: string | null;
}

/** The `service_state` table: one row per service the supervisor has seen. */
export function serviceRepository(db: Kysely<DB>) {
  return {
    async all(): Promise<Map<string, StoredServiceState>> {
      const rows = await db.selectFrom('service_state').selectAll().execute();
      return new Map(
        rows.map((r) => [
          r.name,
          {
            enabled: r.enabled === 1,
            disabledReason: r.disabled_reason,
            failures: r.failures,
            restarts: r.restarts,
            lastError: r.last_error,
          },
        ]),
      );
    },

    async save(name: string, s: StoredServiceState): Promise<void> {
      const row = {
        enabled: s.enabled ? 1 : 0,
        disabled_reason: s.disabledReason,
        failures: s.failures,
        restarts: s.restarts,
        last_error: s.lastError,
        updated_at: nowIso(),
      };
      await db
        .insertInto('service_state')
        .values({ name, ...row })
        .onConflict((oc) => oc.column('name').doUpdateSet(row))
        .execute();
    },

    async remove(name: string): Promise<void> {
      await db.deleteFrom('service_state').where('name', '=', name).execute();
    },
  };
}

export type ServiceRepository = ReturnType<typeof serviceRepository>;
