import type { Kysely } from 'kysely';

import { AppError } from '../../src-shared/errors';
import type { Settings, SettingsPatch } from '../../src-shared/settings';
import {
  REDACTED,
  SECRET_SETTING_PATHS,
  settingsPatchSchema,
  settingsSchema,
} from '../../src-shared/settings';
import type { DB } from '../db/schema';
import { nowIso } from '../db/ids';
import { redactUrl } from '../debug/redact';
import { zodIssues } from '../bridge/zod-issues';

const KEY = 'app';

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

function getPath(obj: Json, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const p of path) cur = isPlainObject(cur) ? cur[p] : undefined;
  return cur;
}

function setPath(obj: Json, path: readonly string[], value: unknown): void {
  let cur: Json = obj;
  for (const p of path.slice(0, -1)) {
    if (!isPlainObject(cur[p])) return;
    cur = cur[p];
  }
  const last = path[path.length - 1]!;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
}

export function redactSettings(settings: Settings): Settings {
  const copy = structuredClone(settings) as unknown as Json;
  for (const path of SECRET_SETTING_PATHS) {
    if (getPath(copy, path)) setPath(copy, path, REDACTED);
  }
  const llm = copy.llm as Json;
  llm.baseUrl = redactUrl(String(llm.baseUrl));
  return copy as unknown as Settings;
}

/**
 * The app's settings: defaults, overlaid with what the user saved (one row in `settings`).
 * Reads are synchronous from memory; updates validate the whole merged object first.
 */
export class SettingsService {
  private current: Settings;
  private readonly listeners = new Set<(s: Settings, previous: Settings) => void>();

  private constructor(
    private readonly db: Kysely<DB>,
    initial: Settings,
  ) {
    this.current = initial;
  }

  static async load(db: Kysely<DB>): Promise<SettingsService> {
    const row = await db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', KEY)
      .executeTakeFirst();
    let stored: Json = {};
    if (row) {
      try {
        stored = JSON.parse(row.value) as Json;
      } catch {
        stored = {};
      }
    }
    const parsed = settingsSchema.safeParse(stored);
    // A stored value that no longer validates (hand-edited DB) falls back to defaults.
    return new SettingsService(db, parsed.success ? parsed.data : settingsSchema.parse({}));
  }

  get(): Settings {
    return this.current;
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
    const merged = deepMerge(this.current, cleanPatch);
    const result = settingsSchema.safeParse(merged);
    if (!result.success) {
      throw new AppError('invalid_input', 'Settings are not valid', zodIssues(result.error));
    }
    const now = nowIso();
    await this.db
      .insertInto('settings')
      .values({ key: KEY, value: JSON.stringify(result.data), updated_at: now })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({ value: JSON.stringify(result.data), updated_at: now }),
      )
      .execute();
    const previous = this.current;
    this.current = result.data;
    for (const listener of this.listeners) listener(this.current, previous);
    return this.current;
  }
}
