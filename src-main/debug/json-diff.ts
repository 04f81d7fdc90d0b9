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
