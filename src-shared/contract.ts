/**
 * The one operator API contract (API.md). Every channel is declared once here: its name,
 * the zod schema its input is validated with, and its output type. The router, both
 * transports and the renderer's client are all typed from this table.
 */
import { z } from 'zod';
import type {
  NotificationPreferences,
  Delivery,
  NotificationChannel,
  Alert,
  AlertRule,
  RuleTestResult,
  Camera,
  CameraDeleteResult,
  CameraSnapshot,
  CameraStatus,
  Detection,
  DetectorStatus,
  FtpCredentials,
  IngestStatus,
  QuarantinedFile,
  SecurityEvent,
  EventFeedback,
  EventStats,
  FeedbackStats,
  ExportDownloadInfo,
  IgnoreOffer,
  BreakerSnapshot,
  DebugRecording,
  LogEntry,
  LogLevels,
  ReplayResult,
  ConnectionInfo,
  RumIngestResult,
  RumSummaryRow,
  StageStatus,
  BackupInfo,
  ModelChoice,
  Job,
  JobHistoryEntry,
  DeadLetter,
  RequeueResult,
  RiskLevel,
  ExportJob,
  SystemHealth,
  Zone,
} from './domain';
import {
  ALERT_STATUSES,
  DELIVERY_STATUSES,
  EXPORT_FORMATS,
  EXPORT_STATUSES,
  FEEDBACK_TYPES,
  JOB_STATUSES,
  LOG_LEVELS,
  RUM_METRICS,
  RUM_RATINGS,
  RISK_LEVELS,
  ZONE_KINDS,
  pointSchema,
} from './domain';
import type { Calibration, CalibrationPreview } from './calibration';
import type { CalibrationSuggestions } from './calibration-suggest';
import { thresholdIssues } from './calibration';
import type {
  EvaluationReport,
  PromptImportResult,
  LlmTestResult,
  LocalLlmServer,
  PlaygroundResult,
  PromptAnalytics,
  PromptExperiment,
  PromptTemplate,
  PromptTemplateDetail,
  PromptVersion,
  PromptsExport,
} from './prompts';
import {
  EXPERIMENT_MODES,
  rollbackPolicySchema,
  variableNameSchema,
  versionParamsPatchSchema,
} from './prompts';
import type {
  ActivityHeatmap,
  AlertsByRuleRow,
  CameraUptime,
  DetectionTrendRow,
  FalsePositiveRow,
  ObjectShare,
  RiskHistoryRow,
  StorageUsage,
} from './analytics';
import type { MachineSample, PipelineTelemetry } from './telemetry';
import type { RpcResult } from './errors';
import type { RetentionReport } from './retention';
import type { Service } from './services';
import type { Settings } from './settings';
import { mqttTlsSchema, mqttUrl, settingsPatchSchema } from './settings';
import type { MqttMessageRecord, MqttStatus, MqttTestResult } from './mqtt';

interface ChannelDef<I extends z.ZodType, O> {
  input: I;
  /** Type-only marker for the output; never read at run time. */
  output: O;
  /** Channels only present while debug mode is on. */
  debugOnly?: boolean;
}

function channel<I extends z.ZodType, O>(input: I, opts: { debugOnly?: boolean } = {}) {
  return { input, output: undefined as unknown as O, ...opts } satisfies ChannelDef<I, O>;
}

const id = z.string().min(1).max(200);
const empty = z.strictObject({});

const cameraName = z
  .string()
  .trim()
  .min(1, 'Name is required')
  .max(80, 'Name must be at most 80 characters')
  .refine((v) => /[\p{L}\p{N}]/u.test(v), 'Name must contain a letter or digit');

export const cameraCreateSchema = z.strictObject({
  name: cameraName,
  folder: z.string().trim().min(1).max(1024).optional(),
  enabled: z.boolean().optional(),
});

/** Per-camera detection overrides; null goes back to the detector settings. */
const cameraDetection = {
  confidence: z.number().min(0).max(1).nullable().optional(),
  classes: z.array(z.string().trim().min(1).max(40)).max(80).nullable().optional(),
};

export const cameraUpdateSchema = z.strictObject({
  id,
  name: cameraName.optional(),
  folder: z.string().trim().min(1).max(1024).optional(),
  enabled: z.boolean().optional(),
  ...cameraDetection,
});

const zoneFields = {
  name: z.string().trim().min(1, 'Name is required').max(80),
  kind: z.enum(ZONE_KINDS),
  points: z.array(pointSchema).min(2).max(64),
  riskWeight: z.number().min(0).max(10).optional(),
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'Colour must look like #3B82F6')
    .optional(),
  enabled: z.boolean().optional(),
  /** Ignore zones only: the classes ignored (null or absent: every class). */
  objectClasses: z.array(z.string().trim().min(1).max(40)).min(1).max(80).nullable().optional(),
};

function checkZonePoints(
  v: { kind?: (typeof ZONE_KINDS)[number]; points?: [number, number][] },
  ctx: z.RefinementCtx,
) {
  if (!v.kind || !v.points) return;
  if (v.kind !== 'line' && v.points.length < 3) {
    ctx.addIssue({
      code: 'custom',
      path: ['points'],
      message: `A${v.kind === 'ignore' ? 'n ignore' : ' polygon'} zone needs at least 3 points`,
    });
  }
  if (v.kind === 'line' && v.points.length !== 2) {
    ctx.addIssue({
      code: 'custom',
      path: ['points'],
      message: 'A line zone needs exactly 2 points',
    });
  }
}

export const zoneCreateSchema = z
  .strictObject({ cameraId: id, ...zoneFields })
  .superRefine(checkZonePoints);

export const zoneUpdateSchema = z
  .strictObject({
    id,
    name: zoneFields.name.optional(),
    kind: zoneFields.kind.optional(),
    points: zoneFields.points.optional(),
    riskWeight: zoneFields.riskWeight,
    color: zoneFields.color,
    enabled: zoneFields.enabled,
    objectClasses: zoneFields.objectClasses,
  })
  .superRefine(checkZonePoints);

export const ftpPasswordSchema = z.strictObject({
  id,
  /** Omit to generate a strong one. */
  password: z.string().min(8, 'Use at least 8 characters').max(128).optional(),
});

export const importFilesSchema = z.strictObject({
  cameraId: id,
  paths: z.array(z.string().min(1).max(4096)).min(1).max(1000),
});

export interface ImportResult {
  queued: number;
  rejected: { path: string; reason: string }[];
}

export const quarantineListSchema = z.strictObject({
  cameraId: id.optional(),
  limit: z.number().int().min(1).max(500).optional(),
});

const isoTime = z.iso.datetime({ offset: true });

export const detectionsListSchema = z.strictObject({
  eventId: id.optional(),
  cameraId: id.optional(),
  imageId: z.number().int().min(1).optional(),
  objectClasses: z.array(z.string().min(1)).max(80).optional(),
  minConfidence: z.number().min(0).max(1).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(500).optional(),
});

export const eventFilterSchema = z.strictObject({
  cameraIds: z.array(id).max(200).optional(),
  riskLevels: z.array(z.enum(RISK_LEVELS)).max(4).optional(),
  minRisk: z.number().min(0).max(100).optional(),
  maxRisk: z.number().min(0).max(100).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  objectClasses: z.array(z.string().min(1).max(40)).max(80).optional(),
  reviewed: z.boolean().optional(),
  /** Full-text (FTS5 syntax) over summary, reasoning, camera name and object classes. */
  q: z
    .string()
    .trim()
    .min(1)
    .max(200)
    // FTS5 reads a query that starts with * as a "special query" and fails with an SQL error.
    .refine((q) => !q.startsWith('*'), 'A search cannot start with *')
    .optional(),
});
export type EventFilter = z.output<typeof eventFilterSchema>;

export const eventsListSchema = eventFilterSchema.extend({
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(500).optional(),
});

export const eventUpdateSchema = z.strictObject({
  id,
  reviewed: z.boolean().optional(),
  falsePositive: z.boolean().optional(),
  notes: z.string().max(5000).optional(),
});

export const eventsBulkUpdateSchema = z.strictObject({
  ids: z.array(id).min(1).max(500),
  reviewed: z.boolean(),
});

export const eventFeedbackSchema = z.strictObject({
  eventId: id,
  type: z.enum(FEEDBACK_TYPES),
  notes: z.string().max(2000).optional(),
  expectedSeverity: z.enum(RISK_LEVELS).optional(),
});

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Use HH:MM (24-hour)');

const timezone = z
  .string()
  .min(1)
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'Unknown time zone');

const thresholdValue = z.number().int().min(1).max(100);
const thresholdsObject = z.strictObject({
  medium: thresholdValue,
  high: thresholdValue,
  critical: thresholdValue,
});
/** Risk-level thresholds: strictly increasing by at least 5 (an issue names the field). */
export const thresholdsSchema = thresholdsObject.superRefine((t, ctx) => {
  for (const { path, message } of thresholdIssues(t))
    ctx.addIssue({ code: 'custom', path, message });
});
/** Class or camera → factor 0–3 (1 = unchanged). */
const multipliersSchema = z.record(
  z.string().trim().min(1).max(200),
  z.number().min(0, 'Use a factor from 0 to 3').max(3, 'Use a factor from 0 to 3'),
);

export const nightProfileSchema = z.strictObject({
  start: hhmm,
  end: hhmm,
  timezone: timezone.optional(),
  thresholds: thresholdsSchema,
  classMultipliers: multipliersSchema.default({}),
});

/**
 * A change to the calibration: thresholds may be partial (checked merged with the current
 * ones); maps replace the stored ones; `night: null` removes the night profile.
 */
export const calibrationUpdateSchema = z.strictObject({
  thresholds: thresholdsObject.partial().optional(),
  classMultipliers: multipliersSchema.optional(),
  cameraSensitivity: multipliersSchema.optional(),
  night: nightProfileSchema.nullable().optional(),
  decayFactor: z.number().min(0).max(1).optional(),
});

/** A candidate calibration (as for update) over a scope (default: the last 30 days). */
export const calibrationPreviewSchema = z.strictObject({
  calibration: calibrationUpdateSchema.default({}),
  scope: eventFilterSchema.optional(),
});
export const calibrationScopeSchema = z.strictObject({ scope: eventFilterSchema.optional() });

export const jobsListSchema = z.strictObject({
  kind: z.string().min(1).max(60).optional(),
  status: z.enum(JOB_STATUSES).optional(),
  /** The id of the last job of the previous page (newest first). */
  cursor: id.optional(),
  limit: z.number().int().min(1).max(200).optional(),
});
export const deadLettersListSchema = z.strictObject({
  jobId: id.optional(),
  kind: z.string().min(1).max(60).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(500).optional(),
});
export const deadLettersScopeSchema = z.strictObject({
  jobId: id.optional(),
  id: z.number().int().min(1).optional(),
});
const serviceNameInput = z.strictObject({ name: z.string().min(1).max(60) });
const modelNameInput = z.strictObject({ name: z.string().min(1).max(100) });
export const serviceLogsSchema = z.strictObject({
  name: z.string().min(1).max(60),
  level: z.enum(LOG_LEVELS).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(500).optional(),
});
export const retentionRunSchema = z.strictObject({ dryRun: z.boolean().optional() });

export const recordingsListSchema = z.strictObject({
  channel: z.string().min(1).max(100).optional(),
  limit: z.number().int().min(1).max(500).optional(),
});
export const replaySchema = z.strictObject({ id, confirm: z.boolean().optional() });
export const logLevelSchema = z.strictObject({
  level: z.enum(LOG_LEVELS).optional(),
  module: z.string().trim().min(1).max(60).optional(),
});
export const debugLogsSchema = z.strictObject({
  level: z.enum(LOG_LEVELS).optional(),
  module: z.string().min(1).max(60).optional(),
  correlationId: z.string().min(1).max(200).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(500).optional(),
});

/** One RUM metric; a batch is checked metric by metric (the good ones are kept). */
export const rumMetricSchema = z.object({
  name: z.enum(RUM_METRICS),
  value: z.number().finite().min(0),
  rating: z.enum(RUM_RATINGS),
  path: z.string().min(1).max(200),
  id: z.string().max(100).optional(),
});
export const rumIngestSchema = z.strictObject({
  metrics: z.array(z.unknown()).min(1).max(200),
});
export const rumSummarySchema = z.strictObject({
  from: isoTime.optional(),
  to: isoTime.optional(),
});

export const feedbackStatsSchema = z.strictObject({
  from: isoTime.optional(),
  to: isoTime.optional(),
});

const alertRuleFields = {
  name: z.string().trim().min(1, 'Name is required').max(120),
  enabled: z.boolean().optional(),
  minRiskScore: z.number().int().min(0).max(100).nullable().optional(),
  riskLevels: z.array(z.enum(RISK_LEVELS)).min(1).max(4).nullable().optional(),
  objectClasses: z.array(z.string().trim().min(1).max(40)).min(1).max(80).nullable().optional(),
  cameraIds: z.array(id).min(1).max(200).nullable().optional(),
  zoneIds: z.array(id).min(1).max(200).nullable().optional(),
  minConfidence: z.number().min(0).max(1).nullable().optional(),
  schedule: z
    .strictObject({
      days: z.array(z.number().int().min(0).max(6)).min(1).max(7),
      start: hhmm,
      end: hhmm,
      timezone: timezone.optional(),
    })
    .nullable()
    .optional(),
  cooldownSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86400)
    .optional(),
  dedupKeyTemplate: z
    .string()
    .min(1)
    .max(200)
    .refine(
      (t) =>
        [...t.matchAll(/\{(\w+)\}/g)].every((m) =>
          ['cameraId', 'ruleId', 'severity', 'objectClass'].includes(m[1]!),
        ),
      'Placeholders: {cameraId}, {ruleId}, {severity}, {objectClass}',
    )
    .optional(),
  severity: z.enum(RISK_LEVELS),
  channelIds: z.array(id).max(50).optional(),
};

export const alertRuleCreateSchema = z.strictObject(alertRuleFields);
export const alertRuleUpdateSchema = z.strictObject({
  id,
  ...Object.fromEntries(Object.entries(alertRuleFields).map(([k, v]) => [k, v.optional()])),
} as { id: typeof id } & {
  [K in keyof typeof alertRuleFields]: z.ZodOptional<(typeof alertRuleFields)[K]>;
});

export const alertRuleTestSchema = z.strictObject({
  rule: z.union([z.strictObject({ id }), alertRuleCreateSchema]),
  eventIds: z.array(id).min(1).max(500).optional(),
  limit: z.number().int().min(1).max(500).optional(),
});

export const alertsListSchema = z.strictObject({
  status: z.enum(ALERT_STATUSES).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(500).optional(),
});

const httpUrl = z.url({ protocol: /^https?$/, error: 'Use an http:// or https:// address' });

export const webhookConfigSchema = z.strictObject({
  url: httpUrl,
  /** HMAC-SHA256 signing secret; stored encrypted. */
  secret: z.string().min(8).max(500).optional(),
  timeoutMs: z.number().int().min(100).max(60_000).default(5000),
});

export const emailConfigSchema = z.strictObject({
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65535).default(587),
  /** implicit TLS (465) or STARTTLS (587) or none (loopback relays only). */
  security: z.enum(['tls', 'starttls', 'none']).default('starttls'),
  user: z.string().max(255).optional(),
  /** Stored encrypted. */
  password: z.string().max(500).optional(),
  from: z.email(),
  to: z.array(z.email()).min(1).max(20),
  timeoutMs: z.number().int().min(100).max(60_000).default(10_000),
});

/** An MQTT topic to publish to: no wildcards, no empty levels. */
const mqttTopic = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^#+/]+(\/[^#+/]+)*$/, 'Use a topic like home/alerts (no + or #)')
  .refine((t) => !t.includes('\u0000'), 'A topic cannot hold a NUL character');

export const mqttChannelConfigSchema = z.strictObject({
  topic: mqttTopic,
  /** Keep the latest alert on the topic for subscribers that join later. */
  retain: z.boolean().default(false),
});

/** `mqtt.test`: these connection settings over the saved ones. */
export const mqttTestSchema = z.strictObject({
  url: mqttUrl.optional(),
  username: z.string().max(200).optional(),
  /** Left out or "[REDACTED]": the saved password (sent only to the saved broker). */
  password: z.string().max(500).optional(),
  clientId: z.string().trim().max(100).optional(),
  tls: mqttTlsSchema.partial().optional(),
});

export const channelCreateSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('webhook'),
    name: z.string().trim().min(1).max(80),
    enabled: z.boolean().optional(),
    config: webhookConfigSchema,
  }),
  z.strictObject({
    kind: z.literal('email'),
    name: z.string().trim().min(1).max(80),
    enabled: z.boolean().optional(),
    config: emailConfigSchema,
  }),
  z.strictObject({
    kind: z.literal('desktop'),
    name: z.string().trim().min(1).max(80),
    enabled: z.boolean().optional(),
    config: z.strictObject({}).default({}),
  }),
  z.strictObject({
    kind: z.literal('mqtt'),
    name: z.string().trim().min(1).max(80),
    enabled: z.boolean().optional(),
    config: mqttChannelConfigSchema,
  }),
]);

export const channelUpdateSchema = z.strictObject({
  id,
  name: z.string().trim().min(1).max(80).optional(),
  enabled: z.boolean().optional(),
  /** Replaces the config (validated for the channel's kind); "[REDACTED]" keeps a stored secret. */
  config: z.record(z.string(), z.unknown()).optional(),
});

export const preferencesUpdateSchema = z.strictObject({
  mutedCameraIds: z.array(id).max(200).optional(),
  quietHours: z
    .strictObject({
      start: hhmm,
      end: hhmm,
      days: z.array(z.number().int().min(0).max(6)).min(1).max(7).default([0, 1, 2, 3, 4, 5, 6]),
      timezone: timezone.optional(),
    })
    .nullable()
    .optional(),
  maxPerHour: z.number().int().min(1).max(10_000).nullable().optional(),
  channelMinSeverity: z.record(id, z.enum(RISK_LEVELS)).optional(),
});

export const deliveriesListSchema = z.strictObject({
  status: z.enum(DELIVERY_STATUSES).optional(),
  alertId: id.optional(),
  limit: z.number().int().min(1).max(500).optional(),
});

export const exportCreateSchema = z.strictObject({
  format: z.enum(EXPORT_FORMATS),
  /** The same filter as the timeline; an empty filter exports every event. */
  filters: eventFilterSchema.default({}),
  /** ZIP only: add the snapshot images (default true). */
  includeImages: z.boolean().optional(),
});

export const exportsListSchema = z.strictObject({
  status: z.enum(EXPORT_STATUSES).optional(),
  limit: z.number().int().min(1).max(500).optional(),
});

export interface EventWithDetections extends SecurityEvent {
  detections: Detection[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const variables = z.array(variableNameSchema).max(50);
const constants = z.record(variableNameSchema, z.string().max(4000));
const promptBody = z.string().min(1, 'The prompt is empty').max(20_000);
const changeDescription = z.string().max(500);
/** A version's content: body, declared variables, constant values, model parameters. */
const versionContent = {
  body: promptBody,
  variables: variables.optional(),
  constants: constants.optional(),
  params: versionParamsPatchSchema.optional(),
};
export const templateCreateSchema = z.strictObject({
  name: z.string().trim().min(1).max(80),
  description: z.string().max(500).optional(),
  body: promptBody,
  variables,
  constants: constants.optional(),
  params: versionParamsPatchSchema.optional(),
});
export const versionCreateSchema = z.strictObject({
  templateId: id,
  ...versionContent,
  changeDescription: changeDescription.optional(),
  activate: z.boolean().optional(),
});
export const versionsListSchema = z.strictObject({
  templateId: id,
  limit: z.int().min(1).max(500).optional(),
});
export const rollbackSchema = z.strictObject({
  templateId: id,
  /** The version to restore; the one before the active version when left out. */
  versionId: id.optional(),
  changeDescription: changeDescription.optional(),
});
export const renderSchema = z
  .strictObject({
    versionId: id.optional(),
    templateId: id.optional(),
    variables: z.record(z.string().max(100), z.string().max(20_000)),
  })
  .refine((v) => Boolean(v.versionId) !== Boolean(v.templateId), {
    message: 'Give either versionId or templateId',
  });
export const experimentSetSchema = z
  .strictObject({
    templateId: id,
    variants: z
      .array(z.strictObject({ versionId: id, weight: z.number().min(0).max(1000) }))
      .min(2, 'An experiment needs at least two versions')
      .max(5),
    mode: z.enum(EXPERIMENT_MODES).default('split'),
    rollback: rollbackPolicySchema.partial().optional(),
  })
  .refine((e) => new Set(e.variants.map((v) => v.versionId)).size === e.variants.length, {
    message: 'Each version can be a variant once',
  })
  .refine((e) => e.variants.some((v) => v.weight > 0), { message: 'Give some version a weight' });
export const analyticsSchema = z.strictObject({
  templateId: id,
  from: isoTime.optional(),
  to: isoTime.optional(),
});
export const evaluateSchema = z.strictObject({
  versionId: id,
  /** Default: every event with feedback. */
  scope: eventFilterSchema.optional(),
  limit: z.int().min(1).max(10_000).optional(),
});
const draftSchema = z.strictObject({ templateId: id, ...versionContent });
export const playgroundSchema = z.union([
  z.strictObject({ eventId: id, versionId: id }),
  z.strictObject({ eventId: id, draft: draftSchema }),
]);
export const playgroundPromoteSchema = z.union([
  z.strictObject({ versionId: id, changeDescription: changeDescription.optional() }),
  z.strictObject({ draft: draftSchema, changeDescription: changeDescription.optional() }),
]);
export const importSchema = z.strictObject({
  json: z.string().min(2).max(5_000_000),
  preview: z.boolean().optional(),
});
export const llmModelsSchema = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/, error: 'Use an http:// or https:// address' }).optional(),
  apiKey: z.string().max(1000).optional(),
});
export const llmTestSchema = llmModelsSchema.extend({
  model: z.string().trim().min(1).max(200).optional(),
});

export const analyticsRangeSchema = z.strictObject({
  /** Default: 30 days before `to`. */
  from: isoTime.optional(),
  /** Default: now. */
  to: isoTime.optional(),
  cameraIds: z.array(id).max(200).optional(),
});

export const gpuStatsSchema = z.strictObject({
  /** Default: 24 hours before `to`. */
  from: isoTime.optional(),
  to: isoTime.optional(),
  /** Default: both, oldest first. */
  resolution: z.enum(['raw', 'minute']).optional(),
});
export const telemetrySchema = z.strictObject({
  /** Seconds back from now (default one hour, at most a week). */
  window: z.int().min(60).max(604_800).optional(),
});

export const channels = {
  'system.health': channel<typeof empty, SystemHealth>(empty),
  'system.settings.get': channel<typeof empty, Settings>(empty),
  'system.settings.update': channel<typeof settingsPatchSchema, Settings>(settingsPatchSchema),
  /** A consistent copy of the database now (SQLite's online backup), in `DATA/backups`. */
  'system.backup': channel<typeof empty, BackupInfo>(empty),

  'cameras.list': channel<typeof empty, Camera[]>(empty),
  'cameras.get': channel<z.ZodObject<{ id: typeof id }>, Camera>(z.strictObject({ id })),
  'cameras.create': channel<typeof cameraCreateSchema, Camera>(cameraCreateSchema),
  'cameras.update': channel<typeof cameraUpdateSchema, Camera>(cameraUpdateSchema),
  'cameras.delete': channel<z.ZodObject<{ id: typeof id }>, CameraDeleteResult>(
    z.strictObject({ id }),
  ),

  'zones.list': channel<z.ZodObject<{ cameraId: typeof id }>, Zone[]>(
    z.strictObject({ cameraId: id }),
  ),
  'zones.create': channel<typeof zoneCreateSchema, Zone>(zoneCreateSchema),
  'zones.update': channel<typeof zoneUpdateSchema, Zone>(zoneUpdateSchema),
  'zones.delete': channel<z.ZodObject<{ id: typeof id }>, Zone>(z.strictObject({ id })),

  'cameras.snapshots': channel<typeof empty, CameraSnapshot[]>(empty),
  'cameras.ftp.setPassword': channel<typeof ftpPasswordSchema, FtpCredentials>(ftpPasswordSchema),

  'ingest.importFiles': channel<typeof importFilesSchema, ImportResult>(importFilesSchema),
  'ingest.status': channel<typeof empty, IngestStatus>(empty),
  /** Stops taking new snapshots (they wait in their folders) until resumed or restarted. */
  'ingest.pause': channel<typeof empty, IngestStatus>(empty),
  /** Takes snapshots again: the folders are looked through for what arrived meanwhile. */
  'ingest.resume': channel<typeof empty, IngestStatus>(empty),
  'ingest.quarantine.list': channel<typeof quarantineListSchema, QuarantinedFile[]>(
    quarantineListSchema,
  ),
  'detector.status': channel<typeof empty, DetectorStatus>(empty),
  /** The manifest's models: installed, downloadable, in use. */
  'detector.models': channel<typeof empty, ModelChoice[]>(empty),
  /** Downloads a model as a job (progress in bytes; size and sha256 checked; a retry resumes). */
  'detector.download': channel<typeof modelNameInput, Job>(modelNameInput),
  'detections.list': channel<typeof detectionsListSchema, Page<Detection>>(detectionsListSchema),

  'events.list': channel<typeof eventsListSchema, Page<SecurityEvent>>(eventsListSchema),
  'events.get': channel<z.ZodObject<{ id: typeof id }>, EventWithDetections>(
    z.strictObject({ id }),
  ),
  'events.update': channel<typeof eventUpdateSchema, SecurityEvent>(eventUpdateSchema),
  'events.bulkUpdate': channel<typeof eventsBulkUpdateSchema, { updated: number }>(
    eventsBulkUpdateSchema,
  ),
  'events.stats': channel<typeof eventFilterSchema, EventStats>(eventFilterSchema),
  'events.feedback': channel<typeof eventFeedbackSchema, EventFeedback>(eventFeedbackSchema),
  /** After repeated false positives at one spot: the "ignore here" region to offer, or null. */
  'events.ignoreOffer': channel<z.ZodObject<{ id: typeof id }>, IgnoreOffer | null>(
    z.strictObject({ id }),
  ),
  'feedback.stats': channel<typeof feedbackStatsSchema, FeedbackStats>(feedbackStatsSchema),

  'calibration.get': channel<typeof empty, Calibration>(empty),
  'calibration.update': channel<typeof calibrationUpdateSchema, Calibration>(
    calibrationUpdateSchema,
  ),
  'calibration.reset': channel<typeof empty, Calibration>(empty),
  'calibration.defaults': channel<typeof empty, Calibration>(empty),
  'calibration.preview': channel<typeof calibrationPreviewSchema, CalibrationPreview>(
    calibrationPreviewSchema,
  ),
  'calibration.suggest': channel<typeof calibrationScopeSchema, CalibrationSuggestions>(
    calibrationScopeSchema,
  ),
  'calibration.reevaluate': channel<typeof calibrationScopeSchema, { jobId: string }>(
    calibrationScopeSchema,
  ),

  'jobs.get': channel<z.ZodObject<{ id: typeof id }>, Job>(z.strictObject({ id })),
  'jobs.list': channel<typeof jobsListSchema, Job[]>(jobsListSchema),
  'jobs.cancel': channel<z.ZodObject<{ id: typeof id }>, Job>(z.strictObject({ id })),
  /** Every status change and log line of one job, oldest first. */
  'jobs.history': channel<z.ZodObject<{ id: typeof id }>, JobHistoryEntry[]>(
    z.strictObject({ id }),
  ),
  /** Items a job could not process, newest first (never silently dropped). */
  'jobs.deadLetters.list': channel<typeof deadLettersListSchema, Page<DeadLetter>>(
    deadLettersListSchema,
  ),
  /** Runs one dead letter's item again, in a new job of its kind. */
  'jobs.deadLetters.requeue': channel<typeof deadLettersScopeSchema, RequeueResult>(
    deadLettersScopeSchema,
  ),
  /** Every dead letter (of one job when `jobId` is given) again, in one new job per kind. */
  'jobs.deadLetters.requeueAll': channel<typeof deadLettersScopeSchema, RequeueResult>(
    deadLettersScopeSchema,
  ),
  'jobs.deadLetters.purge': channel<typeof deadLettersScopeSchema, { purged: number }>(
    deadLettersScopeSchema,
  ),

  'services.list': channel<typeof empty, Service[]>(empty),
  'services.get': channel<typeof serviceNameInput, Service>(serviceNameInput),
  'services.start': channel<typeof serviceNameInput, Service>(serviceNameInput),
  'services.stop': channel<typeof serviceNameInput, Service>(serviceNameInput),
  /** Stops and starts it; the failure count starts over. A disabled service is `conflict`. */
  'services.restart': channel<typeof serviceNameInput, Service>(serviceNameInput),
  /** Clears a disable (by hand or after repeated failures) and starts it. */
  'services.enable': channel<typeof serviceNameInput, Service>(serviceNameInput),
  'services.disable': channel<typeof serviceNameInput, Service>(serviceNameInput),
  /** The service's log lines (a managed process's output among them), newest first. */
  'services.logs': channel<typeof serviceLogsSchema, Page<LogEntry>>(serviceLogsSchema),

  /** What a retention run would delete now (a dry run: nothing changes). */
  'retention.preview': channel<typeof empty, RetentionReport>(empty),
  /** Starts a retention run (or a dry run) as a job; its result holds the counts. */
  'retention.run': channel<typeof retentionRunSchema, Job>(retentionRunSchema),

  'alertRules.list': channel<typeof empty, AlertRule[]>(empty),
  'alertRules.create': channel<typeof alertRuleCreateSchema, AlertRule>(alertRuleCreateSchema),
  'alertRules.update': channel<typeof alertRuleUpdateSchema, AlertRule>(alertRuleUpdateSchema),
  'alertRules.delete': channel<z.ZodObject<{ id: typeof id }>, AlertRule>(z.strictObject({ id })),
  'alertRules.test': channel<typeof alertRuleTestSchema, RuleTestResult>(alertRuleTestSchema),
  'alerts.list': channel<typeof alertsListSchema, Page<Alert>>(alertsListSchema),
  'alerts.acknowledge': channel<z.ZodObject<{ id: typeof id }>, Alert>(z.strictObject({ id })),
  'alerts.dismiss': channel<z.ZodObject<{ id: typeof id }>, Alert>(z.strictObject({ id })),

  'notify.channels.list': channel<typeof empty, NotificationChannel[]>(empty),
  'notify.channels.create': channel<typeof channelCreateSchema, NotificationChannel>(
    channelCreateSchema,
  ),
  'notify.channels.update': channel<typeof channelUpdateSchema, NotificationChannel>(
    channelUpdateSchema,
  ),
  'notify.channels.delete': channel<z.ZodObject<{ id: typeof id }>, NotificationChannel>(
    z.strictObject({ id }),
  ),
  'notify.channels.test': channel<z.ZodObject<{ id: typeof id }>, { ok: boolean; error?: string }>(
    z.strictObject({ id }),
  ),
  'notify.preferences.get': channel<typeof empty, NotificationPreferences>(empty),
  'notify.preferences.update': channel<typeof preferencesUpdateSchema, NotificationPreferences>(
    preferencesUpdateSchema,
  ),
  'notify.deliveries.list': channel<typeof deliveriesListSchema, Delivery[]>(deliveriesListSchema),
  'notify.deliveries.retry': channel<z.ZodObject<{ id: typeof id }>, Delivery>(
    z.strictObject({ id }),
  ),

  'exports.create': channel<typeof exportCreateSchema, ExportJob>(exportCreateSchema),
  'exports.list': channel<typeof exportsListSchema, ExportJob[]>(exportsListSchema),
  'exports.get': channel<z.ZodObject<{ id: typeof id }>, ExportJob>(z.strictObject({ id })),
  'exports.cancel': channel<z.ZodObject<{ id: typeof id }>, ExportJob>(z.strictObject({ id })),
  'exports.downloadInfo': channel<z.ZodObject<{ id: typeof id }>, ExportDownloadInfo>(
    z.strictObject({ id }),
  ),
  /** Desktop app only: a Save As dialog copies the finished file (`unavailable` in a browser). */
  'exports.saveAs': channel<
    z.ZodObject<{ id: typeof id }>,
    { saved: boolean; path: string | null }
  >(z.strictObject({ id })),
  /** Desktop app only: shows the finished file in the system file manager. */
  'exports.reveal': channel<z.ZodObject<{ id: typeof id }>, { ok: boolean }>(
    z.strictObject({ id }),
  ),

  /** Core Web Vitals from the renderer: the valid metrics are kept, the others named. */
  'prompts.templates.list': channel<typeof empty, PromptTemplate[]>(empty),
  'prompts.templates.get': channel<z.ZodObject<{ id: typeof id }>, PromptTemplateDetail>(
    z.strictObject({ id }),
  ),
  'prompts.templates.create': channel<typeof templateCreateSchema, PromptTemplateDetail>(
    templateCreateSchema,
  ),
  'prompts.versions.list': channel<typeof versionsListSchema, PromptVersion[]>(versionsListSchema),
  'prompts.versions.create': channel<typeof versionCreateSchema, PromptVersion>(
    versionCreateSchema,
  ),
  'prompts.versions.activate': channel<z.ZodObject<{ versionId: typeof id }>, PromptVersion>(
    z.strictObject({ versionId: id }),
  ),
  'prompts.rollback': channel<typeof rollbackSchema, PromptVersion>(rollbackSchema),
  'prompts.render': channel<typeof renderSchema, { text: string }>(renderSchema),
  'prompts.experiment.get': channel<
    z.ZodObject<{ templateId: typeof id }>,
    PromptExperiment | null
  >(z.strictObject({ templateId: id })),
  'prompts.experiment.set': channel<typeof experimentSetSchema, PromptExperiment>(
    experimentSetSchema,
  ),
  'prompts.experiment.stop': channel<z.ZodObject<{ templateId: typeof id }>, { stopped: boolean }>(
    z.strictObject({ templateId: id }),
  ),
  'prompts.experiment.promote': channel<z.ZodObject<{ versionId: typeof id }>, PromptVersion>(
    z.strictObject({ versionId: id }),
  ),
  'prompts.analytics': channel<typeof analyticsSchema, PromptAnalytics>(analyticsSchema),
  'prompts.evaluate': channel<typeof evaluateSchema, { jobId: string }>(evaluateSchema),
  'prompts.evaluation': channel<z.ZodObject<{ jobId: typeof id }>, EvaluationReport>(
    z.strictObject({ jobId: id }),
  ),
  'prompts.playground': channel<typeof playgroundSchema, PlaygroundResult>(playgroundSchema),
  'prompts.playground.promote': channel<typeof playgroundPromoteSchema, PromptVersion>(
    playgroundPromoteSchema,
  ),
  'prompts.export': channel<typeof empty, PromptsExport>(empty),
  'prompts.import': channel<typeof importSchema, PromptImportResult>(importSchema),
  'llm.models': channel<typeof llmModelsSchema, { models: string[]; source: string }>(
    llmModelsSchema,
  ),
  'llm.detect': channel<typeof empty, LocalLlmServer[]>(empty),
  'llm.test': channel<typeof llmTestSchema, LlmTestResult>(llmTestSchema),

  'mqtt.status': channel<typeof empty, MqttStatus>(empty),
  'mqtt.messages': channel<typeof empty, MqttMessageRecord[]>(empty),
  'mqtt.test': channel<typeof mqttTestSchema, MqttTestResult>(mqttTestSchema),

  'analytics.detectionTrends': channel<typeof analyticsRangeSchema, DetectionTrendRow[]>(
    analyticsRangeSchema,
  ),
  'analytics.riskHistory': channel<typeof analyticsRangeSchema, RiskHistoryRow[]>(
    analyticsRangeSchema,
  ),
  'analytics.cameraUptime': channel<typeof analyticsRangeSchema, CameraUptime[]>(
    analyticsRangeSchema,
  ),
  'analytics.objectDistribution': channel<typeof analyticsRangeSchema, ObjectShare[]>(
    analyticsRangeSchema,
  ),
  'analytics.heatmap': channel<typeof analyticsRangeSchema, ActivityHeatmap>(analyticsRangeSchema),
  'analytics.alertsByRule': channel<typeof analyticsRangeSchema, AlertsByRuleRow[]>(
    analyticsRangeSchema,
  ),
  'analytics.falsePositiveRate': channel<typeof analyticsRangeSchema, FalsePositiveRow[]>(
    analyticsRangeSchema,
  ),
  'system.storage': channel<typeof empty, StorageUsage>(empty),
  'gpu.stats': channel<typeof gpuStatsSchema, MachineSample[]>(gpuStatsSchema),
  'system.telemetry': channel<typeof telemetrySchema, PipelineTelemetry>(telemetrySchema),
  'rum.ingest': channel<typeof rumIngestSchema, RumIngestResult>(rumIngestSchema),
  'rum.summary': channel<typeof rumSummarySchema, RumSummaryRow[]>(rumSummarySchema),

  'debug.config': channel<typeof empty, Record<string, unknown>>(empty, { debugOnly: true }),
  'debug.recordings.list': channel<typeof recordingsListSchema, DebugRecording[]>(
    recordingsListSchema,
    { debugOnly: true },
  ),
  'debug.recordings.get': channel<z.ZodObject<{ id: typeof id }>, DebugRecording>(
    z.strictObject({ id }),
    { debugOnly: true },
  ),
  'debug.recordings.clear': channel<typeof empty, { cleared: number }>(empty, { debugOnly: true }),
  /** Runs a recorded call again; one that changes data needs `confirm: true`. */
  'debug.recordings.replay': channel<typeof replaySchema, ReplayResult>(replaySchema, {
    debugOnly: true,
  }),
  'debug.logLevel': channel<typeof logLevelSchema, LogLevels>(logLevelSchema, { debugOnly: true }),
  'debug.logs': channel<typeof debugLogsSchema, Page<LogEntry>>(debugLogsSchema, {
    debugOnly: true,
  }),
  /** Per stage: waiting, in flight, workers, done in the last minute, oldest wait, errors. */
  'debug.pipeline': channel<typeof empty, StageStatus[]>(empty, { debugOnly: true }),
  'debug.breakers': channel<typeof empty, BreakerSnapshot[]>(empty, { debugOnly: true }),
  /** Renderer windows and WebSocket clients receiving pushes. */
  'debug.connections': channel<typeof empty, ConnectionInfo[]>(empty, { debugOnly: true }),
  'debug.openBatches': channel<
    typeof empty,
    { cameraId: string; detections: number; openedAt: string }[]
  >(empty, { debugOnly: true }),
} as const;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export type ChannelInput<C extends ChannelName> = z.input<Channels[C]['input']>;
export type ChannelParsedInput<C extends ChannelName> = z.output<Channels[C]['input']>;
export type ChannelOutput<C extends ChannelName> = Channels[C]['output'];

export const CHANNEL_NAMES = Object.keys(channels) as ChannelName[];

/**
 * Channels that change nothing: safe to call again (a debug replay runs them without asking).
 * Every other channel changes data or does something outside (a test notification, a file).
 */
export const READ_ONLY_CHANNELS: ReadonlySet<ChannelName> = new Set<ChannelName>([
  'system.health',
  'system.settings.get',
  'cameras.list',
  'cameras.get',
  'zones.list',
  'cameras.snapshots',
  'ingest.status',
  'ingest.quarantine.list',
  'detector.status',
  'detector.models',
  'detections.list',
  'events.list',
  'events.get',
  'events.stats',
  'events.ignoreOffer',
  'feedback.stats',
  'calibration.get',
  'calibration.defaults',
  'calibration.preview',
  'calibration.suggest',
  'jobs.get',
  'jobs.list',
  'jobs.history',
  'jobs.deadLetters.list',
  'services.list',
  'services.get',
  'services.logs',
  'alertRules.list',
  'alertRules.test',
  'alerts.list',
  'notify.channels.list',
  'notify.preferences.get',
  'notify.deliveries.list',
  'exports.list',
  'exports.get',
  'exports.downloadInfo',
  'prompts.templates.list',
  'prompts.templates.get',
  'prompts.versions.list',
  'prompts.render',
  'prompts.experiment.get',
  'prompts.analytics',
  'prompts.evaluation',
  'prompts.export',
  'llm.models',
  'llm.detect',
  'mqtt.status',
  'mqtt.messages',
  'rum.summary',
  'analytics.detectionTrends',
  'analytics.riskHistory',
  'analytics.cameraUptime',
  'analytics.objectDistribution',
  'analytics.heatmap',
  'analytics.alertsByRule',
  'analytics.falsePositiveRate',
  'system.storage',
  'gpu.stats',
  'system.telemetry',
  'debug.config',
  'debug.recordings.list',
  'debug.recordings.get',
  'debug.logs',
  'debug.pipeline',
  'debug.breakers',
  'debug.openBatches',
  'debug.connections',
]);

export function isChannelName(name: string): name is ChannelName {
  return Object.prototype.hasOwnProperty.call(channels, name);
}

/** Push events (IPC webContents.send / WebSocket), each `{ type, data }`. */
export interface PushEvents {
  /** A desktop-channel notification for connected windows (shown as a toast in the browser). */
  'notification.desktop': { title: string; body: string; severity: string; eventId: string | null };
  'detections.created': { cameraId: string; imageId: number; count: number };
  'camera.status': Camera;
  'camera.deleted': { id: string };
  /** The whole service, on every change of it (or of a dependency it needs). */
  'service.status': Service;
  'mqtt.status': MqttStatus;
  /** A managed service taken out of the settings (stopped and forgotten). */
  'service.removed': { name: string };
  'settings.updated': Settings;
  'event.created': SecurityEvent;
  'event.updated': SecurityEvent;
  'alert.created': Alert;
  'alert.updated': Alert;
  'delivery.updated': Delivery;
  /** The whole job, on every status change and at most every 250 ms while it runs. */
  'export.progress': ExportJob;
  /** The whole job, on every status change and at most every 250 ms while it runs. */
  'job.progress': Job;
  /** Many events changed at once (a re-evaluation batch): one message per batch. */
  'events.updated': {
    reason: 'recalibrated';
    jobId: string;
    events: { id: string; riskScore: number; riskLevel: RiskLevel }[];
  };
  'ingest.status': IngestStatus;
  'detector.status': DetectorStatus;
}
export type PushType = keyof PushEvents;
export type PushMessage = { [K in PushType]: { type: K; data: PushEvents[K] } }[PushType];

export type { CameraStatus };

/** The one client interface the renderer uses, over either transport. */
export interface HsiClient {
  invoke<C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>>;
  on<T extends PushType>(type: T, listener: (data: PushEvents[T]) => void): () => void;
}

/** What the Electron preload exposes as `window.hsi` (results are unwrapped by the client). */
export interface HsiBridge {
  invoke(channel: string, input: unknown): Promise<RpcResult<unknown>>;
  on(type: string, listener: (data: unknown) => void): () => void;
  /** The file-system path of a dropped or picked file (Electron only). */
  pathForFile?(file: File): string;
}
