import { z } from 'zod';

export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export interface RiskThresholds {
  medium: number;
  high: number;
  critical: number;
}

export const DEFAULT_THRESHOLDS: RiskThresholds = { medium: 30, high: 60, critical: 85 };

/** low < medium ≤ … < high ≤ … < critical ≤ … (score 0..100). */
export function riskLevelFor(score: number, t: RiskThresholds = DEFAULT_THRESHOLDS): RiskLevel {
  if (score >= t.critical) return 'critical';
  if (score >= t.high) return 'high';
  if (score >= t.medium) return 'medium';
  return 'low';
}

export const CAMERA_STATUSES = ['online', 'offline', 'unknown'] as const;
export type CameraStatus = (typeof CAMERA_STATUSES)[number];

export interface Camera {
  id: string;
  name: string;
  folder: string;
  enabled: boolean;
  status: CameraStatus;
  lastSeenAt: string | null;
  /** FTP login for this camera's uploads (null until a password is set). */
  ftpUser: string | null;
  /** Detection overrides for this camera (null: the detector settings apply). */
  confidence: number | null;
  classes: string[] | null;
  createdAt: string;
  updatedAt: string;
}

/** polygon: weighs risk; line: crossing it counts; ignore: detections inside never alert. */
export const ZONE_KINDS = ['polygon', 'line', 'ignore'] as const;
export type ZoneKind = (typeof ZONE_KINDS)[number];
export type Point = [number, number];

export interface Zone {
  id: string;
  cameraId: string;
  name: string;
  kind: ZoneKind;
  points: Point[];
  riskWeight: number;
  color: string;
  enabled: boolean;
  /** Ignore zones: the classes ignored (null: every class). */
  objectClasses: string[] | null;
  createdAt: string;
  updatedAt: string;
}

export interface CameraDeleteResult {
  deleted: { events: number; detections: number; zones: number };
}

export type ServiceStatus = 'running' | 'stopped' | 'degraded' | 'failed' | 'starting';

/** A circuit breaker's state, e.g. the LLM scorer's (told as it changes). */
export interface BreakerSnapshot {
  name: string;
  state: 'closed' | 'open' | 'half-open';
  /** Failures in a row. */
  failures: number;
  openedAt: string | null;
  /** When an open breaker lets a trial call through. */
  nextTrialAt: string | null;
}

export interface ServiceHealth {
  name: string;
  status: ServiceStatus;
  detail?: string;
}

export interface SystemHealth {
  status: 'ok' | 'degraded';
  version: string;
  services: ServiceHealth[];
}

/** Camera ids are the normalised name: "Front Door" → "front_door" (the reference system's rule). */
export function cameraIdFromName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
}

export const pointSchema = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]);

/** [x1, y1, x2, y2], normalised to 0..1 of the image. */
export type BBox = [number, number, number, number];

export interface Detection {
  id: string;
  eventId: string | null;
  cameraId: string;
  imageId: number;
  imagePath: string;
  imageWidth: number;
  imageHeight: number;
  detectedAt: string;
  objectClass: string;
  confidence: number;
  bbox: BBox;
  stationary: boolean;
  /** Inside an ignore zone: kept and shown, but it opened or extended no batch. */
  suppressed: boolean;
}

export interface CameraSnapshot {
  cameraId: string;
  imageId: number;
  at: string;
  width: number;
  height: number;
  detections: Pick<Detection, 'id' | 'objectClass' | 'confidence' | 'bbox'>[];
}

export interface IngestStatus {
  queueDepth: number;
  inFlight: number;
  /** Not taking new snapshots: the queue is above its high-water mark, or paused by you. */
  paused: boolean;
  /** Paused by you (`ingest.pause`), not by the queue. */
  pausedByUser: boolean;
  processed: number;
  failed: number;
  quarantined: number;
  duplicates: number;
  /** Images finished in the last minute. */
  perMinute: number;
  waitingForDetector: boolean;
}

export interface QuarantinedFile {
  id: number;
  cameraId: string;
  path: string;
  quarantinePath: string | null;
  reason: string;
  at: string;
}

export const DETECTOR_FAMILIES = ['yolox', 'nanodet', 'yolo', 'rtdetr'] as const;
export type DetectorFamily = (typeof DETECTOR_FAMILIES)[number];

/** A model of the manifest, as the setup wizard offers it (`detector.models`). */
export interface ModelChoice {
  name: string;
  family: DetectorFamily;
  file: string;
  bytes: number | null;
  licence: string | null;
  default: boolean;
  /** It has a download address (`detector.download`). */
  downloadable: boolean;
  /** Its file is in the app's or the data folder's models folder. */
  installed: boolean;
  /** The detector is set to use it. */
  active: boolean;
}

export interface DetectorStatus {
  status: 'ready' | 'loading' | 'unavailable';
  reason: string | null;
  model: string;
  family: DetectorFamily | null;
  modelPath: string | null;
  provider: string | null;
  inputSize: [number, number] | null;
  intraOpThreads: number;
  concurrency: number;
  allowSpinning: boolean;
  decodeWorkers: number;
  /** Where detection runs now: `local`, `v2` (inference servers), or `local (fallback)`. */
  backend: string;
  /** The inference servers' state when detection runs on them. */
  endpoints: DetectorEndpoint[];
}

/** One inference server of the detector's pool, as Operations shows it. */
export interface DetectorEndpoint {
  url: string;
  state: 'closed' | 'open' | 'half-open';
  outstanding: number;
  /** Smoothed latency of answered requests (ms). */
  latencyMs: number | null;
  requests: number;
  errors: number;
  lastError: string | null;
  /** How tensors travel: shared memory (same computer), binary or JSON; `image` for CodeProject.AI. */
  transport?: 'shared memory' | 'binary' | 'JSON' | 'image';
}

export interface FtpCredentials {
  cameraId: string;
  user: string;
  /** Shown once, when set; only a hash is stored. */
  password: string;
  host: string;
  port: number;
  enabled: boolean;
}

export const SCORERS = ['llm', 'rules'] as const;
export type Scorer = (typeof SCORERS)[number];

/** What a structured LLM answer adds to an event. */
export interface EventAnalysis {
  title: string;
  observations: string[];
  confidence: number | null;
  otherConcerns: string[];
}

export interface SecurityEvent {
  id: string;
  /** The batch of detections it was made from (null for imported rows). */
  batchId: string | null;
  cameraId: string;
  cameraName: string;
  startedAt: string;
  endedAt: string;
  riskScore: number;
  /** The score before calibration multipliers (what the scorer itself said). */
  rawRiskScore: number | null;
  riskLevel: RiskLevel;
  summary: string;
  reasoning: string;
  scorer: Scorer;
  model: string | null;
  promptVersionId: string | null;
  /** Title, observations, confidence and other concerns from a structured LLM answer. */
  analysis: EventAnalysis | null;
  latencyMs: number | null;
  objectClasses: string[];
  detectionCount: number;
  isFastPath: boolean;
  reviewed: boolean;
  falsePositive: boolean;
  notes: string;
  /** The image the event's thumbnail comes from (its highest-confidence detection). */
  thumbnailImageId: number | null;
  /** Follows the snapshot that opened the event through the logs (null on older events). */
  correlationId: string | null;
  createdAt: string;
  updatedAt: string;
  /** Bumped by every change (a writer that read an older version retries). */
  version: number;
}

export const FEEDBACK_TYPES = [
  'correct',
  'false_positive',
  'missed_threat',
  'severity_wrong',
] as const;
export type FeedbackType = (typeof FEEDBACK_TYPES)[number];

export interface EventFeedback {
  id: string;
  eventId: string;
  type: FeedbackType;
  notes: string | null;
  expectedSeverity: RiskLevel | null;
  createdAt: string;
}

/** Feedback counted by type, by the event's camera and by each object class in the event. */
export interface FeedbackStats {
  total: number;
  byType: Record<FeedbackType, number>;
  byCamera: Record<string, number>;
  byClass: Record<string, number>;
}

export interface EventStats {
  total: number;
  byRiskLevel: Record<RiskLevel, number>;
  byCamera: { cameraId: string; cameraName: string; count: number }[];
}

export interface AlertSchedule {
  /** 0 = Sunday … 6 = Saturday (the day the window starts). */
  days: number[];
  start: string;
  end: string;
  timezone?: string;
}

export interface AlertRule {
  id: string;
  name: string;
  enabled: boolean;
  minRiskScore: number | null;
  riskLevels: RiskLevel[] | null;
  objectClasses: string[] | null;
  cameraIds: string[] | null;
  zoneIds: string[] | null;
  minConfidence: number | null;
  schedule: AlertSchedule | null;
  cooldownSeconds: number;
  dedupKeyTemplate: string;
  severity: RiskLevel;
  channelIds: string[];
  createdAt: string;
  updatedAt: string;
}

export const ALERT_STATUSES = ['active', 'acknowledged', 'dismissed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export interface Alert {
  id: string;
  ruleId: string | null;
  ruleName: string | null;
  eventId: string;
  cameraId: string;
  severity: RiskLevel;
  status: AlertStatus;
  dedupKey: string;
  matchedConditions: string[];
  /** Why the app resolved it ('recalibrated': its event no longer matches); null otherwise. */
  resolvedReason: string | null;
  /** The correlation id of the event's snapshot (logs). */
  correlationId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface RuleTestResult {
  results: {
    eventId: string;
    matches: boolean;
    matchedConditions: string[];
    failedConditions: string[];
  }[];
  matchRate: number;
}

export const CHANNEL_KINDS = ['email', 'webhook', 'desktop', 'mqtt'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export interface NotificationChannel {
  id: string;
  kind: ChannelKind;
  name: string;
  enabled: boolean;
  /** Kind-specific settings; secrets appear as "[REDACTED]". */
  config: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export const DELIVERY_STATUSES = [
  'pending',
  'sending',
  'sent',
  'failed',
  'dead',
  'suppressed',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface Delivery {
  id: string;
  alertId: string | null;
  channelId: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  sentAt: string | null;
  createdAt: string;
}

export interface QuietHours {
  start: string;
  end: string;
  /** 0 = Sunday …; the day a window starts on (default every day). */
  days: number[];
  timezone?: string;
}

export interface NotificationPreferences {
  mutedCameraIds: string[];
  quietHours: QuietHours | null;
  /** Per channel: deliveries beyond this many per hour are folded into one digest. */
  maxPerHour: number | null;
  channelMinSeverity: Record<string, RiskLevel>;
}

export const EXPORT_FORMATS = ['csv', 'json', 'zip', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

/** An export job (API.md `ExportJob`): a row first, then a file. */
export interface ExportJob {
  id: string;
  format: ExportFormat;
  status: ExportStatus;
  /** The EventFilter the job exports. */
  filters: Record<string, unknown>;
  /** ZIP only: whether snapshot images are included. */
  includeImages: boolean;
  /** 0..100. */
  progress: number;
  /** Work units done and planned (events × passes over them). */
  processed: number;
  total: number | null;
  /** Events written (known once counted). */
  rowCount: number | null;
  fileName: string | null;
  fileSize: number | null;
  sha256: string | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface ExportDownloadInfo {
  fileName: string;
  fileSize: number;
  contentType: string;
  sha256: string;
}

export const JOB_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** A long piece of background work (re-evaluating events under a new calibration, …). */
export interface Job {
  id: string;
  kind: string;
  status: JobStatus;
  /** 0..100. */
  progress: number;
  processed: number;
  total: number | null;
  /** What it has done so far (kind-specific counts), or null. */
  result: Record<string, number> | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** A copy of the database in `DATA/backups` (`system.backup`, and before each migration). */
export interface BackupInfo {
  file: string;
  bytes: number;
  at: string;
  /** Why it was taken: before a migration, or asked for. */
  reason: 'migration' | 'manual';
}

/** One entry in a job's history: a status change or a log line. */
export interface JobHistoryEntry {
  at: string;
  level: 'info' | 'warn' | 'error';
  /** The status it changed to, for status changes. */
  status: JobStatus | null;
  message: string;
}

/** An item a job could not process, kept with the error until requeued or purged. */
export interface DeadLetter {
  id: number;
  jobId: string;
  kind: string;
  /** What the job was processing (kind-specific, e.g. `{ eventId }` or `{ path }`). */
  item: Record<string, unknown>;
  error: string;
  /** How many times it has failed. */
  attempts: number;
  at: string;
}

export interface RequeueResult {
  requeued: number;
  /** The new jobs that run them again. */
  jobIds: string[];
}

/** An "ignore here" region offered after repeated false positives at one spot. */
export interface IgnoreOffer {
  cameraId: string;
  objectClass: string;
  /** The region (a rectangle around the matching boxes), normalised 0..1. */
  points: Point[];
  /** The false-positive events whose boxes overlap here. */
  eventIds: string[];
}

/** One channel call recorded while debug mode was on (secrets redacted before storage). */
export interface DebugRecording {
  id: string;
  at: string;
  channel: string;
  transport: string | null;
  /** The input as called, with secrets replaced by "[REDACTED]". */
  input: unknown;
  /** The output (or error); a string marked "[truncated …]" when it was too long to keep. */
  output: unknown;
  ok: boolean;
  /** The error code of a failed call. */
  code: string | null;
  durationMs: number;
  correlationId: string;
  truncated: boolean;
  /** The correlation id of the call this one replayed. */
  replayOf: string | null;
}

/** Where a replayed output differs from the recorded one (JSON paths, volatile fields left out). */
export interface JsonDifference {
  path: string;
  before: unknown;
  after: unknown;
}

export interface ReplayResult {
  output: unknown;
  matches: boolean;
  diff: JsonDifference[];
  correlationId: string;
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Log levels in effect: the root's and each module's own (where one was set). */
export interface LogLevels {
  root: string;
  modules: Record<string, string>;
  /** The level replaced by this call (the module's, else the root's). */
  previous?: string;
}

export interface LogEntry {
  id: number;
  at: string;
  level: string;
  module: string | null;
  message: string;
  correlationId: string | null;
  context: Record<string, unknown> | null;
}

/** A window or WebSocket client receiving pushes (the debug panel's list). */
export interface ConnectionInfo {
  id: number;
  kind: 'window' | 'websocket';
  /** The client's Origin (WebSocket) or the window's URL. */
  origin: string | null;
  connectedSince: string;
  sent: number;
  /** Pushes not delivered (the client was closing). */
  dropped: number;
}

export const PIPELINE_STAGES = [
  'intake',
  'detect',
  'aggregate',
  'score',
  'alert',
  'outbox',
  'exports',
  'jobs',
] as const;
export type PipelineStage = (typeof PIPELINE_STAGES)[number];

/** One pipeline stage as the debug panel shows it. */
export interface StageStatus {
  stage: PipelineStage;
  /** Waiting to be worked on. */
  queueDepth: number;
  inFlight: number;
  /** Workers the stage may use (null: not a pool). */
  workers: number | null;
  /** Finished in the last minute (null: not counted for this stage). */
  perMinute: number | null;
  /** Age of the oldest waiting item, seconds (null: nothing waits). */
  oldestWaitingSeconds: number | null;
  /** The newest errors logged by the stage's modules. */
  lastErrors: { at: string; message: string; correlationId: string | null }[];
}

export const RUM_METRICS = ['LCP', 'FID', 'INP', 'CLS', 'TTFB', 'FCP'] as const;
export type RumMetricName = (typeof RUM_METRICS)[number];
export const RUM_RATINGS = ['good', 'needs-improvement', 'poor'] as const;

/** One Core Web Vitals measurement from a window (ms; CLS has no unit). */
export interface RumMetric {
  name: RumMetricName;
  value: number;
  rating: (typeof RUM_RATINGS)[number];
  /** The page (route) it was measured on. */
  path: string;
  id?: string;
}

export interface RumIngestResult {
  accepted: number;
  rejected: { index: number; reason: string }[];
}

/** Percentiles of one metric on one page over a time range. */
export interface RumSummaryRow {
  name: RumMetricName;
  path: string;
  count: number;
  p50: number;
  p75: number;
  p95: number;
}
