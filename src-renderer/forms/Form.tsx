import type { FormHTMLAttributes, ReactNode } from 'react';
import type { FieldValues, UseFormReturn } from 'react-hook-form';
import { FormProvider, useFormContext, useFormState } from 'react-hook-form';
import { formMessage } from './server-errors';

type FormProps<V extends FieldValues, O> = Omit<
  FormHTMLAttributes<HTMLFormElement>,
  'onSubmit' | 'onChange' | 'noValidate'
> & {
  form: UseFormReturn<V, unknown, O>;
  /** Gets the values the form's schema made; not called while `busy`. */
  onValid: (values: O) => unknown;
  busy?: boolean;
  /** Any edit or submit (clears a "saved" note). */
  onEdit?: () => void;
  children: ReactNode;
};

/**
 * A form run by react-hook-form: its fields find it through context, submitting checks the
 * values with the form's (contract-derived) schema first, and the browser's own validation
 * bubbles are off (messages show under the fields instead).
 */
export function Form<V extends FieldValues, O>({
  form,
  onValid,
  busy = false,
  onEdit,
  children,
  ...props
}: FormProps<V, O>) {
  return (
    <FormProvider {...form}>
      <form
        {...props}
        noValidate
        onChange={onEdit}
        onSubmit={(e) => {
          onEdit?.();
          void form.handleSubmit((values) => (busy ? undefined : onValid(values)))(e);
        }}
      >
        {children}
      </form>
    </FormProvider>
  );
}

/** The form's own message (a conflict, an outage: nothing under one field), if any. */
export function FormProblem() {
  const message = formMessage(useFormContext());
  if (!message) return null;
  return (
    <p className="notice notice-error" role="alert">
      {message}
    </p>
  );
}

/**
 * A settings form's Save button, Discard changes (when `onDiscard` is given: enabled once
 * something changed) and the status line that says what saving did.
 */
export function SaveActions({
  label = 'Save',
  saving,
  message,
  onDiscard,
}: {
  label?: string;
  saving: boolean;
  message: string;
  onDiscard?: () => void;
}) {
  const { isDirty } = useFormState();
  return (
    <div className="form-actions">
      <button type="submit" className="button button-primary" disabled={saving}>
        {label}
      </button>
      {onDiscard && (
        <button type="button" className="button" disabled={saving || !isDirty} onClick={onDiscard}>
          Discard changes
        </button>
      )}
      <p role="status" className="status-line">
        {message}
      </p>
    </div>
  );
}
