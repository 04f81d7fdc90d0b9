import type { Kysely, Selectable } from 'kysely';
import type { Camera } from '../../src-shared/domain';
import type { CamerasTable, DB } from '../db/schema';
import type { Logger } from '../system';
import { isStringList, jsonReader } from '../system';

/** A row as a camera (`classes`: its class filter, read by the repository). */
function toCamera(
  row: Selectable<CamerasTable>,
  classes: (row: Selectable<CamerasTable>) => string[] | null,
): Camera {
  return {
    id: row.id,
    name: row.name,
    folder: row.folder,
    enabled: row.enabled === 1,
    status: row.status,
    lastSeenAt: row.last_seen_at,
    ftpUser: row.ftp_user,
    confidence: row.confidence,
    classes: classes(row),
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
export function cameraRepository(
  db: Kysely<DB>,
  d: { /** Told about corrupt values. */ logger?: Logger } = {},
) {
  // A corrupt class filter reads as none (every class): the camera list and intake go on.
  const json = jsonReader('cameras', d.logger);
  const classes = (r: Selectable<CamerasTable>) =>
    !r.classes ? null : json<string[] | null>(r.classes, 'classes', r.id, null, isStringList);
  const camera = (row: Selectable<CamerasTable>) => toCamera(row, classes);
  return {
    async list(): Promise<Camera[]> {
      const rows = await db.selectFrom('cameras').selectAll().orderBy('name').execute();
      return rows.map(camera);
    },

    async find(id: string): Promise<Camera | undefined> {
      const row = await db
        .selectFrom('cameras')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && camera(row);
    },

    async findByFolder(folder: string): Promise<Camera | undefined> {
      const row = await db
        .selectFrom('cameras')
        .selectAll()
        .where('folder', '=', folder)
        .executeTakeFirst();
      return row && camera(row);
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
      return row && camera(row);
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
      return camera(row);
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
      return row && camera(row);
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
      return row && before?.status !== 'online' ? camera(row) : undefined;
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
      return rows.map(camera);
    },

    async setFtpCredentials(id: string, user: string, hash: string, now: string) {
      const row = await db
        .updateTable('cameras')
        .set({ ftp_user: user, ftp_password_hash: hash, updated_at: now })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && camera(row);
    },

    async ftpLogin(user: string): Promise<{ camera: Camera; hash: string } | undefined> {
      const row = await db
        .selectFrom('cameras')
        .selectAll()
        .where('ftp_user', '=', user)
        .executeTakeFirst();
      return row?.ftp_password_hash
        ? { camera: camera(row), hash: row.ftp_password_hash }
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
