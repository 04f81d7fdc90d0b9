import type { Kysely } from 'kysely';
import { nowIso } from '../common/ids';
import type { DB } from '../db/schema';

/** The `settings` table: named JSON documents (the app's settings live under one key). */
export function settingsRepository(db: Kysely<DB>) {
  return {
    async read(key: string): Promise<string | undefined> {
      const row = await db
        .selectFrom('settings')
        .select('value')
        .where('key', '=', key)
        .executeTakeFirst();
      return row?.value;
    },

    async write(key: string, value: string): Promise<void> {
      const now = nowIso();
      await db
        .insertInto('settings')
        .values({ key, value, updated_at: now })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
        .execute();
    },
  };
}

export type SettingsRepository = ReturnType<typeof settingsRepository>;
