import type { Kysely, Selectable } from 'kysely';
import type { Point, Zone, ZoneKind } from '../../src-shared/domain';
import type { DB, ZonesTable } from '../db/schema';
import type { JsonReader, Logger } from '../system';
import { isStringList, jsonReader } from '../system';

const isPoints = (v: unknown): boolean =>
  Array.isArray(v) &&
  v.every((p) => Array.isArray(p) && p.length === 2 && p.every((n) => typeof n === 'number'));

/**
 * A row as a zone. A corrupt outline reads as none (the zone matches nothing) and a corrupt
 * class filter as none (every class), each logged once: the camera's other zones, and the
 * batch being scored, go on.
 */
function toZone(row: Selectable<ZonesTable>, json: JsonReader): Zone {
  return {
    id: row.id,
    cameraId: row.camera_id,
    name: row.name,
    kind: row.kind,
    points: json<Point[]>(row.points, 'points', row.id, [], isPoints),
    riskWeight: row.risk_weight,
    color: row.color,
    enabled: row.enabled === 1,
    objectClasses: row.object_classes
      ? json<string[] | null>(row.object_classes, 'object_classes', row.id, null, isStringList)
      : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface ZoneFields {
  name?: string;
  kind?: ZoneKind;
  points?: Point[];
  riskWeight?: number;
  color?: string;
  enabled?: boolean;
  objectClasses?: string[] | null;
}

function columns(f: ZoneFields) {
  return {
    ...(f.name !== undefined && { name: f.name }),
    ...(f.kind !== undefined && { kind: f.kind }),
    ...(f.points !== undefined && { points: JSON.stringify(f.points) }),
    ...(f.riskWeight !== undefined && { risk_weight: f.riskWeight }),
    ...(f.color !== undefined && { color: f.color }),
    ...(f.enabled !== undefined && { enabled: f.enabled ? (1 as const) : (0 as const) }),
    ...(f.objectClasses !== undefined && {
      object_classes: f.objectClasses ? JSON.stringify(f.objectClasses) : null,
    }),
  };
}

export function zoneRepository(
  db: Kysely<DB>,
  d: { /** Told about corrupt values. */ logger?: Logger } = {},
) {
  const json = jsonReader('zones', d.logger);
  const zone = (row: Selectable<ZonesTable>) => toZone(row, json);
  return {
    async listForCamera(cameraId: string): Promise<Zone[]> {
      const rows = await db
        .selectFrom('zones')
        .selectAll()
        .where('camera_id', '=', cameraId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(zone);
    },

    async find(id: string): Promise<Zone | undefined> {
      const row = await db.selectFrom('zones').selectAll().where('id', '=', id).executeTakeFirst();
      return row && zone(row);
    },

    async insert(
      z: ZoneFields & {
        id: string;
        cameraId: string;
        name: string;
        kind: ZoneKind;
        points: Point[];
      },
      now: string,
    ): Promise<Zone> {
      const row = await db
        .insertInto('zones')
        .values({
          id: z.id,
          camera_id: z.cameraId,
          ...columns(z),
          name: z.name,
          kind: z.kind,
          points: JSON.stringify(z.points),
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return zone(row);
    },

    async update(id: string, f: ZoneFields, now: string): Promise<Zone | undefined> {
      const row = await db
        .updateTable('zones')
        .set({ ...columns(f), updated_at: now })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && zone(row);
    },

    async delete(id: string): Promise<Zone | undefined> {
      const row = await db
        .deleteFrom('zones')
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && zone(row);
    },
  };
}

export type ZoneRepository = ReturnType<typeof zoneRepository>;
