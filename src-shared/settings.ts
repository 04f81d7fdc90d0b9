import { z } from 'zod';
import { DETECTOR_FAMILIES } from './domain';
import { supervisorSettingsSchema } from './services';

export const REDACTED = '[REDACTED]';

export const DEFAULT_DETECTOR_CLASSES = [
  'person',
  'bicycle',
  'car',
  'motorcycle',
  'bus',
  'truck',
  'bird',
  'cat',
  'dog',
];

const seconds = z.number().min(0);
const port = z.number().int().min(0).max(65535);

/** One more OpenAI-compatible server for the analyses. */
export const llmEndpointSchema = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/, error: 'Use an http:// or https:// address' }),
  /** The model's name there (default: the one the prompt version or the settings name). */
  model: z.string().trim().max(200).optional(),
  /** `[REDACTED]` on every read. */
  apiKey: z.string().max(1000).optional(),
});

/** One inference server of the detector's pool. */
export const detectorEndpointSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'Use an http:// or https:// address' }),
  /** The model's name on that server (default: the detector's model). */
  model: z.string().trim().max(200).optional(),
  /** Sent as a bearer token; `[REDACTED]` on every read. */
  token: z.string().max(500).optional(),
  maxConcurrent: z.number().int().min(1).max(64).default(4),
});

/** The app's own detector served to other machines (V2 and CodeProject.AI-compatible). */
export const detectionServerSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** Loopback unless you choose otherwise. */
  host: z.string().trim().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8471),
  /** Bearer token callers must send (none: anyone who can reach the port). */
  token: z.string().max(500).optional(),
  /**
   * Requests answered at once; more wait, beyond `queue` they are refused (429). One by
   * default: on a CPU the model already uses the cores it is given (two at once measured
   * 29 images/s against 49 one at a time on two cores); raise it for a GPU.
   */
  concurrency: z.number().int().min(1).max(32).default(1),
  queue: z.number().int().min(0).max(1000).default(32),
  maxBodyMegabytes: z.number().min(1).max(200).default(64),
  /** Detection requests accepted per second (0: no limit); more are refused (429). */
  maxPerSecond: z.number().min(0).max(10_000).default(100),
});

/** A topic prefix: levels of letters, digits, `_` and `-`, no wildcards, no leading `/`. */
const topicPrefix = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/,
    'Use letters, digits, - and _ in levels split by /',
  );

export const mqttUrl = z.url({
  protocol: /^(mqtts?|wss?)$/,
  error: 'Use an mqtt://, mqtts://, ws:// or wss:// address',
});

export const mqttTlsSchema = z.strictObject({
  /** PEM files: the broker's CA, and a client certificate and key when it asks for one. */
  caFile: z.string().default(''),
  certFile: z.string().default(''),
  keyFile: z.string().default(''),
  /** Off only for a broker with a self-signed certificate you cannot add as CA. */
  rejectUnauthorized: z.boolean().default(true),
});

/** The MQTT connection and what the app publishes there (README "MQTT and Home Assistant"). */
export const mqttSettingsSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** mqtt://, mqtts:// (TLS), ws:// or wss:// (MQTT over WebSocket). */
  url: mqttUrl.default('mqtt://127.0.0.1:1883'),
  username: z.string().max(200).optional(),
  /** Encrypted at rest, redacted on every read. */
  password: z.string().max(500).optional(),
  /** Empty: `hsi-<random>` chosen once per start. */
  clientId: z.string().trim().max(100).default(''),
  baseTopic: topicPrefix.default('hsi'),
  /** QoS of events, alerts and the notification channel (state topics use it too). */
  qos: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(1),
  tls: mqttTlsSchema.default({ caFile: '', certFile: '', keyFile: '', rejectUnauthorized: true }),
  discovery: z
    .strictObject({
      enabled: z.boolean().default(true),
      prefix: topicPrefix.default('homeassistant'),
    })
    .default({ enabled: true, prefix: 'homeassistant' }),
  /** Also publish the topic layout of Frigate (`frigate/...`) for tools built for it. */
  frigateCompatible: z.boolean().default(false),
  /** Messages kept (on disk) while the broker is unreachable; the oldest go first. */
  queueLimit: z.number().int().min(10).max(100_000).default(1000),
});

/** The whole settings object with its defaults (API.md "Settings"). */
export const settingsSchema = z.strictObject({
  debug: z.boolean().default(false),
  ingest: z
    .strictObject({
      /** Empty means `<data dir>/ingest`. */
      root: z.string().default(''),
      stabilitySeconds: seconds.default(2),
      minBytes: z.number().int().min(0).default(10240),
      dedupeWindowSeconds: seconds.default(300),
      highWater: z.number().int().min(1).default(1000),
      lowWater: z.number().int().min(0).default(500),
      usePolling: z.boolean().default(false),
      ftp: z
        .strictObject({
          enabled: z.boolean().default(false),
          host: z.string().min(1).default('127.0.0.1'),
          port: port.default(2121),
        })
        .default({ enabled: false, host: '127.0.0.1', port: 2121 }),
    })
    .refine((v) => v.lowWater < v.highWater, {
      message: 'lowWater must be below highWater',
      path: ['lowWater'],
    })
    .default(() => ({
      root: '',
      stabilitySeconds: 2,
      minBytes: 10240,
      dedupeWindowSeconds: 300,
      highWater: 1000,
      lowWater: 500,
      usePolling: false,
      ftp: { enabled: false, host: '127.0.0.1', port: 2121 },
    })),
  detector: z
    .strictObject({
      model: z.string().min(1).default('yolox_nano'),
      modelPath: z.string().optional(),
      /**
       * The family of a model file the manifest does not list, when its outputs do not tell
       * (`auto`: work it out from the outputs).
       */
      family: z.enum(['auto', ...DETECTOR_FAMILIES]).default('auto'),
      providers: z
        .array(z.enum(['cuda', 'dml', 'coreml', 'webgpu', 'cpu']))
        .min(1)
        .default(['cuda', 'dml', 'coreml', 'webgpu', 'cpu']),
      intraOpThreads: z.number().int().min(0).max(64).default(2),
      concurrency: z.number().int().min(1).max(16).default(1),
      /** Idle inference threads spin (wake faster) instead of yielding their cores. */
      allowSpinning: z.boolean().default(false),
      /** Threads that read, hash and decode snapshots; 0 = the inference thread does it. */
      decodeWorkers: z.number().int().min(0).max(8).default(1),
      confidence: z.number().min(0).max(1).default(0.5),
      classes: z.array(z.string().min(1)).default(DEFAULT_DETECTOR_CLASSES),
      /**
       * Where detection runs: this computer (`local`), Open Inference Protocol (KServe V2)
       * servers such as Triton, KServe, OpenVINO Model Server (`v2`), or CodeProject.AI /
       * DeepStack-compatible servers such as Blue Onyx (`codeproject`).
       */
      backend: z.enum(['local', 'v2', 'codeproject']).default('local'),
      endpoints: z.array(detectorEndpointSchema).max(16).default([]),
      /** Detect here when every remote endpoint is down. */
      fallbackToLocal: z.boolean().default(true),
      /** Binary tensors when the server takes them (much faster than JSON). */
      v2Binary: z.boolean().default(true),
      /** With a V2 server on this computer that offers it, tensors pass through shared memory. */
      v2SharedMemory: z.boolean().default(true),
    })
    .default(() => ({
      model: 'yolox_nano',
      family: 'auto' as const,
      providers: ['cuda', 'dml', 'coreml', 'webgpu', 'cpu'] as (
        'cuda' | 'dml' | 'coreml' | 'webgpu' | 'cpu'
      )[],
      intraOpThreads: 2,
      concurrency: 1,
      allowSpinning: false,
      decodeWorkers: 1,
      confidence: 0.5,
      classes: DEFAULT_DETECTOR_CLASSES,
      backend: 'local' as const,
      endpoints: [],
      fallbackToLocal: true,
      v2Binary: true,
      v2SharedMemory: true,
    })),
  batching: z
    .strictObject({
      windowSeconds: seconds.default(90),
      idleSeconds: seconds.default(30),
      maxDetections: z.number().int().min(1).default(500),
      fastPath: z
        .strictObject({
          classes: z.array(z.string().min(1)).default(['person']),
          minConfidence: z.number().min(0).max(2).default(0.9),
        })
        .default({ classes: ['person'], minConfidence: 0.9 }),
      stationary: z
        .strictObject({
          iou: z.number().min(0).max(1).default(0.85),
          seconds: seconds.default(600),
        })
        .default({ iou: 0.85, seconds: 600 }),
    })
    .default(() => ({
      windowSeconds: 90,
      idleSeconds: 30,
      maxDetections: 500,
      fastPath: { classes: ['person'], minConfidence: 0.9 },
      stationary: { iou: 0.85, seconds: 600 },
    })),
  llm: z
    .strictObject({
      enabled: z.boolean().default(false),
      baseUrl: z.url().default('http://127.0.0.1:8080'),
      model: z.string().min(1).default('local'),
      apiKey: z.string().optional(),
      timeoutMs: z.number().int().min(100).max(600_000).default(120_000),
      temperature: z.number().min(0).max(2).default(0.2),
      maxTokens: z.number().int().min(16).max(32_768).default(1024),
      /**
       * More OpenAI-compatible servers after `baseUrl` (replicas, a GPU box, a local fallback):
       * tried when the one before cannot answer.
       */
      endpoints: z.array(llmEndpointSchema).max(16).default([]),
      /** `priority`: the first healthy server in order; `round-robin`: spread over all. */
      balance: z.enum(['priority', 'round-robin']).default('priority'),
    })
    .default(() => ({
      enabled: false,
      baseUrl: 'http://127.0.0.1:8080',
      model: 'local',
      timeoutMs: 120_000,
      temperature: 0.2,
      maxTokens: 1024,
      endpoints: [],
      balance: 'priority' as const,
    })),
  cameras: z
    .strictObject({ offlineAfterSeconds: seconds.default(300) })
    .default({ offlineAfterSeconds: 300 }),
  /** Events, detections and their snapshots are deleted after this many days. */
  retentionDays: z.number().int().min(1).max(3650).default(30),
  /** The retention job: when it runs and how long everything else is kept. */
  retention: z
    .strictObject({
      /** Runs once a day at `hour` (local time). */
      daily: z.boolean().default(true),
      hour: z.number().int().min(0).max(23).default(3),
      logsDays: z.number().int().min(1).max(3650).default(14),
      rumDays: z.number().int().min(1).max(3650).default(30),
      /** Finished background jobs (those holding dead letters stay). */
      jobsDays: z.number().int().min(1).max(3650).default(30),
      recordingsDays: z.number().int().min(1).max(3650).default(7),
    })
    .default({ daily: true, hour: 3, logsDays: 14, rumDays: 30, jobsDays: 30, recordingsDays: 7 }),
  /** The services supervisor, and the local servers it manages (API.md `services.*`). */
  services: supervisorSettingsSchema.default(() => supervisorSettingsSchema.parse({})),
  mqtt: mqttSettingsSchema.default(() => mqttSettingsSchema.parse({})),
  detectionServer: detectionServerSchema.default(() => detectionServerSchema.parse({})),
  exports: z
    .strictObject({
      /** Empty means `<data dir>/exports`. */
      directory: z.string().default(''),
      /** Finished export files (and their jobs) are deleted after this many days. */
      retentionDays: z.number().int().min(1).max(3650).default(7),
      /** Exports running at once; the rest wait as pending. */
      concurrency: z.number().int().min(1).max(8).default(2),
    })
    .default({ directory: '', retentionDays: 7, concurrency: 2 }),
});

export type Settings = z.output<typeof settingsSchema>;

export type DeepPartial<T> = T extends (infer U)[]
  ? U[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;
export type SettingsPatch = DeepPartial<Settings>;

/** Settings keys holding secrets: redacted on every read. */
export const SECRET_SETTING_PATHS: readonly (readonly string[])[] = [
  ['llm', 'apiKey'],
  ['mqtt', 'password'],
  ['detectionServer', 'token'],
];

/**
 * A deep-partial version of a strict object schema: every key optional, defaults dropped,
 * unknown keys still rejected. The merged result is validated again with the full schema.
 */
export function deepPartial(schema: z.ZodType): z.ZodType {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  switch (def.type) {
    case 'default':
    case 'optional':
    case 'pipe':
      return deepPartial((def.innerType ?? def.in) as z.ZodType);
    case 'object': {
      const shape = (schema as z.ZodObject).shape;
      const partialShape: Record<string, z.ZodType> = {};
      for (const [key, value] of Object.entries(shape)) {
        partialShape[key] = deepPartial(value as z.ZodType).optional();
      }
      return z.strictObject(partialShape);
    }
    default:
      return schema;
  }
}

export const settingsPatchSchema = deepPartial(settingsSchema) as z.ZodType<SettingsPatch>;

export function defaultSettings(): Settings {
  return settingsSchema.parse({});
}
