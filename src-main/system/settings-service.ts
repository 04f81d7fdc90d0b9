import { AppError } from '../../src-shared/errors';
import type { Settings, SettingsPatch } from '../../src-shared/settings';
import {
  REDACTED,
  SECRET_SETTING_PATHS,
  settingsPatchSchema,
  settingsSchema,
} from '../../src-shared/settings';
import { nowIso } from '../common/ids';
import { isSecretKey, redactArgs, redactUrl } from '../common/redact';
import { zodIssues } from '../common/zod-issues';
import type { Logger } from './logger';
import type { SettingsRepository } from './settings-repository';

const KEY = 'app';
/** Marks a secret stored encrypted (`SECRET_SETTING_PATHS`). */
const SEALED = 'sealed:';

/** Encrypts secrets at rest (the app passes its key-file or OS-keychain store). */
export interface SettingsSecrets {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

type Json = Record<string, unknown>;

function isPlainObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Deep merge: objects merge key by key, everything else (arrays included) replaces. */
export function deepMerge(base: Json, patch: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] = isPlainObject(value) && isPlainObject(current) ? deepMerge(current, value) : value;
  }
  return out;
}

function getPath(obj: Json, path: readonly PropertyKey[]): unknown {
  let cur: unknown = obj;
  for (const p of path) cur = isPlainObject(cur) ? cur[p as string] : undefined;
  return cur;
}

function setPath(obj: Json, path: readonly PropertyKey[], value: unknown): void {
  let cur: Json = obj;
  for (const p of path.slice(0, -1)) {
    if (!isPlainObject(cur[p as string])) return;
    cur = cur[p as string] as Json;
  }
  const last = path[path.length - 1] as string;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
}

/**
 * Lists of servers whose entries carry an address and a secret: the secret reads back
 * redacted (as do credentials in the address) and, sent back so for the same address, keeps
 * its stored value.
 */
const SERVER_LISTS = [
  { section: 'detector', url: 'url', secret: 'token' },
  { section: 'llm', url: 'baseUrl', secret: 'apiKey' },
] as const;

function serverList(doc: Json, section: string): Json[] {
  const list = (doc[section] as { endpoints?: unknown } | undefined)?.endpoints;
  return Array.isArray(list) ? (list as Json[]) : [];
}

export function redactSettings(settings: Settings): Settings {
  const copy = structuredClone(settings) as unknown as Json;
  for (const path of SECRET_SETTING_PATHS) {
    if (getPath(copy, path)) setPath(copy, path, REDACTED);
  }
  const llm = copy.llm as Json;
  llm.baseUrl = redactUrl(String(llm.baseUrl));
  for (const { section, url, secret } of SERVER_LISTS) {
    for (const e of serverList(copy, section)) {
      if (e[secret]) e[secret] = REDACTED;
      e[url] = redactUrl(String(e[url]));
    }
  }
  const redacted = copy as unknown as Settings;
  for (const m of redacted.services.managed) {
    m.args = redactArgs(m.args);
    for (const key of Object.keys(m.env)) if (isSecretKey(key)) m.env[key] = REDACTED;
    if (m.healthUrl) m.healthUrl = redactUrl(m.healthUrl);
  }
  return redacted;
}

/**
 * Secrets in lists sent back as "[REDACTED]" keep their stored values: a server's secret and
 * address matched by its (redacted) address; a managed service's env values and command-line
 * arguments matched by service name and key or position.
 */
function restoreManagedSecrets(patch: Json, current: Settings): void {
  const stored = current as unknown as Json;
  for (const { section, url, secret } of SERVER_LISTS) {
    const saved = serverList(stored, section);
    for (const e of serverList(patch, section)) {
      const match = saved.find((s) => redactUrl(String(s[url])) === e[url]);
      if (!match) continue;
      if (e[secret] === REDACTED) e[secret] = match[secret];
      if (typeof e[url] === 'string' && e[url].includes(REDACTED)) e[url] = match[url];
    }
  }
  const managed = (patch.services as { managed?: Json[] } | undefined)?.managed;
  if (!Array.isArray(managed)) return;
  for (const m of managed) {
    const stored = current.services.managed.find((s) => s.name === m.name);
    if (!stored) continue;
    const env = m.env as Record<string, string> | undefined;
    for (const [key, value] of Object.entries(env ?? {})) {
      if (value === REDACTED && stored.env[key] !== undefined) env![key] = stored.env[key];
    }
    if (typeof m.healthUrl === 'string' && m.healthUrl.includes(REDACTED)) {
      m.healthUrl = stored.healthUrl;
    }
    const args = m.args as string[] | undefined;
    args?.forEach((arg, i) => {
      if (arg.includes(REDACTED) && stored.args[i] !== undefined) args[i] = stored.args[i]!;
    });
  }
}

/** A stored setting that did not validate, and why. */
export interface InvalidSetting {
  key: string;
  message: string;
}

/**
 * What the stored document holds that still validates: every invalid value is dropped (its
 * default applies) and reported, the valid ones are kept.
 */
export function salvageSettings(stored: unknown): {
  settings: Settings;
  invalid: InvalidSetting[];
} {
  const invalid: InvalidSetting[] = [];
  if (!isPlainObject(stored)) {
    return {
      settings: settingsSchema.parse({}),
      invalid: [{ key: '(all)', message: 'The stored settings are not a JSON object' }],
    };
  }
  const doc = structuredClone(stored);
  for (let round = 0; round < 50; round += 1) {
    const parsed = settingsSchema.safeParse(doc);
    if (parsed.success) return { settings: parsed.data, invalid };
    // Values that are wrong in themselves go first; a cross-field rule (lowWater < highWater)
    // is judged again once they are gone.
    const own = parsed.error.issues.filter((i) => i.code !== 'custom');
    for (const issue of own.length ? own : parsed.error.issues) {
      const keys =
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((k) => [...issue.path, k])
          : [issue.path];
      for (let path of keys) {
        // A cross-field rule (lowWater < highWater) may still fail on the default: drop the
        // value, then the section it sits in.
        while (path.length > 0 && getPath(doc, path) === undefined) path = path.slice(0, -1);
        if (path.length === 0) continue;
        invalid.push({ key: path.join('.'), message: issue.message });
        setPath(doc, path, undefined);
      }
    }
  }
  return { settings: settingsSchema.parse({}), invalid };
}

/**
 * The app's settings: defaults, overlaid with what the user saved (one row in `settings`).
 * Reads are synchronous from memory; updates validate the whole merged object first. A stored
 * value that no longer validates is not silently replaced: the valid parts are kept, the
 * invalid keys are reported (log, `system.health`), and the stored document is backed up
 * before the next save writes over it.
 */
export class SettingsService {
  private current: Settings;
  private invalid: InvalidSetting[];
  private readonly listeners = new Set<(s: Settings, previous: Settings) => void>();

  private constructor(
    private readonly repo: SettingsRepository,
    private readonly logger: Logger,
    private readonly secrets: SettingsSecrets | undefined,
    loaded: { settings: Settings; invalid: InvalidSetting[]; raw?: string },
  ) {
    this.current = loaded.settings;
    this.invalid = loaded.invalid;
    this.raw = loaded.raw;
  }

  /** The stored text while it holds invalid values (backed up before it is replaced). */
  private raw: string | undefined;

  static async load(
    repo: SettingsRepository,
    logger: Logger,
    secrets?: SettingsSecrets,
  ): Promise<SettingsService> {
    const raw = await repo.read(KEY);
    if (raw === undefined) {
      return new SettingsService(repo, logger, secrets, {
        settings: settingsSchema.parse({}),
        invalid: [],
      });
    }
    let stored: unknown;
    try {
      stored = JSON.parse(raw);
    } catch {
      stored = undefined;
    }
    const unsealed: InvalidSetting[] = [];
    let plaintext = false;
    if (isPlainObject(stored)) {
      for (const path of SECRET_SETTING_PATHS) {
        const value = getPath(stored, path);
        if (typeof value === 'string' && value && !value.startsWith(SEALED)) plaintext = true;
        if (typeof value !== 'string' || !value.startsWith(SEALED)) continue;
        try {
          if (!secrets) throw new Error('no key to decrypt it with');
          setPath(stored, path, secrets.decrypt(value.slice(SEALED.length)));
        } catch (err) {
          setPath(stored, path, undefined);
          unsealed.push({
            key: path.join('.'),
            message: `Cannot decrypt: ${(err as Error).message}`,
          });
        }
      }
    }
    const salvaged = salvageSettings(stored);
    const { settings } = salvaged;
    const invalid = [...unsealed, ...salvaged.invalid];
    if (invalid.length) {
      logger.warn(
        { module: 'settings', invalid },
        'stored settings have invalid values: their defaults apply until they are saved again',
      );
    }
    const service = new SettingsService(repo, logger, secrets, {
      settings,
      invalid,
      raw: invalid.length ? raw : undefined,
    });
    // A secret an older version stored in the clear is encrypted now, not at the next save.
    if (plaintext && secrets && !invalid.length) {
      await repo.write(KEY, JSON.stringify(service.sealed(settings)));
    }
    return service;
  }

  get(): Settings {
    return this.current;
  }

  /** The document as stored: secrets encrypted when there is a key. */
  private sealed(settings: Settings): Json {
    const doc = structuredClone(settings) as unknown as Json;
    if (!this.secrets) return doc;
    for (const path of SECRET_SETTING_PATHS) {
      const value = getPath(doc, path);
      if (typeof value === 'string' && value) {
        setPath(doc, path, SEALED + this.secrets.encrypt(value));
      }
    }
    return doc;
  }

  /** Stored settings that did not validate at start (empty once settings are saved). */
  invalidSettings(): readonly InvalidSetting[] {
    return this.invalid;
  }

  onChange(listener: (s: Settings, previous: Settings) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies a deep partial; a secret sent back as "[REDACTED]" keeps its stored value. */
  async update(patch: SettingsPatch): Promise<Settings> {
    const checked = settingsPatchSchema.safeParse(patch);
    if (!checked.success) {
      throw new AppError('invalid_input', 'Settings are not valid', zodIssues(checked.error));
    }
    const cleanPatch = structuredClone(checked.data) as Json;
    for (const path of SECRET_SETTING_PATHS) {
      if (getPath(cleanPatch, path) === REDACTED) setPath(cleanPatch, path, undefined);
    }
    restoreManagedSecrets(cleanPatch, this.current);
    const merged = deepMerge(this.current, cleanPatch);
    const result = settingsSchema.safeParse(merged);
    if (!result.success) {
      throw new AppError('invalid_input', 'Settings are not valid', zodIssues(result.error));
    }
    if (this.raw !== undefined) {
      const backupKey = `${KEY}.backup-${nowIso()}`;
      await this.repo.write(backupKey, this.raw);
      this.logger.warn(
        { module: 'settings', backupKey },
        'settings with invalid values are replaced; the old document is kept under the backup key',
      );
      this.raw = undefined;
    }
    await this.repo.write(KEY, JSON.stringify(this.sealed(result.data)));
    this.invalid = [];
    const previous = this.current;
    this.current = result.data;
    if (previous.debug !== this.current.debug) {
      this.logger.warn(
        { module: 'settings', debug: this.current.debug },
        this.current.debug ? 'debug mode turned on' : 'debug mode turned off',
      );
    }
    for (const listener of this.listeners) {
      try {
        listener(this.current, previous);
      } catch (err) {
        this.logger.error({ err, module: 'settings' }, 'settings listener failed');
      }
    }
    return this.current;
  }
}
