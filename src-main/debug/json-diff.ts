import type { JsonDifference } from '../../src-shared/domain';

/** Fields that change on every call by their nature (times, durations), left out of replays. */
export const VOLATILE_FIELDS: ReadonlySet<string> = new Set([
  'at',
  'uptimeSeconds',
  'updatedAt',
  'lastSeenAt',
  'durationMs',
  'latencyMs',
  'correlationId',
  'nextTrialAt',
]);

/** Per channel, what else changes between two identical calls (counters, clocks, caches). */
export const VOLATILE_BY_CHANNEL: Readonly<Record<string, readonly string[]>> = {
  'ingest.status': ['perMinute'],
  'jobs.get': ['progress', 'processed'],
  'jobs.list': ['progress', 'processed'],
  'exports.get': ['progress', 'processed'],
  'exports.list': ['progress', 'processed'],
};

/** The fields a replay of `channel` leaves out of its comparison. */
export function volatileFor(channel: string): ReadonlySet<string> {
  const own = VOLATILE_BY_CHANNEL[channel];
  return own ? new Set([...VOLATILE_FIELDS, ...own]) : VOLATILE_FIELDS;
}

/**
 * Where two JSON values differ, by path (`items.0.name`), skipping keys in `ignore`; at most
 * `max` differences.
 */
export function jsonDiff(
  before: unknown,
  after: unknown,
  ignore: ReadonlySet<string> = VOLATILE_FIELDS,
  max = 50,
): JsonDifference[] {
  const out: JsonDifference[] = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    if (out.length >= max) return;
    if (a === b) return;
    const bothObjects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object';
    if (!bothObjects || Array.isArray(a) !== Array.isArray(b)) {
      out.push({ path: path || '(root)', before: a, after: b });
      return;
    }
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      if (ignore.has(key)) continue;
      walk(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        path ? `${path}.${key}` : key,
      );
    }
  };
  walk(before, after, '');
  return out;
}
