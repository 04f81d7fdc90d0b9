/**
 * Settings → Detection server: this computer's detector served to others, as the inputs hold
 * it (text for numbers), named by their settings path, and the schema that makes the patch of
 * what changed — checked by the contract's settings patch schema. The token reads
 * "[REDACTED]" while one is stored; left as is, it keeps that token.
 */
import { z } from 'zod';
import type { Settings, SettingsPatch } from '../src-shared/settings';
import { settingsPatchSchema } from '../src-shared/settings';
import { typedNumber } from './forms/numbers';

const detectionServerForm = z.object({
  detectionServer: z.object({
    enabled: z.boolean(),
    host: z.string(),
    port: z.string(),
    token: z.string(),
    concurrency: z.string(),
    queue: z.string(),
    maxBodyMegabytes: z.string(),
    maxPerSecond: z.string(),
  }),
});

export type DetectionServerForm = z.input<typeof detectionServerForm>;

/** Every field's settings path (server issues are shown under the field with that path). */
export const DETECTION_SERVER_FIELD_KEYS = [
  'detectionServer.enabled',
  'detectionServer.host',
  'detectionServer.port',
  'detectionServer.token',
  'detectionServer.concurrency',
  'detectionServer.queue',
  'detectionServer.maxBodyMegabytes',
  'detectionServer.maxPerSecond',
] as const;

const TEXT_FIELDS = new Set(['host', 'token']);

export function detectionServerFormFrom(s: Settings): DetectionServerForm {
  const d = s.detectionServer;
  return {
    detectionServer: {
      enabled: d.enabled,
      host: d.host,
      port: String(d.port),
      token: d.token ?? '',
      concurrency: String(d.concurrency),
      queue: String(d.queue),
      maxBodyMegabytes: String(d.maxBodyMegabytes),
      maxPerSecond: String(d.maxPerSecond),
    },
  };
}

/** The form → the patch of what differs from `saved`, checked by the settings patch schema. */
export function detectionServerFormSchema(saved: Settings) {
  const before: Record<string, unknown> = detectionServerFormFrom(saved).detectionServer;
  return detectionServerForm
    .transform(({ detectionServer }, ctx): SettingsPatch => {
      const changed: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(detectionServer)) {
        if (value === before[key]) continue;
        const path = ['detectionServer', key];
        changed[key] =
          typeof value === 'boolean'
            ? value
            : TEXT_FIELDS.has(key)
              ? value.trim()
              : typedNumber(value, path, ctx);
      }
      return Object.keys(changed).length > 0 ? { detectionServer: changed } : {};
    })
    .pipe(settingsPatchSchema as z.ZodType<SettingsPatch, SettingsPatch>);
}

/** Only this computer can reach an address like these. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** Every address of this computer (others reach it by one of its own addresses). */
export function isWildcardHost(host: string): boolean {
  const h = host.trim().replace(/^\[(.*)\]$/, '$1');
  return h === '0.0.0.0' || h === '::';
}

/** Where callers find the server: the V2 base URL and the CodeProject.AI detection URL. */
export function detectionServerUrls(
  host: string,
  port: number,
): { v2: string; codeProject: string } {
  const h = host.trim();
  // An IPv6 address goes in brackets in a URL.
  const name = h.includes(':') && !h.startsWith('[') ? `[${h}]` : h;
  const v2 = `http://${name}:${port}`;
  return { v2, codeProject: `${v2}/v1/vision/detection` };
}
