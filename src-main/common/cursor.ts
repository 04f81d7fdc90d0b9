import { AppError } from '../../src-shared/errors';

/** An opaque keyset cursor for a (time, id) position: base64url of a JSON pair. */
export function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

/** The (time, id) pair of a cursor; a cursor that is not one of ours is `invalid_input`. */
export function decodeCursor(cursor: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string') {
      return [v[0], v[1]];
    }
  } catch {
    // fall through
  }
  throw new AppError('invalid_input', 'The cursor is not valid', [
    { path: ['cursor'], message: 'Invalid cursor' },
  ]);
}
