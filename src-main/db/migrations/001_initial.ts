import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * The whole data model. Times are ISO-8601 UTC text, JSON columns are text, booleans are
 * 0/1 integers. Cascades follow the reference system: a camera takes its zones,
 * detections and events with it; an event takes its alerts and feedback; deleting a rule
 * leaves its alerts with rule_id NULL.
 */
const statements = [
  `CREATE TABLE cameras (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE UNIQUE,
    folder TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    status TEXT NOT NULL DEFAULT 'unknown' CHECK (status IN ('online', 'offline', 'unknown')),
    last_seen_at TEXT,
    ftp_user TEXT UNIQUE,
    ftp_password_hash TEXT,
    confidence REAL CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1)),
    classes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`,
  `CREATE TABLE zones (
    id TEXT PRIMARY KEY,
    camera_id TEXT NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('polygon', 'line')),
    points TEXT NOT NULL,
    risk_weight REAL NOT NULL DEFAULT 1,
    color TEXT NOT NULL DEFAULT '#3B82F6',
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`,
  `CREATE INDEX zones_camera ON zones (camera_id)`,

  `CREATE TABLE ingest_queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    camera_id TEXT NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    sha256 TEXT,
    size INTEGER,
    source TEXT NOT NULL CHECK (source IN ('folder', 'ftp', 'import')),
    status TEXT NOT NULL DEFAULT 'queued'
      CHECK (status IN ('queued', 'processing', 'done', 'failed', 'quarantined', 'duplicate')),
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    quarantine_path TEXT,
    enqueued_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT
  )`,
  `CREATE INDEX ingest_queue_status ON ingest_queue (status, id)`,
  `CREATE INDEX ingest_queue_camera ON ingest_queue (camera_id, finished_at)`,
  `CREATE TABLE dedupe_hashes (
    sha256 TEXT NOT NULL,
    camera_id TEXT NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (sha256, camera_id)
  )`,
  `CREATE INDEX dedupe_hashes_seen ON dedupe_hashes (seen_at)`,

  `CREATE TABLE detections (
    id TEXT PRIMARY KEY,
    camera_id TEXT NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
    image_path TEXT NOT NULL,
    image_sha256 TEXT,
    image_width INTEGER,
    image_height INTEGER,
    detected_at TEXT NOT NULL,
    object_class TEXT NOT NULL,
    confidence REAL NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
    x1 REAL NOT NULL, y1 REAL NOT NULL, x2 REAL NOT NULL, y2 REAL NOT NULL,
    stationary INTEGER NOT NULL DEFAULT 0,
    model TEXT,
    created_at TEXT NOT NULL
  )`,
  `CREATE INDEX detections_camera_time ON detections (camera_id, detected_at)`,
  `CREATE INDEX detections_time ON detections (detected_at)`,
  `CREATE INDEX detections_class_time ON detections (object_class, detected_at)`,

  `CREATE TABLE batches (
    id TEXT PRIMARY KEY,
    camera_id TEXT NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closing', 'closed')),
    opened_at TEXT NOT NULL,
    last_detection_at TEXT NOT NULL,
    detection_ids TEXT NOT NULL DEFAULT '[]',
    is_fast_path INTEGER NOT NULL DEFAULT 0,
    closed_at TEXT
  )`,
  `CREATE INDEX batches_open ON batches (status, camera_id)`,

  `CREATE TABLE events (
    id TEXT PRIMARY KEY,
    batch_id TEXT UNIQUE,
    camera_id TEXT NOT NULL REFERENCES cameras(id) ON DELETE CASCADE,
    started_at TEXT NOT NULL,
    ended_at TEXT NOT NULL,
    risk_score INTEGER NOT NULL CHECK (risk_score BETWEEN 0 AND 100),
    raw_risk_score INTEGER,
    risk_level TEXT NOT NULL CHECK (risk_level IN ('low', 'medium', 'high', 'critical')),
    summary TEXT NOT NULL DEFAULT '',
    reasoning TEXT NOT NULL DEFAULT '',
    scorer TEXT NOT NULL CHECK (scorer IN ('llm', 'rules')),
    model TEXT,
    prompt_version_id TEXT,
    latency_ms REAL,
    object_classes TEXT NOT NULL DEFAULT '',
    detection_count INTEGER NOT NULL DEFAULT 0,
    is_fast_path INTEGER NOT NULL DEFAULT 0,
    reviewed INTEGER NOT NULL DEFAULT 0,
    false_positive INTEGER NOT NULL DEFAULT 0,
    notes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`,
  `CREATE INDEX events_started ON events (started_at DESC, id DESC)`,
  `CREATE INDEX events_camera_started ON events (camera_id, started_at DESC, id DESC)`,
  `CREATE INDEX events_level_started ON events (risk_level, started_at DESC, id DESC)`,
  `CREATE INDEX events_score ON events (risk_score, started_at DESC)`,
  `CREATE INDEX events_unreviewed ON events (started_at DESC, id DESC) WHERE reviewed = 0`,
  `CREATE INDEX events_rules_scored ON events (started_at) WHERE scorer = 'rules'`,
  `CREATE TABLE event_detections (
    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    detection_id TEXT NOT NULL UNIQUE REFERENCES detections(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (event_id, detection_id)
  )`,
  // Full-text search over summary, reasoning, camera name and object classes, kept in
  // sync by triggers (rowid = events.rowid).
  `CREATE VIRTUAL TABLE events_fts USING fts5(
    summary, reasoning, camera_name, object_classes, tokenize = 'unicode61 remove_diacritics 2'
  )`,
  `CREATE TRIGGER events_fts_insert AFTER INSERT ON events BEGIN
    INSERT INTO events_fts (rowid, summary, reasoning, camera_name, object_classes)
    VALUES (new.rowid, new.summary, new.reasoning,
            (SELECT name FROM cameras WHERE id = new.camera_id), new.object_classes);
  END`,
  `CREATE TRIGGER events_fts_update AFTER UPDATE OF summary, reasoning, object_classes, camera_id ON events BEGIN
    UPDATE events_fts SET summary = new.summary, reasoning = new.reasoning,
      camera_name = (SELECT name FROM cameras WHERE id = new.camera_id),
      object_classes = new.object_classes
    WHERE rowid = new.rowid;
  END`,
  `CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
    DELETE FROM events_fts WHERE rowid = old.rowid;
  END`,
  `CREATE TRIGGER cameras_rename_fts AFTER UPDATE OF name ON cameras BEGIN
    UPDATE events_fts SET camera_name = new.name
    WHERE rowid IN (SELECT rowid FROM events WHERE camera_id = new.id);
  END`,

  `CREATE TABLE event_feedback (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE REFERENCES events(id) ON DELETE CASCADE,
    type TEXT NOT NULL CHECK (type IN ('correct', 'false_positive', 'missed_threat', 'severity_wrong')),
    notes TEXT,
    expected_severity TEXT CHECK (expected_severity IS NULL OR expected_severity IN ('low', 'medium', 'high', 'critical')),
    created_at TEXT NOT NULL
  )`,

  `CREATE TABLE alert_rules (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    min_risk_score INTEGER,
    risk_levels TEXT,
    object_classes TEXT,
    camera_ids TEXT,
    zone_ids TEXT,
    min_confidence REAL,
    schedule TEXT,
    cooldown_seconds INTEGER NOT NULL DEFAULT 300,
    dedup_key_template TEXT NOT NULL DEFAULT '{cameraId}:{ruleId}',
    severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    channel_ids TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`,
  `CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    rule_id TEXT REFERENCES alert_rules(id) ON DELETE SET NULL,
    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'acknowledged', 'dismissed')),
    dedup_key TEXT NOT NULL,
    matched_conditions TEXT NOT NULL DEFAULT '[]',
    rule_name TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (event_id, rule_id)
  )`,
  `CREATE INDEX alerts_status_created ON alerts (status, created_at DESC)`,
  `CREATE INDEX alerts_dedup ON alerts (dedup_key, created_at DESC)`,
  `CREATE INDEX alerts_rule ON alerts (rule_id)`,

  `CREATE TABLE notification_channels (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('email', 'webhook', 'desktop')),
    name TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    config TEXT NOT NULL DEFAULT '{}',
    secrets_ciphertext TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`,
  `CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    alert_id TEXT REFERENCES alerts(id) ON DELETE CASCADE,
    channel_id TEXT NOT NULL REFERENCES notification_channels(id) ON DELETE CASCADE,
    status TEXT NOT NULL DEFAULT 'pending'
      CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dead', 'suppressed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error TEXT,
    suppressed_reason TEXT,
    idempotency_key TEXT NOT NULL UNIQUE,
    digest_of TEXT,
    sent_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (alert_id, channel_id)
  )`,
  `CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at)`,
  `CREATE INDEX deliveries_channel_sent ON deliveries (channel_id, sent_at)`,
  `CREATE TABLE notification_preferences (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    muted_camera_ids TEXT NOT NULL DEFAULT '[]',
    max_per_hour INTEGER,
    channel_min_severity TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT NOT NULL
  )`,
  `CREATE TABLE quiet_hours (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL DEFAULT '',
    start TEXT NOT NULL,
    end TEXT NOT NULL,
    days TEXT NOT NULL DEFAULT '[0,1,2,3,4,5,6]',
    enabled INTEGER NOT NULL DEFAULT 1
  )`,

  `CREATE TABLE calibration (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    class_multipliers TEXT NOT NULL DEFAULT '{}',
    camera_sensitivity TEXT NOT NULL DEFAULT '{}',
    medium_threshold INTEGER NOT NULL DEFAULT 30,
    high_threshold INTEGER NOT NULL DEFAULT 60,
    critical_threshold INTEGER NOT NULL DEFAULT 85,
    decay_factor REAL NOT NULL DEFAULT 0.1 CHECK (decay_factor BETWEEN 0 AND 1),
    correct_count INTEGER NOT NULL DEFAULT 0,
    false_positive_count INTEGER NOT NULL DEFAULT 0,
    missed_threat_count INTEGER NOT NULL DEFAULT 0,
    severity_wrong_count INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    CHECK (0 < medium_threshold AND medium_threshold < high_threshold
           AND high_threshold < critical_threshold AND critical_threshold <= 100)
  )`,

  `CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending'
      CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
    progress REAL NOT NULL DEFAULT 0,
    processed INTEGER NOT NULL DEFAULT 0,
    total INTEGER,
    params TEXT NOT NULL DEFAULT '{}',
    result TEXT,
    error TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    updated_at TEXT NOT NULL
  )`,
  `CREATE INDEX jobs_kind_status ON jobs (kind, status, created_at)`,
  `CREATE TABLE export_jobs (
    id TEXT PRIMARY KEY,
    format TEXT NOT NULL CHECK (format IN ('csv', 'json', 'zip', 'xlsx')),
    status TEXT NOT NULL DEFAULT 'pending'
      CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
    filters TEXT NOT NULL DEFAULT '{}',
    progress REAL NOT NULL DEFAULT 0,
    processed INTEGER NOT NULL DEFAULT 0,
    total INTEGER,
    row_count INTEGER,
    file_name TEXT,
    file_path TEXT,
    file_size INTEGER,
    sha256 TEXT,
    error TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT
  )`,
  `CREATE INDEX export_jobs_status ON export_jobs (status, created_at)`,

  `CREATE TABLE prompt_templates (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    variables TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`,
  `CREATE TABLE prompt_versions (
    id TEXT PRIMARY KEY,
    template_id TEXT NOT NULL REFERENCES prompt_templates(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    body TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    UNIQUE (template_id, number)
  )`,
  `CREATE UNIQUE INDEX prompt_versions_one_active ON prompt_versions (template_id) WHERE active = 1`,
  `CREATE TABLE prompt_experiments (
    id TEXT PRIMARY KEY,
    template_id TEXT NOT NULL UNIQUE REFERENCES prompt_templates(id) ON DELETE CASCADE,
    variants TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`,
  `CREATE TABLE prompt_usage (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    version_id TEXT NOT NULL REFERENCES prompt_versions(id) ON DELETE CASCADE,
    event_id TEXT REFERENCES events(id) ON DELETE SET NULL,
    at TEXT NOT NULL,
    latency_ms REAL,
    parse_failed INTEGER NOT NULL DEFAULT 0,
    risk_score INTEGER
  )`,
  `CREATE INDEX prompt_usage_version ON prompt_usage (version_id, at)`,

  `CREATE TABLE gpu_stats (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    device TEXT NOT NULL,
    utilization REAL,
    memory_used_mb REAL,
    memory_total_mb REAL,
    temperature_c REAL,
    power_w REAL,
    inference_ms REAL
  )`,
  `CREATE INDEX gpu_stats_at ON gpu_stats (at)`,
  `CREATE TABLE logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    level TEXT NOT NULL,
    module TEXT,
    message TEXT NOT NULL,
    correlation_id TEXT,
    context TEXT
  )`,
  `CREATE INDEX logs_at ON logs (at)`,
  `CREATE INDEX logs_level_at ON logs (level, at)`,
  `CREATE TABLE rum_samples (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    name TEXT NOT NULL CHECK (name IN ('LCP', 'FID', 'INP', 'CLS', 'TTFB', 'FCP')),
    value REAL NOT NULL CHECK (value >= 0),
    rating TEXT NOT NULL CHECK (rating IN ('good', 'needs-improvement', 'poor')),
    path TEXT NOT NULL,
    metric_id TEXT
  )`,
  `CREATE INDEX rum_samples_name_path_at ON rum_samples (name, path, at)`,
  `CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`,
  `CREATE TABLE debug_recordings (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    channel TEXT NOT NULL,
    input TEXT NOT NULL,
    output TEXT,
    ok INTEGER NOT NULL,
    duration_ms REAL NOT NULL,
    correlation_id TEXT NOT NULL
  )`,
  `CREATE INDEX debug_recordings_at ON debug_recordings (at)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
  const now = new Date().toISOString();
  await sql`INSERT INTO calibration (id, updated_at) VALUES (1, ${now})`.execute(db);
  await sql`INSERT INTO notification_preferences (id, updated_at) VALUES (1, ${now})`.execute(db);
}
