/**
 * The Settings page's form model: the editable values as text (so a half-typed number is
 * kept), the settings path of each field (server issues are matched on it), and the patch
 * built from what changed.
 */
import type { Settings, SettingsPatch } from '../src-shared/settings';
import type { FieldErrors } from './form-errors';

export interface SettingsForm {
  debug: boolean;
  retentionDays: string;
  confidence: string;
  offlineAfterSeconds: string;
  llmEnabled: boolean;
  llmBaseUrl: string;
  llmModel: string;
  ftpEnabled: boolean;
  ftpHost: string;
  ftpPort: string;
  stabilitySeconds: string;
  minBytes: string;
  highWater: string;
  lowWater: string;
  usePolling: boolean;
  detectorModel: string;
  modelPath: string;
  intraOpThreads: string;
  concurrency: string;
  classes: string;
}

/** Form field → settings path. */
export const PATHS = {
  debug: 'debug',
  retentionDays: 'retentionDays',
  confidence: 'detector.confidence',
  offlineAfterSeconds: 'cameras.offlineAfterSeconds',
  llmEnabled: 'llm.enabled',
  llmBaseUrl: 'llm.baseUrl',
  llmModel: 'llm.model',
  ftpEnabled: 'ingest.ftp.enabled',
  ftpHost: 'ingest.ftp.host',
  ftpPort: 'ingest.ftp.port',
  stabilitySeconds: 'ingest.stabilitySeconds',
  minBytes: 'ingest.minBytes',
  highWater: 'ingest.highWater',
  lowWater: 'ingest.lowWater',
  usePolling: 'ingest.usePolling',
  detectorModel: 'detector.model',
  modelPath: 'detector.modelPath',
  intraOpThreads: 'detector.intraOpThreads',
  concurrency: 'detector.concurrency',
  classes: 'detector.classes',
} as const satisfies Record<keyof SettingsForm, string>;

type TextField = {
  [K in keyof SettingsForm]: SettingsForm[K] extends string ? K : never;
}[keyof SettingsForm];

/** Setter for one field of the form. */
export type SetField = <K extends keyof SettingsForm>(key: K, value: SettingsForm[K]) => void;

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
    confidence: String(s.detector.confidence),
    offlineAfterSeconds: String(s.cameras.offlineAfterSeconds),
    llmEnabled: s.llm.enabled,
    llmBaseUrl: s.llm.baseUrl,
    llmModel: s.llm.model,
    ftpEnabled: s.ingest.ftp.enabled,
    ftpHost: s.ingest.ftp.host,
    ftpPort: String(s.ingest.ftp.port),
    stabilitySeconds: String(s.ingest.stabilitySeconds),
    minBytes: String(s.ingest.minBytes),
    highWater: String(s.ingest.highWater),
    lowWater: String(s.ingest.lowWater),
    usePolling: s.ingest.usePolling,
    detectorModel: s.detector.model,
    modelPath: s.detector.modelPath ?? '',
    intraOpThreads: String(s.detector.intraOpThreads),
    concurrency: String(s.detector.concurrency),
    classes: s.detector.classes.join(', '),
  };
}

export function sameForm(a: SettingsForm, b: SettingsForm): boolean {
  return (Object.keys(a) as (keyof SettingsForm)[]).every((k) => a[k] === b[k]);
}

function parseNumber(text: string): number | null {
  if (text.trim() === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** The changed fields as a deep partial, or the fields that are not numbers. */
export function buildPatch(
  saved: Settings,
  form: SettingsForm,
): { patch: SettingsPatch } | { errors: FieldErrors } {
  const before = formFrom(saved);
  const errors: FieldErrors = {};
  const changed = (key: keyof SettingsForm) => form[key] !== before[key];
  const num = (key: TextField) => {
    const n = parseNumber(form[key]);
    if (n === null) errors[PATHS[key]] = ['Enter a number'];
    return n ?? 0;
  };

  const patch: SettingsPatch = {};
  if (changed('debug')) patch.debug = form.debug;
  if (changed('retentionDays')) patch.retentionDays = num('retentionDays');
  if (changed('offlineAfterSeconds')) {
    patch.cameras = { offlineAfterSeconds: num('offlineAfterSeconds') };
  }

  const detector: NonNullable<SettingsPatch['detector']> = {};
  if (changed('confidence')) detector.confidence = num('confidence');
  if (changed('detectorModel')) detector.model = form.detectorModel.trim();
  // Empty clears it: the model is then looked up by name.
  if (changed('modelPath')) detector.modelPath = form.modelPath.trim();
  if (changed('intraOpThreads')) detector.intraOpThreads = num('intraOpThreads');
  if (changed('concurrency')) detector.concurrency = num('concurrency');
  if (changed('classes')) {
    const classes = parseList(form.classes);
    if (classes.length === 0) errors[PATHS.classes] = ['List at least one class'];
    detector.classes = classes;
  }
  if (Object.keys(detector).length > 0) patch.detector = detector;

  const ingest: NonNullable<SettingsPatch['ingest']> = {};
  if (changed('stabilitySeconds')) ingest.stabilitySeconds = num('stabilitySeconds');
  if (changed('minBytes')) ingest.minBytes = num('minBytes');
  if (changed('highWater')) ingest.highWater = num('highWater');
  if (changed('lowWater')) ingest.lowWater = num('lowWater');
  if (changed('usePolling')) ingest.usePolling = form.usePolling;
  const ftp: NonNullable<NonNullable<SettingsPatch['ingest']>['ftp']> = {};
  if (changed('ftpEnabled')) ftp.enabled = form.ftpEnabled;
  if (changed('ftpHost')) ftp.host = form.ftpHost.trim();
  if (changed('ftpPort')) ftp.port = num('ftpPort');
  if (Object.keys(ftp).length > 0) ingest.ftp = ftp;
  if (Object.keys(ingest).length > 0) patch.ingest = ingest;

  const llm: NonNullable<SettingsPatch['llm']> = {};
  if (changed('llmEnabled')) llm.enabled = form.llmEnabled;
  if (changed('llmBaseUrl')) llm.baseUrl = form.llmBaseUrl.trim();
  if (changed('llmModel')) llm.model = form.llmModel.trim();
  if (Object.keys(llm).length > 0) patch.llm = llm;

  return Object.keys(errors).length > 0 ? { errors } : { patch };
}
