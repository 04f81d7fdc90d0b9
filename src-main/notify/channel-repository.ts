import type { Kysely, Selectable } from 'kysely';
import type { ChannelKind, NotificationChannel } from '../../src-shared/domain';
import { REDACTED } from '../../src-shared/settings';
import type { DB, NotificationChannelsTable } from '../db/schema';
import { newId, nowIso } from '../common/ids';
import type { SecretStore } from './secret-box';

/** Config keys that hold secrets, per kind: stored encrypted, never returned. */
export const SECRET_KEYS: Record<ChannelKind, string[]> = {
  webhook: ['secret'],
  email: ['password'],
  desktop: [],
  mqtt: [],
};

export interface StoredChannel {
  id: string;
  kind: ChannelKind;
  name: string;
  enabled: boolean;
  /** Full config including decrypted secrets (for senders only). */
  config: Record<string, unknown>;
}

export function channelRepository(db: Kysely<DB>, secrets: SecretStore) {
  const split = (kind: ChannelKind, config: Record<string, unknown>) => {
    const plain: Record<string, unknown> = { ...config };
    const hidden: Record<string, unknown> = {};
    for (const key of SECRET_KEYS[kind]) {
      if (plain[key] !== undefined) hidden[key] = plain[key];
      delete plain[key];
    }
    return { plain, hidden };
  };
  const unseal = (row: Selectable<NotificationChannelsTable>) =>
    row.secrets_ciphertext
      ? (JSON.parse(secrets.decrypt(row.secrets_ciphertext)) as Record<string, unknown>)
      : {};

  const redacted = (row: Selectable<NotificationChannelsTable>): NotificationChannel => {
    const config = JSON.parse(row.config) as Record<string, unknown>;
    for (const key of Object.keys(unseal(row))) config[key] = REDACTED;
    return {
      id: row.id,
      kind: row.kind,
      name: row.name,
      enabled: row.enabled === 1,
      config,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  };

  const repo = {
    /** Which of these channels exist and are enabled; `tx` joins the alert's transaction. */
    async enabledIds(ids: string[], tx: Kysely<DB> = db): Promise<string[]> {
      if (!ids.length) return [];
      const rows = await tx
        .selectFrom('notification_channels')
        .select('id')
        .where('id', 'in', ids)
        .where('enabled', '=', 1)
        .execute();
      return rows.map((r) => r.id);
    },

    async list(): Promise<NotificationChannel[]> {
      return (
        await db.selectFrom('notification_channels').selectAll().orderBy('name').execute()
      ).map(redacted);
    },
    async get(id: string): Promise<NotificationChannel | undefined> {
      const row = await db
        .selectFrom('notification_channels')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && redacted(row);
    },
    /** With secrets, for sending. */
    async stored(id: string): Promise<StoredChannel | undefined> {
      const row = await db
        .selectFrom('notification_channels')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        id: row.id,
        kind: row.kind,
        name: row.name,
        enabled: row.enabled === 1,
        config: { ...(JSON.parse(row.config) as Record<string, unknown>), ...unseal(row) },
      };
    },
    async create(c: {
      kind: ChannelKind;
      name: string;
      enabled?: boolean;
      config: Record<string, unknown>;
    }) {
      const { plain, hidden } = split(c.kind, c.config);
      const now = nowIso();
      const row = await db
        .insertInto('notification_channels')
        .values({
          id: newId(),
          kind: c.kind,
          name: c.name,
          enabled: c.enabled === false ? 0 : 1,
          config: JSON.stringify(plain),
          secrets_ciphertext: Object.keys(hidden).length
            ? secrets.encrypt(JSON.stringify(hidden))
            : null,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return redacted(row);
    },
    async update(
      id: string,
      patch: { name?: string; enabled?: boolean; config?: Record<string, unknown> },
    ): Promise<NotificationChannel | undefined> {
      let columns = {};
      if (patch.config) {
        const row = await db
          .selectFrom('notification_channels')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst();
        if (!row) return undefined;
        const { plain, hidden } = split(row.kind, patch.config);
        const kept = unseal(row);
        // "[REDACTED]" sent back means: keep what is stored.
        for (const [k, v] of Object.entries(hidden)) if (v !== REDACTED) kept[k] = v;
        for (const k of SECRET_KEYS[row.kind]) if (!(k in hidden)) delete kept[k];
        columns = {
          config: JSON.stringify(plain),
          secrets_ciphertext: Object.keys(kept).length
            ? secrets.encrypt(JSON.stringify(kept))
            : null,
        };
      }
      const row = await db
        .updateTable('notification_channels')
        .set({
          ...columns,
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.enabled !== undefined && { enabled: patch.enabled ? 1 : 0 }),
          updated_at: nowIso(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && redacted(row);
    },
    async delete(id: string): Promise<NotificationChannel | undefined> {
      const row = await db
        .deleteFrom('notification_channels')
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && redacted(row);
    },
  };
  return repo;
}

export type ChannelRepository = ReturnType<typeof channelRepository>;
