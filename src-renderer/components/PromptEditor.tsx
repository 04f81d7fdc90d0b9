/**
 * A new version of a template, edited from the active one: the text with its placeholders
 * marked, the variables it declares, its model parameters and why it changed. Saving adds a
 * version (versions never change); "Save and activate" also makes it the one analysis uses.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { UseFormReturn } from 'react-hook-form';
import { useWatch } from 'react-hook-form';
import type { PromptTemplateDetail, PromptVersion } from '../../src-shared/prompts';
import { useApi } from '../app-context';
import { FormText } from '../forms/fields';
import { Form } from '../forms/Form';
import type { PromptForm, PromptFormOutput } from '../prompt-form';
import { draftIssues, promptFormFrom } from '../prompt-form';
import { refreshPromptTemplate } from '../server-state';
import { ErrorNotice } from './ErrorNotice';
import { PROMPT_ISSUES_ID, PromptBodyField, PromptIssues } from './PromptBodyField';
import { PromptParamsFields } from './PromptParamsFields';
import { PromptVariablesFields } from './PromptVariablesFields';

export type PromptEditorForm = UseFormReturn<PromptForm, unknown, PromptFormOutput>;

/** The draft's live problems (the same check as on save). */
function useDraftIssues(form: PromptEditorForm) {
  const [body, builtIns, constants] = useWatch({
    control: form.control,
    name: ['body', 'builtIns', 'constants'],
  });
  return draftIssues({ body, builtIns, constants });
}

export function PromptEditor({
  form,
  template,
  base,
}: {
  form: PromptEditorForm;
  template: PromptTemplateDetail;
  /** The version the editor started from (the active one). */
  base: PromptVersion | null;
}) {
  const api = useApi();
  const qc = useQueryClient();
  const issues = useDraftIssues(form);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState('');
  const blocked = busy || issues.length > 0;

  const save = async (v: PromptFormOutput, activate: boolean) => {
    setBusy(true);
    setError(null);
    setMessage('');
    try {
      const created = await api.invoke('prompts.versions.create', {
        templateId: template.id,
        body: v.body,
        variables: v.variables,
        constants: v.constants,
        params: v.params,
        ...(v.changeDescription && { changeDescription: v.changeDescription }),
        activate,
      });
      refreshPromptTemplate(qc, template.id);
      form.reset(promptFormFrom(created));
      setMessage(
        activate
          ? `Saved version ${created.number}; it is now active`
          : `Saved version ${created.number} (not active: activate it under History)`,
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Form
      form={form}
      busy={busy}
      onEdit={() => setMessage('')}
      onValid={(v) => save(v, false)}
      aria-label="Prompt editor"
      className="form prompt-editor"
    >
      <h2>New version of {template.name}</h2>
      <p className="muted">
        {base
          ? `Starts from version ${base.number}${base.active ? ' (active)' : ''}. Saving adds a version; the ones before stay as they are.`
          : 'This template has no version yet.'}
      </p>
      <div className="prompt-editor-grid">
        <div>
          <PromptBodyField />
          <PromptIssues issues={issues} />
        </div>
        <PromptVariablesFields />
      </div>
      <PromptParamsFields />
      <FormText<PromptForm>
        name="changeDescription"
        id="prompt-change"
        label="Change description"
        hint="What this version changes and why (shown in the history)."
        maxLength={500}
      />
      {error !== null && <ErrorNotice error={error} prefix="Could not save the version" />}
      <div className="form-actions">
        <button
          type="submit"
          className="button"
          disabled={blocked}
          aria-describedby={issues.length ? PROMPT_ISSUES_ID : undefined}
        >
          Save version
        </button>
        <button
          type="button"
          className="button button-primary"
          disabled={blocked}
          aria-describedby={issues.length ? PROMPT_ISSUES_ID : undefined}
          onClick={() => void form.handleSubmit((v) => save(v, true))()}
        >
          Save and activate
        </button>
        <button
          type="button"
          className="button"
          disabled={busy || !form.formState.isDirty}
          onClick={() => {
            form.reset(promptFormFrom(base));
            setError(null);
            setMessage('');
          }}
        >
          Discard changes
        </button>
        <p role="status" className="status-line">
          {message}
        </p>
      </div>
    </Form>
  );
}
