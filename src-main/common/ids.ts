import { monotonicFactory, ulid } from 'ulid';

const monotonic = monotonicFactory();

/**
 * Time-ordered ids: ULIDs (the `ulid` package), lower-case. Ids made later sort later, also
 * within one millisecond, so (time, id) keyset pages are stable. The first ten characters
 * are the time in the same Crockford base32 as ids written by earlier versions.
 */
export function newId(at?: number): string {
  return (at === undefined ? monotonic() : ulid(at)).toLowerCase();
}

export const nowIso = (): string => new Date().toISOString();
