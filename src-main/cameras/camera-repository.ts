import type { Kysely, Selectable } from 'kysely';
import type { Camera } from '../../src-shared/domain';
import type { CamerasTable, DB } from '../db/schema';

export function toCamera(row: Selectable<CamerasTable>): Camera {
  return {
    id: row.id,
    name: row.name,
    folder: row.folder,
    enabled: row.enabled === 1,
    status: row.status,
    lastSeenAt: row.last_seen_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface CameraRow {
  id: string;
  name: string;
  folder: string;
  enabled: boolean;
  now: string;
}

/** The cameras table, and nothing else. */
export function cameraRepository(db: Kysely<DB>) {
  return {
    async list(): Promise<Camera[]> {
      const rows = await db.selectFrom('cameras').selectAll().orderBy('name').execute();
      return rows.map(toCamera);
    },

    async find(id: string): Promise<Camera | undefined> {
      const row = await db
        .selectFrom('cameras')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toCamera(row);
    },

    async findByFolder(folder: string): Promise<Camera | undefined> {
      const row = await db
        .selectFrom('cameras')
        .selectAll()
        .where('folder', '=', folder)
        .executeTakeFirst();
      return row && toCamera(row);
    },

    async findByName(name: string): Promise<Camera | undefined> {
      const row = await db
        .selectFrom('cameras')
        .selectAll()
        .where('name', '=', name)
        .executeTakeFirst();
      return row && toCamera(row);
    },

    async insert(c: CameraRow): Promise<Camera> {
      const row = await db
        .insertInto('cameras')
        .values({
          id: c.id,
          name: c.name,
          folder: c.folder,
          enabled: c.enabled ? 1 : 0,
          created_at: c.now,
          updated_at: c.now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toCamera(row);
    },

    async update(
      id: string,
      patch: { name?: string; folder?: string; enabled?: boolean },
      now: string,
    ): Promise<Camera | undefined> {
      const row = await db
        .updateTable('cameras')
        .set({
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.folder !== undefined && { folder: patch.folder }),
          ...(patch.enabled !== undefined && { enabled: patch.enabled ? 1 : 0 }),
          updated_at: now,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toCamera(row);
    },

    /** Deletes the camera (cascading to its data) and reports what went with it. */
    async delete(
      id: string,
    ): Promise<{ events: number; detections: number; zones: number } | undefined> {
      return db.transaction().execute(async (trx) => {
        const exists = await trx
          .selectFrom('cameras')
          .select('id')
          .where('id', '=', id)
          .executeTakeFirst();
        if (!exists) return undefined;
        const count = async (table: 'events' | 'detections' | 'zones') => {
          const r = await trx
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('camera_id', '=', id)
            .executeTakeFirstOrThrow();
          return Number(r.n);
        };
        const counts = {
          events: await count('events'),
          detections: await count('detections'),
          zones: await count('zones'),
        };
        await trx.deleteFrom('cameras').where('id', '=', id).execute();
        return counts;
      });
    },
  };
}

export type CameraRepository = ReturnType<typeof cameraRepository>;
