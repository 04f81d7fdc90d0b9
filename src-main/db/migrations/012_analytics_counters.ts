import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Counters for analytics, kept by triggers in the same transaction as the rows they count
 * (whatever code path writes them: new events, re-scoring, re-evaluation, cascades):
 * - `event_day_counts` (UTC day, camera; a column per level) and `event_hour_counts` (UTC day and hour,
 *   camera): events.stats without a time range, risk history, the activity heatmap;
 * - `detection_day_counts` (UTC day, camera, class): detection trends and object
 *   distribution (suppressed detections are not counted);
 * - `camera_status_log`: every change of a camera's status, for uptime.
 * Rows already there are counted once here. `alerts (created_at, rule_id)` serves alerts
 * per rule over a range.
 */
const DAY = (col: string) => `substr(${col}, 1, 10)`;
const HOUR = (col: string) => `CAST(substr(${col}, 12, 2) AS INTEGER)`;

const LEVELS = ['low', 'medium', 'high', 'critical'];
/** Takes the row away from its level's column (the others lose 0). */
const minusLevel = (r: string) =>
  LEVELS.map((l) => `${l} = ${l} - (${r}.risk_level = '${l}')`).join(', ');
const dayPlus = (r: string) => `
  INSERT INTO event_day_counts (day, camera_id, low, medium, high, critical)
    VALUES (${DAY(`${r}.started_at`)}, ${r}.camera_id, ${LEVELS.map((l) => `${r}.risk_level = '${l}'`).join(', ')})
    ON CONFLICT (day, camera_id) DO UPDATE SET ${LEVELS.map((l) => `${l} = ${l} + excluded.${l}`).join(', ')};`;
const hourPlus = (r: string) => `
  INSERT INTO event_hour_counts VALUES (${DAY(`${r}.started_at`)}, ${HOUR(`${r}.started_at`)}, ${r}.camera_id, 1)
    ON CONFLICT (day, hour, camera_id) DO UPDATE SET n = n + 1;`;
const dayMinus = (r: string) => `
  UPDATE event_day_counts SET ${minusLevel(r)}
    WHERE day = ${DAY(`${r}.started_at`)} AND camera_id = ${r}.camera_id;`;
const hourMinus = (r: string) => `
  UPDATE event_hour_counts SET n = n - 1
    WHERE day = ${DAY(`${r}.started_at`)} AND hour = ${HOUR(`${r}.started_at`)} AND camera_id = ${r}.camera_id;`;

const STATEMENTS = [
  `CREATE TABLE event_day_counts (
    day TEXT NOT NULL, camera_id TEXT NOT NULL,
    low INTEGER NOT NULL DEFAULT 0, medium INTEGER NOT NULL DEFAULT 0,
    high INTEGER NOT NULL DEFAULT 0, critical INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, camera_id)
  ) WITHOUT ROWID`,
  `CREATE TABLE event_hour_counts (
    day TEXT NOT NULL, hour INTEGER NOT NULL, camera_id TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (day, hour, camera_id)
  ) WITHOUT ROWID`,
  `CREATE TABLE detection_day_counts (
    day TEXT NOT NULL, camera_id TEXT NOT NULL, object_class TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (day, camera_id, object_class)
  ) WITHOUT ROWID`,
  `CREATE TABLE camera_status_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    camera_id TEXT NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    at TEXT NOT NULL
  )`,
  `CREATE INDEX camera_status_log_camera_at ON camera_status_log (camera_id, at)`,
  `CREATE INDEX alerts_created_rule ON alerts (created_at, rule_id)`,

  `CREATE TRIGGER event_counts_insert AFTER INSERT ON events BEGIN
    ${dayPlus('NEW')} ${hourPlus('NEW')} END`,
  `CREATE TRIGGER event_counts_delete AFTER DELETE ON events BEGIN
    ${dayMinus('OLD')} ${hourMinus('OLD')} END`,
  // A new level (re-scoring, re-evaluation) is one row's update; a new day or camera moves
  // the count between rows. The hour counts only follow a new time or camera.
  `CREATE TRIGGER event_day_counts_level AFTER UPDATE OF risk_level ON events
    WHEN OLD.risk_level IS NOT NEW.risk_level
      AND ${DAY('OLD.started_at')} IS ${DAY('NEW.started_at')} AND OLD.camera_id IS NEW.camera_id
    BEGIN
      UPDATE event_day_counts
        SET ${LEVELS.map((l) => `${l} = ${l} + (NEW.risk_level = '${l}') - (OLD.risk_level = '${l}')`).join(', ')}
        WHERE day = ${DAY('NEW.started_at')} AND camera_id = NEW.camera_id;
    END`,
  `CREATE TRIGGER event_day_counts_move AFTER UPDATE OF started_at, camera_id ON events
    WHEN ${DAY('OLD.started_at')} IS NOT ${DAY('NEW.started_at')} OR OLD.camera_id IS NOT NEW.camera_id
    BEGIN ${dayMinus('OLD')} ${dayPlus('NEW')} END`,
  `CREATE TRIGGER event_hour_counts_update AFTER UPDATE OF started_at, camera_id ON events
    WHEN OLD.started_at IS NOT NEW.started_at OR OLD.camera_id IS NOT NEW.camera_id
    BEGIN ${hourMinus('OLD')} ${hourPlus('NEW')} END`,
  `CREATE TRIGGER detection_counts_insert AFTER INSERT ON detections WHEN NEW.suppressed = 0 BEGIN
    INSERT INTO detection_day_counts VALUES (${DAY('NEW.detected_at')}, NEW.camera_id, NEW.object_class, 1)
      ON CONFLICT (day, camera_id, object_class) DO UPDATE SET n = n + 1;
  END`,
  `CREATE TRIGGER detection_counts_delete AFTER DELETE ON detections WHEN OLD.suppressed = 0 BEGIN
    UPDATE detection_day_counts SET n = n - 1
      WHERE day = ${DAY('OLD.detected_at')} AND camera_id = OLD.camera_id AND object_class = OLD.object_class;
  END`,
  `CREATE TRIGGER camera_status_insert AFTER INSERT ON cameras BEGIN
    INSERT INTO camera_status_log (camera_id, status, at)
      VALUES (NEW.id, NEW.status, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
  END`,
  `CREATE TRIGGER camera_status_update AFTER UPDATE OF status ON cameras
    WHEN OLD.status IS NOT NEW.status BEGIN
    INSERT INTO camera_status_log (camera_id, status, at)
      VALUES (NEW.id, NEW.status, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
  END`,

  `INSERT INTO event_day_counts (day, camera_id, low, medium, high, critical)
    SELECT ${DAY('started_at')}, camera_id, ${LEVELS.map((l) => `sum(risk_level = '${l}')`).join(', ')}
    FROM events GROUP BY 1, 2`,
  `INSERT INTO event_hour_counts
    SELECT ${DAY('started_at')}, ${HOUR('started_at')}, camera_id, count(*) FROM events GROUP BY 1, 2, 3`,
  `INSERT INTO detection_day_counts
    SELECT ${DAY('detected_at')}, camera_id, object_class, count(*) FROM detections
    WHERE suppressed = 0 GROUP BY 1, 2, 3`,
  `INSERT INTO camera_status_log (camera_id, status, at)
    SELECT id, status, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM cameras`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of STATEMENTS) await sql.raw(s).execute(db);
}
