/**
 * The Settings page's form: the editable settings as the inputs hold them (text for numbers,
 * so a half-typed number is kept), named by their settings path, and the schema that makes
 * the patch of what changed — checked by the contract's settings patch schema.
 */
import { z } from 'zod';
import { DETECTOR_FAMILIES } from '../src-shared/domain';
import type { Settings, SettingsPatch } from '../src-shared/settings';
import { REDACTED, detectorEndpointSchema, settingsPatchSchema } from '../src-shared/settings';
import { typedNumber } from './forms/numbers';

/** One inference server as its row of inputs holds it. */
const endpointRow = z.object({
  url: z.string(),
  model: z.string(),
  /** "[REDACTED]" while a token is stored: left as is (same address), it keeps that token. */
  token: z.string(),
  maxConcurrent: z.string(),
});

export type EndpointRow = z.input<typeof endpointRow>;

/** The settings allow this many inference servers. */
export const MAX_ENDPOINTS = 16;

const DEFAULT_MAX_CONCURRENT = String(
  detectorEndpointSchema.parse({ url: 'http://127.0.0.1' }).maxConcurrent,
);

/** A new, empty inference server row. */
export function emptyEndpointRow(): EndpointRow {
  return { url: '', model: '', token: '', maxConcurrent: DEFAULT_MAX_CONCURRENT };
}

/** One more LLM server as its row of inputs holds it. */
const llmEndpointRow = z.object({
  baseUrl: z.string(),
  model: z.string(),
  /** "[REDACTED]" while a key is stored: left as is (same address), it keeps that key. */
  apiKey: z.string(),
});

export type LlmEndpointRow = z.input<typeof llmEndpointRow>;

/** A new, empty LLM server row. */
export function emptyLlmEndpointRow(): LlmEndpointRow {
  return { baseUrl: '', model: '', apiKey: '' };
}

export type LlmBalanceSetting = Settings['llm']['balance'];

/** The choices for `llm.balance`. */
export const LLM_BALANCE_CHOICES: readonly { value: LlmBalanceSetting; label: string }[] = [
  { value: 'priority', label: 'In order: the first that answers' },
  { value: 'round-robin', label: 'In turn: spread the analyses' },
];

const settingsForm = z.object({
  debug: z.boolean(),
  retentionDays: z.string(),
  cameras: z.object({ offlineAfterSeconds: z.string() }),
  detector: z.object({
    confidence: z.string(),
    model: z.string(),
    modelPath: z.string(),
    family: z.enum(['auto', ...DETECTOR_FAMILIES]),
    intraOpThreads: z.string(),
    concurrency: z.string(),
    decodeWorkers: z.string(),
    allowSpinning: z.boolean(),
    classes: z.string(),
    /** `local`, or a kind of inference server (checked by the settings patch schema). */
    backend: z.custom<DetectorBackendSetting>((v) => typeof v === 'string'),
    endpoints: z.array(endpointRow),
    fallbackToLocal: z.boolean(),
    v2Binary: z.boolean(),
    v2SharedMemory: z.boolean(),
  }),
  ingest: z.object({
    stabilitySeconds: z.string(),
    minBytes: z.string(),
    highWater: z.string(),
    lowWater: z.string(),
    usePolling: z.boolean(),
    ftp: z.object({ enabled: z.boolean(), host: z.string(), port: z.string() }),
  }),
  llm: z.object({
    enabled: z.boolean(),
    baseUrl: z.string(),
    model: z.string(),
    /** "[REDACTED]" while a key is stored: left as is, it keeps that key. */
    apiKey: z.string(),
    timeoutMs: z.string(),
    endpoints: z.array(llmEndpointRow),
    balance: z.enum(['priority', 'round-robin']),
  }),
});

export type SettingsForm = z.input<typeof settingsForm>;

export type DetectorBackendSetting = Settings['detector']['backend'];

export type DetectorFamilySetting = Settings['detector']['family'];

/** The choices for `detector.family`, as the Settings page and the setup wizard offer them. */
export const DETECTOR_FAMILY_CHOICES: readonly { value: DetectorFamilySetting; label: string }[] = [
  { value: 'auto', label: 'Work it out from the model' },
  { value: 'yolox', label: 'YOLOX' },
  { value: 'nanodet', label: 'NanoDet' },
  { value: 'yolo', label: 'YOLO (Ultralytics)' },
  { value: 'rtdetr', label: 'RT-DETR' },
];

/** Every field's settings path (server issues are shown under the field with that path). */
export const SETTINGS_FIELD_KEYS = [
  'debug',
  'retentionDays',
  'cameras.offlineAfterSeconds',
  'detector.confidence',
  'detector.model',
  'detector.modelPath',
  'detector.family',
  'detector.intraOpThreads',
  'detector.concurrency',
  'detector.decodeWorkers',
  'detector.allowSpinning',
  'detector.classes',
  'detector.backend',
  ...Array.from({ length: MAX_ENDPOINTS }, (_, i) =>
    (['url', 'model', 'token', 'maxConcurrent'] as const).map(
      (f) => `detector.endpoints.${i}.${f}`,
    ),
  ).flat(),
  'detector.fallbackToLocal',
  'detector.v2Binary',
  'detector.v2SharedMemory',
  'ingest.stabilitySeconds',
  'ingest.minBytes',
  'ingest.highWater',
  'ingest.lowWater',
  'ingest.usePolling',
  'ingest.ftp.enabled',
  'ingest.ftp.host',
  'ingest.ftp.port',
  'llm.enabled',
  'llm.baseUrl',
  'llm.model',
  'llm.apiKey',
  'llm.timeoutMs',
  ...Array.from({ length: MAX_ENDPOINTS }, (_, i) =>
    (['baseUrl', 'model', 'apiKey'] as const).map((f) => `llm.endpoints.${i}.${f}`),
  ).flat(),
  'llm.balance',
] as const;

/** "person, car,,dog " → ["person", "car", "dog"]. */
export function parseList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function formFrom(s: Settings): SettingsForm {
  return {
    debug: s.debug,
    retentionDays: String(s.retentionDays),
    cameras: { offlineAfterSeconds: String(s.cameras.offlineAfterSeconds) },
    detector: {
      confidence: String(s.detector.confidence),
      model: s.detector.model,
      modelPath: s.detector.modelPath ?? '',
      family: s.detector.family,
      intraOpThreads: String(s.detector.intraOpThreads),
      concurrency: String(s.detector.concurrency),
      decodeWorkers: String(s.detector.decodeWorkers),
      allowSpinning: s.detector.allowSpinning,
      classes: s.detector.classes.join(', '),
      backend: s.detector.backend,
      endpoints: s.detector.endpoints.map((e) => ({
        url: e.url,
        model: e.model ?? '',
        token: e.token ?? '',
        maxConcurrent: String(e.maxConcurrent),
      })),
      fallbackToLocal: s.detector.fallbackToLocal,
      v2Binary: s.detector.v2Binary,
      v2SharedMemory: s.detector.v2SharedMemory,
    },
    ingest: {
      stabilitySeconds: String(s.ingest.stabilitySeconds),
      minBytes: String(s.ingest.minBytes),
      highWater: String(s.ingest.highWater),
      lowWater: String(s.ingest.lowWater),
      usePolling: s.ingest.usePolling,
      ftp: {
        enabled: s.ingest.ftp.enabled,
        host: s.ingest.ftp.host,
        port: String(s.ingest.ftp.port),
      },
    },
    llm: {
      enabled: s.llm.enabled,
      baseUrl: s.llm.baseUrl,
      model: s.llm.model,
      apiKey: s.llm.apiKey ?? '',
      timeoutMs: String(s.llm.timeoutMs),
      endpoints: s.llm.endpoints.map((e) => ({
        baseUrl: e.baseUrl,
        model: e.model ?? '',
        apiKey: e.apiKey ?? '',
      })),
      balance: s.llm.balance,
    },
  };
}

type Json = Record<string, unknown>;

type EndpointSetting = Settings['detector']['endpoints'][number];

/**
 * The inference server rows → the settings' list (the whole list is sent: it replaces the
 * saved one). Issues are at `detector.endpoints.<row>.<field>`, the rows' own paths.
 */
function endpointsFrom(
  rows: readonly EndpointRow[],
  savedUrls: ReadonlySet<string>,
  ctx: z.RefinementCtx,
): EndpointSetting[] {
  return rows.map((row, i) => {
    const at = ['detector', 'endpoints', i];
    const url = row.url.trim();
    const endpoint: EndpointSetting = {
      url,
      maxConcurrent: typedNumber(row.maxConcurrent, [...at, 'maxConcurrent'], ctx),
    };
    const model = row.model.trim();
    if (model) endpoint.model = model;
    const token = row.token.trim();
    if (token) endpoint.token = token;
    // The server keeps a stored token for the address it was saved with, and no other.
    if (token === REDACTED && !savedUrls.has(url)) {
      ctx.addIssue({
        code: 'custom',
        path: [...at, 'token'],
        message: 'Type the token again: a saved token stays with the address it was saved for',
      });
    }
    return endpoint;
  });
}

type LlmEndpointSetting = Settings['llm']['endpoints'][number];

/**
 * The LLM server rows → the settings' list (sent whole: it replaces the saved one). Issues
 * are at `llm.endpoints.<row>.<field>`, the rows' own paths.
 */
function llmEndpointsFrom(
  rows: readonly LlmEndpointRow[],
  savedUrls: ReadonlySet<string>,
  ctx: z.RefinementCtx,
): LlmEndpointSetting[] {
  return rows.map((row, i) => {
    const baseUrl = row.baseUrl.trim();
    const endpoint: LlmEndpointSetting = { baseUrl };
    const model = row.model.trim();
    if (model) endpoint.model = model;
    const apiKey = row.apiKey.trim();
    if (apiKey) endpoint.apiKey = apiKey;
    // The server keeps a stored key for the address it was saved with, and no other.
    if (apiKey === REDACTED && !savedUrls.has(baseUrl)) {
      ctx.addIssue({
        code: 'custom',
        path: ['llm', 'endpoints', i, 'apiKey'],
        message: 'Type the key again: a saved key stays with the address it was saved for',
      });
    }
    return endpoint;
  });
}

/**
 * The form → the patch of what differs from `saved` (text trimmed, numbers parsed, an empty
 * model file clearing it), checked by the contract's settings patch schema. The inference
 * servers are sent as a whole list when any row changed — not while "This computer" is
 * chosen (the rows are hidden then, so nothing wrong in them could be shown). The LLM
 * servers likewise, as a whole list when any row changed.
 */
export function settingsFormSchema(saved: Settings) {
  const before = formFrom(saved);
  const savedUrls = new Set(saved.detector.endpoints.map((e) => e.url));
  const savedLlmUrls = new Set(saved.llm.endpoints.map((e) => e.baseUrl));
  return settingsForm
    .transform((full, ctx): SettingsPatch => {
      const { endpoints, ...detector } = full.detector;
      const { endpoints: llmEndpoints, ...llm } = full.llm;
      const form = { ...full, detector, llm };
      const patch: Json = {};
      const walk = (now: Json, was: Json, path: string[], into: Json) => {
        for (const [key, value] of Object.entries(now)) {
          const at = [...path, key];
          const old = was[key];
          if (value !== null && typeof value === 'object') {
            const child: Json = {};
            walk(value as Json, old as Json, at, child);
            if (Object.keys(child).length > 0) into[key] = child;
          } else if (value !== old) {
            into[key] = convert(at.join('.'), value, at, ctx);
          }
        }
      };
      walk(form, before, [], patch);
      if (detector.backend !== 'local') {
        if (endpoints.length === 0) {
          ctx.addIssue({
            code: 'custom',
            path: ['detector', 'backend'],
            message: 'Add an inference server, or choose This computer',
          });
        }
        if (JSON.stringify(endpoints) !== JSON.stringify(before.detector.endpoints)) {
          const list = endpointsFrom(endpoints, savedUrls, ctx);
          patch.detector = { ...(patch.detector as Json | undefined), endpoints: list };
        }
      }
      if (JSON.stringify(llmEndpoints) !== JSON.stringify(before.llm.endpoints)) {
        const list = llmEndpointsFrom(llmEndpoints, savedLlmUrls, ctx);
        patch.llm = { ...(patch.llm as Json | undefined), endpoints: list };
      }
      return patch;
    })
    .pipe(settingsPatchSchema as z.ZodType<SettingsPatch, SettingsPatch>);
}

const TEXT_FIELDS = new Set([
  'detector.backend',
  'detector.model',
  'detector.modelPath',
  'detector.family',
  'ingest.ftp.host',
  'llm.baseUrl',
  'llm.model',
  'llm.apiKey',
  'llm.balance',
]);

/** One changed field's value as the settings hold it. */
function convert(key: string, value: unknown, path: string[], ctx: z.RefinementCtx): unknown {
  if (typeof value === 'boolean') return value;
  const text = String(value);
  if (TEXT_FIELDS.has(key)) return text.trim();
  if (key === 'detector.classes') {
    const classes = parseList(text);
    if (classes.length === 0) {
      ctx.addIssue({ code: 'custom', path, message: 'List at least one class' });
    }
    return classes;
  }
  return typedNumber(text, path, ctx);
}
