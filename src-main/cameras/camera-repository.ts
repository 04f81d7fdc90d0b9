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
    ftpUser: row.ftp_user,
    confidence: row.confidence,
    classes: row.classes ? (JSON.parse(row.classes) as string[]) : null,
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

    /** Names by id (cameras that no longer exist are left out). */
    async namesByIds(ids: string[]): Promise<Map<string, string>> {
      if (!ids.length) return new Map();
      const rows = await db
        .selectFrom('cameras')
        .select(['id', 'name'])
        .where('id', 'in', ids)
        .execute();
      return new Map(rows.map((r) => [r.id, r.name]));
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
      patch: {
        name?: string;
        folder?: string;
        enabled?: boolean;
        confidence?: number | null;
        classes?: string[] | null;
      },
      now: string,
    ): Promise<Camera | undefined> {
      const row = await db
        .updateTable('cameras')
        .set({
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.folder !== undefined && { folder: patch.folder }),
          ...(patch.enabled !== undefined && { enabled: patch.enabled ? 1 : 0 }),
          ...(patch.confidence !== undefined && { confidence: patch.confidence }),
          ...(patch.classes !== undefined && {
            classes: patch.classes === null ? null : JSON.stringify(patch.classes),
          }),
          updated_at: now,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toCamera(row);
    },

    /** Records an upload; returns the camera when its status changed to online. */
    async touch(id: string, now: string): Promise<Camera | undefined> {
      const before = await db
        .selectFrom('cameras')
        .select('status')
        .where('id', '=', id)
        .executeTakeFirst();
      const row = await db
        .updateTable('cameras')
        .set({ last_seen_at: now, status: 'online' })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && before?.status !== 'online' ? toCamera(row) : undefined;
    },

    /** Cameras online but silent since `cutoff` go offline; returns those that changed. */
    async markSilentOffline(cutoff: string): Promise<Camera[]> {
      const rows = await db
        .updateTable('cameras')
        .set({ status: 'offline' })
        .where('status', '=', 'online')
        .where((eb) => eb.or([eb('last_seen_at', '<', cutoff), eb('last_seen_at', 'is', null)]))
        .returningAll()
        .execute();
      return rows.map(toCamera);
    },

    async setFtpCredentials(id: string, user: string, hash: string, now: string) {
      const row = await db
        .updateTable('cameras')
        .set({ ftp_user: user, ftp_password_hash: hash, updated_at: now })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toCamera(row);
    },

    async ftpLogin(user: string): Promise<{ camera: Camera; hash: string } | undefined> {
      const row = await db
        .selectFrom('cameras')
        .selectAll()
        .where('ftp_user', '=', user)
        .executeTakeFirst();
      return row?.ftp_password_hash
        ? { camera: toCamera(row), hash: row.ftp_password_hash }
        : undefined;
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
