import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { ServiceHealth, SystemHealth } from '../../src-shared/domain';
import type { DB } from '../db/schema';
import { appVersion } from '../app/version';

/** A probe answers how one part of the app is doing right now. */
export type HealthProbe = () => Promise<ServiceHealth> | ServiceHealth;

export function databaseProbe(db: Kysely<DB>): HealthProbe {
  return async () => {
    try {
      await sql`SELECT 1`.execute(db);
      return { name: 'database', status: 'running' };
    } catch (err) {
      return { name: 'database', status: 'failed', detail: (err as Error).message };
    }
  };
}

export async function systemHealth(probes: HealthProbe[]): Promise<SystemHealth> {
  const services = await Promise.all(probes.map(async (probe) => probe()));
  const ok = services.every((s) => s.status === 'running');
  return { status: ok ? 'ok' : 'degraded', version: appVersion(), services };
}
