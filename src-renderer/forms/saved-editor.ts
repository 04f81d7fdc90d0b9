import { zodResolver } from '@hookform/resolvers/zod';
import type { QueryKey } from '@tanstack/react-query';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { DefaultValues, FieldValues } from 'react-hook-form';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import { showServerErrors } from './server-errors';

/**
 * A form editing one saved thing (settings, preferences, calibration): it follows the saved
 * value while it has no unsaved edits (another window saved), and `submit` sends a change,
 * caches what came back, resets the form to it and says so — or shows the server's issues
 * under their fields.
 */
export function useSavedEditor<S, V extends FieldValues, O>(o: {
  saved: S;
  toForm: (saved: S) => V;
  schema: z.ZodType<O, V>;
  queryKey: QueryKey;
  fieldKeys: readonly string[];
}) {
  const qc = useQueryClient();
  const { saved, toForm } = o;
  const form = useForm<V, unknown, O>({
    defaultValues: toForm(saved) as DefaultValues<V>,
    resolver: zodResolver(o.schema as never) as never,
  });
  const [saving, setSaving] = useState(false);
  const [message, setMessage] = useState('');

  useEffect(() => {
    if (!form.formState.isDirty) form.reset(toForm(saved));
  }, [saved, form, toForm]);

  /** A new saved value: cached, in the form, and a note in the status line. */
  const apply = (next: S, note: string) => {
    qc.setQueryData(o.queryKey, next);
    form.reset(toForm(next));
    setMessage(note);
  };

  const submit = async (call: () => Promise<S>, note: string) => {
    setSaving(true);
    try {
      apply(await call(), note);
    } catch (err) {
      showServerErrors(form, err, o.fieldKeys);
    } finally {
      setSaving(false);
    }
  };

  /** What `<Form>` takes from the editor (a new edit clears the "saved" note). */
  const formProps = { form, busy: saving, onEdit: () => setMessage('') };
  return { form, formProps, saving, message, setMessage, apply, submit };
}
