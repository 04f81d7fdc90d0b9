import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * MQTT: messages produced while the broker was unreachable (`mqtt_queue`), sent in order once
 * it is back (bounded by `mqtt.queueLimit`, the oldest dropped first); and `mqtt` as a
 * notification channel kind. SQLite cannot widen a CHECK in place: notification_channels is
 * rebuilt (migrations run with foreign keys off, so the deliveries referring to it stay).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    `CREATE TABLE mqtt_queue (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      topic TEXT NOT NULL,
      payload BLOB NOT NULL,
      qos INTEGER NOT NULL,
      retain INTEGER NOT NULL,
      created_at TEXT NOT NULL
    )`,
    `CREATE TABLE notification_channels_next (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('email', 'webhook', 'desktop', 'mqtt')),
      name TEXT NOT NULL,
      enabled INTEGER NOT NULL DEFAULT 1,
      config TEXT NOT NULL DEFAULT '{}',
      secrets_ciphertext TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`,
    `INSERT INTO notification_channels_next
     SELECT id, kind, name, enabled, config, secrets_ciphertext, created_at, updated_at
     FROM notification_channels`,
    `DROP TABLE notification_channels`,
    `ALTER TABLE notification_channels_next RENAME TO notification_channels`,
  ];
  for (const s of statements) await sql.raw(s).execute(db);
}
