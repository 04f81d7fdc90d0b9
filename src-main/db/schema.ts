import type { Generated } from 'kysely';

/** Kysely's view of the SQLite schema (migrations/). Booleans are 0/1, JSON is text. */
type Bool = 0 | 1;

export interface CamerasTable {
  id: string;
  name: string;
  folder: string;
  enabled: Generated<Bool>;
  status: Generated<'online' | 'offline' | 'unknown'>;
  last_seen_at: string | null;
  ftp_user: string | null;
  ftp_password_hash: string | null;
  confidence: number | null;
  classes: string | null;
  created_at: string;
  updated_at: string;
}

export interface ZonesTable {
  id: string;
  camera_id: string;
  name: string;
  kind: 'polygon' | 'line' | 'ignore';
  points: string;
  risk_weight: Generated<number>;
  color: Generated<string>;
  enabled: Generated<Bool>;
  created_at: string;
  updated_at: string;
  /** Ignore zones: JSON array of the classes ignored; null = every class. */
  object_classes: string | null;
}

export interface IngestQueueTable {
  id: Generated<number>;
  camera_id: string;
  path: string;
  sha256: string | null;
  size: number | null;
  source: 'folder' | 'ftp' | 'import';
  status: Generated<'queued' | 'processing' | 'done' | 'failed' | 'quarantined' | 'duplicate'>;
  attempts: Generated<number>;
  error: string | null;
  quarantine_path: string | null;
  enqueued_at: string;
  started_at: string | null;
  finished_at: string | null;
  width: number | null;
  height: number | null;
  mtime_ms: number | null;
  /** Follows one ingested image through the pipeline (logs); null on older rows. */
  correlation_id: string | null;
}

export interface DedupeHashesTable {
  sha256: string;
  camera_id: string;
  seen_at: string;
}

export interface DetectionsTable {
  id: string;
  camera_id: string;
  image_path: string;
  image_sha256: string | null;
  image_width: number | null;
  image_height: number | null;
  detected_at: string;
  object_class: string;
  confidence: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  stationary: Generated<Bool>;
  model: string | null;
  created_at: string;
  image_id: number | null;
  /** Inside an ignore zone: kept, never batched. */
  suppressed: Generated<Bool>;
}

export interface BatchesTable {
  id: string;
  camera_id: string;
  status: Generated<'open' | 'closing' | 'closed'>;
  opened_at: string;
  last_detection_at: string;
  detection_ids: Generated<string>;
  is_fast_path: Generated<Bool>;
  closed_at: string | null;
  /** Follows one ingested image through the pipeline (logs); null on older rows. */
  correlation_id: string | null;
}

export interface EventsTable {
  id: string;
  batch_id: string | null;
  camera_id: string;
  started_at: string;
  ended_at: string;
  risk_score: number;
  raw_risk_score: number | null;
  risk_level: 'low' | 'medium' | 'high' | 'critical';
  summary: Generated<string>;
  reasoning: Generated<string>;
  scorer: 'llm' | 'rules';
  model: string | null;
  prompt_version_id: string | null;
  analysis: string | null;
  latency_ms: number | null;
  object_classes: Generated<string>;
  detection_count: Generated<number>;
  is_fast_path: Generated<Bool>;
  reviewed: Generated<Bool>;
  false_positive: Generated<Bool>;
  notes: Generated<string>;
  created_at: string;
  updated_at: string;
  /** Follows one ingested image through the pipeline (logs); null on older rows. */
  correlation_id: string | null;
  /** JSON ScoreComponents (class → component before calibration); null on older rows. */
  score_components: string | null;
  /** Bumped by every write (optimistic concurrency). */
  version: Generated<number>;
}

export interface EventDetectionsTable {
  event_id: string;
  detection_id: string;
  created_at: string;
}

export interface EventFeedbackTable {
  id: string;
  event_id: string;
  type: 'correct' | 'false_positive' | 'missed_threat' | 'severity_wrong';
  notes: string | null;
  expected_severity: string | null;
  created_at: string;
}

export interface AlertRulesTable {
  id: string;
  name: string;
  enabled: Generated<Bool>;
  min_risk_score: number | null;
  risk_levels: string | null;
  object_classes: string | null;
  camera_ids: string | null;
  zone_ids: string | null;
  min_confidence: number | null;
  schedule: string | null;
  cooldown_seconds: Generated<number>;
  dedup_key_template: Generated<string>;
  severity: string;
  channel_ids: Generated<string>;
  created_at: string;
  updated_at: string;
}

export interface AlertsTable {
  id: string;
  rule_id: string | null;
  event_id: string;
  severity: string;
  status: Generated<'active' | 'acknowledged' | 'dismissed'>;
  dedup_key: string;
  matched_conditions: Generated<string>;
  rule_name: string | null;
  created_at: string;
  updated_at: string;
  /** Follows one ingested image through the pipeline (logs); null on older rows. */
  correlation_id: string | null;
  /** Why the app resolved it ('recalibrated'); null when the homeowner did. */
  resolved_reason: string | null;
}

export interface NotificationChannelsTable {
  id: string;
  kind: 'email' | 'webhook' | 'desktop' | 'mqtt';
  name: string;
  enabled: Generated<Bool>;
  config: Generated<string>;
  secrets_ciphertext: string | null;
  created_at: string;
  updated_at: string;
}

export interface DeliveriesTable {
  id: string;
  alert_id: string | null;
  channel_id: string;
  status: Generated<'pending' | 'sending' | 'sent' | 'failed' | 'dead' | 'suppressed'>;
  attempts: Generated<number>;
  next_attempt_at: string | null;
  last_error: string | null;
  suppressed_reason: string | null;
  idempotency_key: string;
  digest_of: string | null;
  sent_at: string | null;
  created_at: string;
  updated_at: string;
  /** Follows one ingested image through the pipeline (logs); null on older rows. */
  correlation_id: string | null;
}

export interface NotificationPreferencesTable {
  id: number;
  muted_camera_ids: Generated<string>;
  max_per_hour: number | null;
  channel_min_severity: Generated<string>;
  updated_at: string;
}

export interface QuietHoursTable {
  id: string;
  label: Generated<string>;
  start: string;
  end: string;
  days: Generated<string>;
  enabled: Generated<Bool>;
  timezone: string | null;
}

export interface CalibrationTable {
  id: number;
  class_multipliers: Generated<string>;
  camera_sensitivity: Generated<string>;
  medium_threshold: Generated<number>;
  high_threshold: Generated<number>;
  critical_threshold: Generated<number>;
  decay_factor: Generated<number>;
  correct_count: Generated<number>;
  false_positive_count: Generated<number>;
  missed_threat_count: Generated<number>;
  severity_wrong_count: Generated<number>;
  /** JSON NightProfile, or null. */
  night_profile: string | null;
  updated_at: string;
}

type JobStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface JobsTable {
  id: string;
  kind: string;
  status: Generated<JobStatus>;
  progress: Generated<number>;
  processed: Generated<number>;
  total: number | null;
  params: Generated<string>;
  result: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

export interface ServiceStateTable {
  name: string;
  enabled: Generated<number>;
  disabled_reason: string | null;
  failures: Generated<number>;
  restarts: Generated<number>;
  last_error: string | null;
  updated_at: string;
}

export interface MqttQueueTable {
  id: Generated<number>;
  topic: string;
  payload: Buffer;
  qos: number;
  retain: number;
  created_at: string;
}

export interface JobHistoryTable {
  id: Generated<number>;
  job_id: string;
  at: string;
  level: string;
  status: string | null;
  message: string;
}

export interface JobDeadLettersTable {
  id: Generated<number>;
  job_id: string;
  kind: string;
  item: string;
  error: string;
  attempts: Generated<number>;
  at: string;
}

export interface ExportJobsTable {
  id: string;
  format: 'csv' | 'json' | 'zip' | 'xlsx';
  status: Generated<JobStatus>;
  filters: Generated<string>;
  progress: Generated<number>;
  processed: Generated<number>;
  total: number | null;
  row_count: number | null;
  file_name: string | null;
  file_path: string | null;
  file_size: number | null;
  sha256: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  include_images: Generated<Bool>;
}

export interface PromptTemplatesTable {
  id: string;
  name: string;
  description: Generated<string>;
  live: Generated<Bool>;
  created_at: string;
  updated_at: string;
}

export interface PromptVersionsTable {
  id: string;
  template_id: string;
  number: number;
  body: string;
  variables: string;
  constants: Generated<string>;
  params: string;
  active: Generated<Bool>;
  change_description: Generated<string>;
  created_by: string;
  source_version_id: string | null;
  text_only_reason: string | null;
  created_at: string;
}

export interface PromptExperimentsTable {
  template_id: string;
  mode: 'split' | 'shadow';
  variants: string;
  rollback: string;
  started_at: string;
  updated_at: string;
}

export interface PromptRunsTable {
  id: Generated<number>;
  version_id: string | null;
  draft_hash: string | null;
  kind: 'live' | 'shadow' | 'evaluate' | 'playground';
  event_id: string | null;
  batch_id: string | null;
  job_id: string | null;
  at: string;
  latency_ms: number;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  outcome: 'ok' | 'parse_failed' | 'failed';
  error: string | null;
  risk_score: number | null;
  score: number | null;
  answer: string | null;
  raw: string | null;
}

export interface PromptRollbacksTable {
  id: Generated<number>;
  template_id: string;
  version_id: string;
  reason: string;
  detail: string;
  at: string;
}

export interface EventDayCountsTable {
  day: string;
  camera_id: string;
  low: number;
  medium: number;
  high: number;
  critical: number;
}

export interface EventHourCountsTable {
  day: string;
  hour: number;
  camera_id: string;
  n: number;
}

export interface DetectionDayCountsTable {
  day: string;
  camera_id: string;
  object_class: string;
  n: number;
}

export interface CameraStatusLogTable {
  id: Generated<number>;
  camera_id: string;
  status: 'online' | 'offline' | 'unknown';
  at: string;
}

export interface GpuStatsTable {
  id: Generated<number>;
  at: string;
  device: string;
  utilization: number | null;
  memory_used_mb: number | null;
  memory_total_mb: number | null;
  temperature_c: number | null;
  power_w: number | null;
  inference_ms: number | null;
  resolution: Generated<'raw' | 'minute'>;
  samples: Generated<number>;
  cpu_percent: number | null;
  rss_mb: number | null;
  inferences: number | null;
  queue_depth: number | null;
}

export interface LogsTable {
  id: Generated<number>;
  at: string;
  level: string;
  module: string | null;
  message: string;
  correlation_id: string | null;
  context: string | null;
}

export interface RumSamplesTable {
  id: Generated<number>;
  at: string;
  name: 'LCP' | 'FID' | 'INP' | 'CLS' | 'TTFB' | 'FCP';
  value: number;
  rating: 'good' | 'needs-improvement' | 'poor';
  path: string;
  metric_id: string | null;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface DebugRecordingsTable {
  id: string;
  at: string;
  channel: string;
  input: string;
  output: string | null;
  ok: Bool;
  duration_ms: number;
  correlation_id: string;
  transport: string | null;
  code: string | null;
  truncated: Generated<Bool>;
  /** The correlation id of the call a replay re-ran. */
  replay_of: string | null;
}

export interface DB {
  cameras: CamerasTable;
  zones: ZonesTable;
  ingest_queue: IngestQueueTable;
  dedupe_hashes: DedupeHashesTable;
  detections: DetectionsTable;
  batches: BatchesTable;
  events: EventsTable;
  event_detections: EventDetectionsTable;
  event_feedback: EventFeedbackTable;
  alert_rules: AlertRulesTable;
  alerts: AlertsTable;
  notification_channels: NotificationChannelsTable;
  deliveries: DeliveriesTable;
  notification_preferences: NotificationPreferencesTable;
  quiet_hours: QuietHoursTable;
  calibration: CalibrationTable;
  jobs: JobsTable;
  job_history: JobHistoryTable;
  job_dead_letters: JobDeadLettersTable;
  service_state: ServiceStateTable;
  mqtt_queue: MqttQueueTable;
  export_jobs: ExportJobsTable;
  prompt_templates: PromptTemplatesTable;
  prompt_versions: PromptVersionsTable;
  prompt_experiments: PromptExperimentsTable;
  prompt_runs: PromptRunsTable;
  event_day_counts: EventDayCountsTable;
  event_hour_counts: EventHourCountsTable;
  detection_day_counts: DetectionDayCountsTable;
  camera_status_log: CameraStatusLogTable;
  prompt_rollbacks: PromptRollbacksTable;
  gpu_stats: GpuStatsTable;
  logs: LogsTable;
  rum_samples: RumSamplesTable;
  settings: SettingsTable;
  debug_recordings: DebugRecordingsTable;
}
