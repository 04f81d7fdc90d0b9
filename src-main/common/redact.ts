import { REDACTED } from '../../src-shared/settings';

/**
 * Keys that name a secret: passwords, secrets, tokens, API keys, credentials, private keys
 * (as the whole key or its last word: `smtpPassword`, `accessToken`; not `maxTokens`).
 */
const SECRET_KEY =
  /(pass(word|wd)?|secret|token|api[-_]?key|authorization|credentials?|private[-_]?key)$/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** A command-line flag whose next argument is a secret (`--api-key`, `--token`). */
const SECRET_FLAG = /^--?[a-z0-9-_]*(pass(word|wd)?|secret|token|api[-_]?key)$/i;

/**
 * A command line with every secret replaced by "[REDACTED]": the value after a secret flag
 * (`--api-key X`), a secret flag's `=value`, and credentials in URLs.
 */
export function redactArgs(args: readonly string[]): string[] {
  return args.map((arg, i) => {
    if (i > 0 && SECRET_FLAG.test(args[i - 1]!) && !arg.startsWith('-')) return REDACTED;
    const eq = arg.indexOf('=');
    if (eq > 0 && SECRET_FLAG.test(arg.slice(0, eq))) return `${arg.slice(0, eq + 1)}${REDACTED}`;
    return redactUrl(arg);
  });
}

/** Replace `user:password@` in URLs, wherever they are in the text (error messages too). */
export function redactUrl(value: string): string {
  // The look-behind starts a scheme only where one can start (not inside a longer run of
  // scheme characters), so a long string without "://" is read once, not once per position.
  return value.replace(
    /(?<![a-z0-9+.-])([a-z0-9+.-]+:\/\/)([^/@\s]+)@/gi,
    (_m, scheme: string) => `${scheme}${REDACTED}@`,
  );
}

/**
 * A deep copy with every secret replaced by "[REDACTED]": values under secret-looking keys
 * (passwords, tokens, API keys) and credentials embedded in URLs.
 */
export function redactSecrets<T>(value: T): T {
  return redactValue(value, undefined) as T;
}

/** Deeper than this, a value is replaced whole (nothing real nests so far; a stack would). */
const MAX_DEPTH = 64;

function redactValue(value: unknown, key: string | undefined, depth = 0): unknown {
  if (key !== undefined && SECRET_KEY.test(key) && value !== undefined && value !== null) {
    return typeof value === 'object' ? REDACTED : value === '' ? '' : REDACTED;
  }
  if (typeof value === 'string') return redactUrl(value);
  if (value !== null && typeof value === 'object' && depth >= MAX_DEPTH) return '[TOO DEEP]';
  if (Array.isArray(value)) return value.map((v) => redactValue(v, undefined, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, k, depth + 1);
    return out;
  }
  return value;
}
