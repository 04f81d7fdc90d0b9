import { ApiError, errorMessage } from './api';

export type FieldErrors = Partial<Record<string, string[]>>;

export interface FormErrors {
  /** Messages per field key (a dotted path such as `detector.confidence`). */
  fields: FieldErrors;
  /** What does not belong to a field (conflicts, outages, unmatched issues), or null. */
  form: string | null;
}

/**
 * Splits a failed call into per-field messages and one form-level message. An issue belongs
 * to the field whose key is a prefix of its path (`['detector','confidence']` →
 * `detector.confidence`; `['name']` → `name`).
 */
export function formErrorsFrom(err: unknown, fieldKeys: readonly string[]): FormErrors {
  if (!(err instanceof ApiError) || !err.issues || err.issues.length === 0) {
    return { fields: {}, form: errorMessage(err) };
  }
  const fields: FieldErrors = {};
  const unmatched: string[] = [];
  for (const issue of err.issues) {
    const path = issue.path.map(String);
    const key = fieldKeys.find((k) => {
      const parts = k.split('.');
      return parts.every((part, i) => path[i] === part);
    });
    if (key === undefined) {
      unmatched.push(path.length > 0 ? `${path.join('.')}: ${issue.message}` : issue.message);
    } else {
      (fields[key] ??= []).push(issue.message);
    }
  }
  return { fields, form: unmatched.length > 0 ? unmatched.join(' ') : null };
}

/** The same failure with each issue path rewritten (e.g. without a `rule` or `config` prefix). */
export function mapIssuePaths(
  err: unknown,
  map: (path: (string | number)[]) => (string | number)[],
): unknown {
  if (!(err instanceof ApiError) || !err.issues) return err;
  return new ApiError(
    err.code,
    err.message,
    err.issues.map((issue) => ({ ...issue, path: map(issue.path) })),
  );
}

/**
 * A refused full-text search (`invalid_input` with an issue at `q`, or at `filters.q` when
 * the filter is nested), as a sentence for under the search box; anything else → null.
 */
export function searchErrorFrom(err: unknown): string | null {
  if (!(err instanceof ApiError) || err.code !== 'invalid_input') return null;
  const issue = err.issues?.find((i) => i.path[i.path.length - 1] === 'q');
  if (issue) return `This search is not valid: ${issue.message}`;
  return null;
}
