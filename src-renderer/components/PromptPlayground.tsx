/**
 * The playground: one event analysed again with a saved version or the editor's draft, the
 * new answer beside the stored one. Nothing about the event changes. A version or draft run
 * here often enough can be promoted (saved and activated).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ChannelInput } from '../../src-shared/contract';
import type { PlaygroundResult, PromptTemplateDetail } from '../../src-shared/prompts';
import { PROMOTE_MIN_RUNS } from '../../src-shared/prompts';
import { useApi } from '../app-context';
import { dateTime, plural } from '../format';
import type { DraftRead } from '../prompt-form';
import { useRecentEvents } from '../queries';
import { RISK_LABELS } from '../risk';
import { refreshPromptTemplate } from '../server-state';
import { usePromptsView } from '../stores/prompts-view';
import { ErrorNotice } from './ErrorNotice';
import { SelectField, TextField } from './Field';
import { PlaygroundResultView } from './PlaygroundResult';
import { versionOptions } from './PromptDiff';

type Source = ChannelInput<'prompts.playground.promote'>;

function EventPicker() {
  const eventId = usePromptsView((s) => s.eventId);
  const setEventId = usePromptsView((s) => s.setEventId);
  const events = useRecentEvents();
  const list = events.data ?? [];
  return (
    <div className="field-pair">
      <SelectField
        id="playground-recent"
        label="Recent event"
        value={list.some((e) => e.id === eventId) ? eventId : ''}
        onValueChange={setEventId}
        options={[
          { value: '', label: list.length ? 'Pick an event…' : 'No events yet' },
          ...list.map((e) => ({
            value: e.id,
            label: `${dateTime(e.startedAt)} · ${e.cameraName} · ${RISK_LABELS[e.riskLevel]} ${e.riskScore}`,
          })),
        ]}
        hint={
          list.length === 0 && events.isSuccess
            ? 'Events appear once cameras send snapshots (Cameras page).'
            : undefined
        }
      />
      <TextField
        id="playground-event-id"
        label="Event id"
        value={eventId}
        onValueChange={(v) => setEventId(v.trim())}
        spellCheck={false}
        autoComplete="off"
        hint="Or paste the id of any event."
      />
    </div>
  );
}

export function PromptPlayground({
  template,
  readDraft,
}: {
  template: PromptTemplateDetail;
  readDraft: () => DraftRead;
}) {
  const api = useApi();
  const qc = useQueryClient();
  const eventId = usePromptsView((s) => s.eventId);
  const [mode, setMode] = useState<'version' | 'draft'>('version');
  const [versionId, setVersionId] = useState(
    template.activeVersionId ?? template.versions[0]?.id ?? '',
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [ran, setRan] = useState<{ result: PlaygroundResult; source: Source } | null>(null);
  const [message, setMessage] = useState('');

  const run = async () => {
    setError(null);
    setProblems([]);
    setMessage('');
    let source: Source;
    if (mode === 'draft') {
      const read = readDraft();
      if (!read.ok) {
        setProblems(read.problems);
        return;
      }
      source = { draft: { templateId: template.id, ...read.draft } };
    } else {
      source = { versionId };
    }
    setBusy(true);
    try {
      const result = await api.invoke('prompts.playground', { eventId, ...source });
      setRan({ result, source });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const promote = async (source: Source) => {
    setBusy(true);
    setError(null);
    try {
      const v = await api.invoke('prompts.playground.promote', source);
      refreshPromptTemplate(qc, template.id);
      setMessage(`Version ${v.number} is now active`);
      setRan(null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const runs = ran?.result.runs ?? 0;
  const missing = PROMOTE_MIN_RUNS - runs;
  return (
    <section className="panel" aria-labelledby="prompt-playground-title" aria-busy={busy}>
      <h2 id="prompt-playground-title">Playground</h2>
      <p className="muted">
        Runs a prompt on one stored event and shows the answer beside the stored one. The event
        keeps its score.
      </p>
      <form
        aria-label="Playground"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy && eventId) void run();
        }}
      >
        <EventPicker />
        <fieldset className="choice-group">
          <legend>Prompt</legend>
          <div className="choice-list">
            <label className="choice">
              <input
                type="radio"
                name="playground-source"
                checked={mode === 'version'}
                onChange={() => setMode('version')}
              />
              A saved version
            </label>
            <label className="choice">
              <input
                type="radio"
                name="playground-source"
                checked={mode === 'draft'}
                onChange={() => setMode('draft')}
              />
              The draft in the editor
            </label>
          </div>
        </fieldset>
        {mode === 'version' && (
          <SelectField
            id="playground-version"
            label="Version"
            value={versionId}
            onValueChange={setVersionId}
            options={versionOptions(template.versions)}
          />
        )}
        {problems.length > 0 && (
          <div className="notice notice-error" role="alert">
            <p>Fix the draft in the editor first:</p>
            <ul>
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </div>
        )}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy || !eventId}>
            Run
          </button>
          <p role="status" className="status-line">
            {busy ? 'Asking the model… this can take a while.' : message}
          </p>
        </div>
      </form>
      {error !== null && <ErrorNotice error={error} prefix="Could not run the prompt" />}
      {ran && (
        <>
          <PlaygroundResultView r={ran.result} />
          <div className="form-actions">
            <button
              type="button"
              className="button"
              disabled={busy || missing > 0}
              aria-describedby="playground-promote-note"
              onClick={() => void promote(ran.source)}
            >
              {'draft' in ran.source ? 'Promote: save and activate' : 'Promote: activate'}
            </button>
            <p id="playground-promote-note" className="field-hint">
              {missing > 0
                ? `Run it ${plural(missing, 'more time')} before promoting (${PROMOTE_MIN_RUNS} runs needed).`
                : `Ran ${plural(runs, 'time')}: it can be promoted.`}
            </p>
          </div>
        </>
      )}
    </section>
  );
}
