import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * "Ignore here" regions: zones of kind `ignore`, optionally for some classes only
 * (`zones.object_classes`, JSON; null = every class); detections inside one are kept and
 * marked `detections.suppressed` but never open or extend a batch. SQLite cannot widen a
 * CHECK in place: the zones table is rebuilt (nothing references it).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    `CREATE TABLE zones_next (
      id TEXT PRIMARY KEY,
      camera_id TEXT NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('polygon', 'line', 'ignore')),
      points TEXT NOT NULL,
      risk_weight REAL NOT NULL DEFAULT 1,
      color TEXT NOT NULL DEFAULT '#3B82F6',
      enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      object_classes TEXT
    )`,
    `INSERT INTO zones_next (id, camera_id, name, kind, points, risk_weight, color, enabled,
       created_at, updated_at)
     SELECT id, camera_id, name, kind, points, risk_weight, color, enabled, created_at,
       updated_at FROM zones`,
    `DROP TABLE zones`,
    `ALTER TABLE zones_next RENAME TO zones`,
    `CREATE INDEX zones_camera ON zones (camera_id)`,
    `ALTER TABLE detections ADD COLUMN suppressed INTEGER NOT NULL DEFAULT 0`,
  ];
  for (const s of statements) await sql.raw(s).execute(db);
}
