/** Error codes every transport understands (API.md). */
export const ERROR_CODES = [
  'invalid_input',
  'unauthorized',
  'not_found',
  'unknown_channel',
  'conflict',
  'too_large',
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ValidationIssue {
  path: (string | number)[];
  message: string;
  code?: string;
}

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  issues?: ValidationIssue[];
}

export type RpcResult<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

/** An expected failure with a code and a message a person can act on. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: ValidationIssue[],
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const HTTP_STATUS: Record<ErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  not_found: 404,
  unknown_channel: 404,
  conflict: 409,
  too_large: 413,
  unavailable: 503,
  internal: 500,
};
