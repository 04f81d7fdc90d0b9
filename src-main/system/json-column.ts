import type { Logger } from './logger';

/** How many corrupt values a reader remembers having logged (then it logs again). */
const REMEMBERED = 10_000;

/**
 * Reads JSON columns of `table` defensively: a value that does not parse (or has the wrong
 * shape) is logged once per row and column, with the row's id, and read as the fallback, so
 * one damaged row never fails the page, the job or the batch around it.
 */
export function jsonReader(table: string, logger?: Logger) {
  const logged = new Set<string>();
  return <T>(
    value: string,
    column: string,
    rowId: string | number,
    fallback: T,
    /** The shape the value must have (else it counts as corrupt). */
    valid: (v: unknown) => boolean = () => true,
  ): T => {
    try {
      const parsed = JSON.parse(value) as unknown;
      if (!valid(parsed)) throw new Error(`unexpected shape: ${value.slice(0, 40)}`);
      return parsed as T;
    } catch (err) {
      const key = `${column}\u0000${rowId}`;
      if (!logged.has(key)) {
        if (logged.size >= REMEMBERED) logged.clear();
        logged.add(key);
        logger?.warn(
          { table, column, rowId, err: (err as Error).message },
          'corrupt JSON in a column: the value is ignored',
        );
      }
      return fallback;
    }
  };
}

export type JsonReader = ReturnType<typeof jsonReader>;

/** A shape check for `jsonReader`: a list of strings. */
export const isStringList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string');
