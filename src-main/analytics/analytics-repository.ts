import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { RiskLevel } from '../../src-shared/domain';
import type { DB } from '../db/schema';

/** A range of UTC days (inclusive) and, optionally, some cameras. */
export interface DayRange {
  fromDay: string;
  toDay: string;
  cameraIds?: string[];
}

/**
 * Analytics reads: the trigger-kept counters (`event_day_counts`, `event_hour_counts`,
 * `detection_day_counts`, kept with the events and detections they count), the camera status
 * log, alerts and feedback. Read-only; every query walks an index or a primary key.
 */
export function analyticsRepository(db: Kysely<DB>) {
  const cams = (ids: string[] | undefined) =>
    ids?.length ? sql`AND camera_id IN (${sql.join(ids)})` : sql``;

  return {
    async detectionTrends(r: DayRange) {
      const { rows } = await sql<{ day: string; object_class: string; n: number }>`
        SELECT day, object_class, sum(n) AS n FROM detection_day_counts
        WHERE day BETWEEN ${r.fromDay} AND ${r.toDay} ${cams(r.cameraIds)}
        GROUP BY day, object_class HAVING sum(n) > 0 ORDER BY day, object_class`.execute(db);
      return rows;
    },

    async objectCounts(r: DayRange) {
      const { rows } = await sql<{ object_class: string; n: number }>`
        SELECT object_class, sum(n) AS n FROM detection_day_counts
        WHERE day BETWEEN ${r.fromDay} AND ${r.toDay} ${cams(r.cameraIds)}
        GROUP BY object_class HAVING sum(n) > 0`.execute(db);
      return rows;
    },

    async eventsByDayLevel(r: DayRange) {
      const { rows } = await sql<{ day: string } & Record<RiskLevel, number>>`
        SELECT day, sum(low) AS low, sum(medium) AS medium, sum(high) AS high,
          sum(critical) AS critical FROM event_day_counts
        WHERE day BETWEEN ${r.fromDay} AND ${r.toDay} ${cams(r.cameraIds)}
        GROUP BY day HAVING sum(low + medium + high + critical) > 0 ORDER BY day`.execute(db);
      return rows;
    },

    async eventsByDayHour(r: DayRange) {
      const { rows } = await sql<{ day: string; hour: number; n: number }>`
        SELECT day, hour, sum(n) AS n FROM event_hour_counts
        WHERE day BETWEEN ${r.fromDay} AND ${r.toDay} ${cams(r.cameraIds)}
        GROUP BY day, hour HAVING sum(n) > 0`.execute(db);
      return rows;
    },

    async eventsByCamera(r: DayRange) {
      const { rows } = await sql<{ camera_id: string; n: number }>`
        SELECT camera_id, sum(low + medium + high + critical) AS n FROM event_day_counts
        WHERE day BETWEEN ${r.fromDay} AND ${r.toDay} ${cams(r.cameraIds)}
        GROUP BY camera_id`.execute(db);
      return rows;
    },

    /**
     * Feedback on events that started in the range, by camera and type. Driven from the
     * feedback (CROSS JOIN keeps that order): far fewer rows than the range's events.
     */
    async feedbackByCamera(from: string, to: string, cameraIds?: string[]) {
      const { rows } = await sql<{ camera_id: string; type: string; n: number }>`
        SELECT e.camera_id, f.type, count(*) AS n FROM event_feedback f
        CROSS JOIN events e ON e.id = f.event_id
        WHERE e.started_at >= ${from} AND e.started_at < ${to}
          ${cameraIds?.length ? sql`AND e.camera_id IN (${sql.join(cameraIds)})` : sql``}
        GROUP BY e.camera_id, f.type`.execute(db);
      return rows;
    },

    async alertsByRule(from: string, to: string, cameraIds?: string[]) {
      const camerasOnly = cameraIds?.length
        ? sql`AND a.event_id IN (SELECT id FROM events WHERE camera_id IN (${sql.join(cameraIds)})
            AND started_at >= ${from} AND started_at < ${to})`
        : sql``;
      const { rows } = await sql<{
        rule_id: string | null;
        rule_name: string | null;
        severity: RiskLevel;
        n: number;
      }>`
        SELECT a.rule_id, max(a.rule_name) AS rule_name, a.severity, count(*) AS n
        FROM alerts a
        WHERE a.created_at >= ${from} AND a.created_at < ${to} ${camerasOnly}
        GROUP BY a.rule_id, a.severity`.execute(db);
      return rows;
    },

    /** A camera's status at `at` (its last change before) and its changes in [from, to). */
    async statusChanges(cameraId: string, from: string, to: string) {
      const before = await db
        .selectFrom('camera_status_log')
        .select(['status', 'at'])
        .where('camera_id', '=', cameraId)
        .where('at', '<', from)
        .orderBy('at', 'desc')
        .limit(1)
        .executeTakeFirst();
      const inside = await db
        .selectFrom('camera_status_log')
        .select(['status', 'at'])
        .where('camera_id', '=', cameraId)
        .where('at', '>=', from)
        .where('at', '<', to)
        .orderBy('at')
        .orderBy('id')
        .execute();
      return { before, inside };
    },

    /** Bytes of processed snapshots still listed, per camera (sizes as taken in). */
    async snapshotBytes() {
      const { rows } = await sql<{ camera_id: string; files: number; bytes: number }>`
        SELECT camera_id, count(*) AS files, coalesce(sum(size), 0) AS bytes FROM ingest_queue
        WHERE status = 'done' GROUP BY camera_id`.execute(db);
      return rows;
    },
  };
}

export type AnalyticsRepository = ReturnType<typeof analyticsRepository>;
