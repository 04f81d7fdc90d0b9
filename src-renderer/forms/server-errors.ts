import type { FieldPath, FieldValues, UseFormReturn } from 'react-hook-form';
import { formErrorsFrom, mapIssuePaths } from '../form-errors';

/**
 * A failed call shown on the form: each issue under the field whose key is a prefix of its
 * path, the rest (conflicts, outages, unmatched issues) as the form's own message.
 */
export function showServerErrors<T extends FieldValues>(
  form: Pick<UseFormReturn<T>, 'setError'>,
  err: unknown,
  fieldKeys: readonly string[],
  mapPath?: (path: (string | number)[]) => (string | number)[],
): void {
  const { fields, form: message } = formErrorsFrom(
    mapPath ? mapIssuePaths(err, mapPath) : err,
    fieldKeys,
  );
  for (const [key, messages] of Object.entries(fields)) {
    if (messages)
      form.setError(key as FieldPath<T>, { type: 'server', message: messages.join(' ') });
  }
  if (message) form.setError('root.server', { type: 'server', message });
}

/** The form's own message (not tied to a field), if any. */
export function formMessage<T extends FieldValues>(form: Pick<UseFormReturn<T>, 'formState'>) {
  return form.formState.errors.root?.server?.message ?? null;
}
