import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { PromptTemplate, PromptVersion } from '../../src-shared/prompts';
import { useApi } from '../app-context';
import { plural } from '../format';
import { keys } from '../server-state';
import { ErrorNotice } from './ErrorNotice';
import { TextField } from './Field';

/** What a template made from nothing starts with (a valid prompt to edit from). */
const STARTER = {
  body: 'Camera: {{camera_name}}\nTime window: {{start_time}} to {{end_time}} ({{time_context}})\nDetections:\n{{detections}}\n',
  variables: ['camera_name', 'start_time', 'end_time', 'time_context', 'detections'],
};

/** The templates, live first: picking one opens it below. */
export function PromptTemplateList({
  templates,
  selectedId,
  onSelect,
}: {
  templates: readonly PromptTemplate[];
  selectedId: string | null;
  onSelect: (id: string) => void;
}) {
  return (
    <ul className="template-list" aria-label="Prompt templates">
      {templates.map((t) => (
        <li key={t.id}>
          <button
            type="button"
            className="template-pick"
            aria-pressed={t.id === selectedId}
            onClick={() => onSelect(t.id)}
          >
            <span className="template-name">{t.name}</span>
            {t.live && (
              <span className="badge badge-good" title="Live analysis of events uses this template">
                live
              </span>
            )}
            <span className="muted template-meta">{plural(t.versionCount, 'version')}</span>
            {t.description && <span className="muted template-meta">{t.description}</span>}
          </button>
        </li>
      ))}
    </ul>
  );
}

/**
 * A new template: a name, a description, and a first version copied from the active version
 * of the template picked (or a short starter prompt).
 */
export function NewTemplateForm({
  from,
  onCreated,
}: {
  from: PromptVersion | null;
  onCreated: (id: string) => void;
}) {
  const api = useApi();
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState('');

  const create = async () => {
    setBusy(true);
    setError(null);
    setMessage('');
    try {
      const created = await api.invoke('prompts.templates.create', {
        name: name.trim(),
        ...(description.trim() && { description: description.trim() }),
        ...(from
          ? {
              body: from.body,
              variables: from.variables,
              constants: from.constants,
              params: from.params,
            }
          : STARTER),
      });
      qc.setQueryData(keys.promptTemplate(created.id), created);
      void qc.invalidateQueries({ queryKey: keys.promptTemplates });
      setName('');
      setDescription('');
      setMessage(`Created template ${created.name}`);
      onCreated(created.id);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="form-inline new-template"
      aria-label="New template"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!busy) void create();
      }}
    >
      <TextField
        id="prompt-new-name"
        label="New template name"
        value={name}
        onValueChange={setName}
        maxLength={80}
        autoComplete="off"
      />
      <TextField
        id="prompt-new-description"
        label="Description"
        value={description}
        onValueChange={setDescription}
        maxLength={500}
        hint={
          from
            ? 'Its first version is a copy of the active version of the template picked.'
            : 'Its first version is a short starter prompt.'
        }
      />
      <div className="form-actions">
        <button type="submit" className="button" disabled={busy || !name.trim()}>
          New template
        </button>
        <p role="status" className="status-line">
          {message}
        </p>
      </div>
      {error !== null && <ErrorNotice error={error} prefix="Could not create the template" />}
    </form>
  );
}
