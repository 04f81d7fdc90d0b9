import type { ErrorBody } from '../../src-shared/errors';
import { AppError } from '../../src-shared/errors';
import type { Logger } from '../system';

function sqliteCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') {
    return err.code.startsWith('SQLITE_') ? err.code : undefined;
  }
  return undefined;
}

/** Maps anything thrown to an error body; never leaks a stack. */
export function toErrorBody(err: unknown): { body: ErrorBody; expected: boolean } {
  if (err instanceof AppError) {
    const body: ErrorBody = { code: err.code, message: err.message };
    if (err.issues) body.issues = err.issues;
    return { body, expected: err.code !== 'internal' };
  }
  const code = sqliteCode(err);
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return { body: { code: 'conflict', message: 'That already exists.' }, expected: true };
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return {
      body: { code: 'not_found', message: 'A record this refers to does not exist.' },
      expected: true,
    };
  }
  if (code === 'SQLITE_BUSY') {
    return {
      body: { code: 'unavailable', message: 'The database is busy; try again.' },
      expected: true,
    };
  }
  return { body: { code: 'internal', message: 'Internal error' }, expected: false };
}

/**
 * The one error responder for every transport (RPC over IPC or HTTP, and the HTTP routes:
 * media, upload, download, metrics): expected failures become their code and message, and
 * anything else is logged once, with its stack and where it happened, and answered as
 * `internal` with a reference to that log line.
 */
export function respondToError(
  err: unknown,
  log: Logger,
  where: { correlationId: string; channel?: string; route?: string },
): ErrorBody {
  const { body, expected } = toErrorBody(err);
  if (expected) log.debug({ ...where, code: body.code }, body.message);
  else {
    log.error({ ...where, err }, 'request failed');
    body.message = `Internal error (reference ${where.correlationId})`;
  }
  return body;
}
