import { REDACTED } from '../../src-shared/settings';

/**
 * Keys that name a secret: passwords, secrets, tokens, API keys, credentials, private keys
 * (as the whole key or its last word: `smtpPassword`, `accessToken`; not `maxTokens`).
 */
const SECRET_KEY =
  /(pass(word|wd)?|secret|token|api[-_]?key|authorization|credentials?|private[-_]?key)$/i;

/** Replace `user:password@` in URLs, wherever they are in the text (error messages too). */
export function redactUrl(value: string): string {
  return value.replace(/([a-z][a-z0-9+.-]*:\/\/)([^/@\s]+)@/gi, (_m, scheme: string) => {
    return `${scheme}${REDACTED}@`;
  });
}

/**
 * A deep copy with every secret replaced by "[REDACTED]": values under secret-looking keys
 * (passwords, tokens, API keys) and credentials embedded in URLs.
 */
export function redactSecrets<T>(value: T): T {
  return redactValue(value, undefined) as T;
}

function redactValue(value: unknown, key: string | undefined): unknown {
  if (key !== undefined && SECRET_KEY.test(key) && value !== undefined && value !== null) {
    return typeof value === 'object' ? REDACTED : value === '' ? '' : REDACTED;
  }
  if (typeof value === 'string') return redactUrl(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, undefined));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, k);
    return out;
  }
  return value;
}
