/**
 * Form fields bound to react-hook-form by name: the labels, hints, ids and error display of
 * `components/Field.tsx`, with value, change and error taken from the form they are in.
 */
import type { FieldPath, FieldValues } from 'react-hook-form';
import { useController, useFormContext } from 'react-hook-form';
import type { ComponentProps } from 'react';
import { CheckboxField, CheckboxGroup, SelectField, TextField } from '../components/Field';

type Named<T extends FieldValues> = { name: FieldPath<T> };

/**
 * An error's message, or the first message nested in it: a list field's error sits under the
 * item that failed (`config.to.0`), not on the field that holds the list.
 */
export function firstMessage(error: unknown): string | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const { message } = error as { message?: unknown };
  if (typeof message === 'string' && message) return message;
  for (const [key, value] of Object.entries(error)) {
    if (key === 'ref') continue;
    const nested = firstMessage(value);
    if (nested) return nested;
  }
  return undefined;
}

function useField<T extends FieldValues>(name: FieldPath<T>) {
  const { control } = useFormContext<T>();
  const { field, fieldState } = useController({ name, control });
  const message = firstMessage(fieldState.error);
  return { field, errors: message ? [message] : undefined };
}

export function FormText<T extends FieldValues>({
  name,
  ...props
}: Named<T> & Omit<ComponentProps<typeof TextField>, 'value' | 'onValueChange' | 'errors'>) {
  const { field, errors } = useField<T>(name);
  return (
    <TextField
      {...props}
      value={field.value ?? ''}
      onValueChange={field.onChange}
      onBlur={field.onBlur}
      errors={errors}
    />
  );
}

export function FormCheckbox<T extends FieldValues>({
  name,
  ...props
}: Named<T> &
  Omit<ComponentProps<typeof CheckboxField>, 'checked' | 'onCheckedChange' | 'errors'>) {
  const { field, errors } = useField<T>(name);
  return (
    <CheckboxField
      {...props}
      checked={Boolean(field.value)}
      onCheckedChange={field.onChange}
      errors={errors}
    />
  );
}

export function FormSelect<T extends FieldValues>({
  name,
  ...props
}: Named<T> & Omit<ComponentProps<typeof SelectField>, 'value' | 'onValueChange' | 'errors'>) {
  const { field, errors } = useField<T>(name);
  return (
    <SelectField
      {...props}
      value={String(field.value ?? '')}
      onValueChange={field.onChange}
      errors={errors}
    />
  );
}

/** A list of checkboxes for an array of strings. */
export function FormChoices<T extends FieldValues>({
  name,
  ...props
}: Named<T> &
  Omit<ComponentProps<typeof CheckboxGroup>, 'selected' | 'onSelectedChange' | 'errors'>) {
  const { field, errors } = useField<T>(name);
  return (
    <CheckboxGroup
      {...props}
      selected={(field.value as string[] | undefined) ?? []}
      onSelectedChange={field.onChange}
      errors={errors}
    />
  );
}

/** The message of an error at `name`, whatever form it is in (for custom controls). */
export function useFieldError<T extends FieldValues>(name: FieldPath<T>): string[] | undefined {
  const { getFieldState, formState } = useFormContext<T>();
  const message = firstMessage(getFieldState(name, formState).error);
  return message ? [message] : undefined;
}
