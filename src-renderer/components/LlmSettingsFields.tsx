/**
 * The Settings page's Language model group: the server, model, API key and timeout; "Test
 * connection" lists the server's models (one click fills the model), "Find local servers"
 * looks for Ollama, llama.cpp, LM Studio and vLLM on this computer. More servers can follow
 * the first, tried in order or in turn.
 */
import { useState } from 'react';
import { useFieldArray, useFormContext, useWatch } from 'react-hook-form';
import type { LocalLlmServer } from '../../src-shared/prompts';
import { REDACTED } from '../../src-shared/settings';
import { useApi } from '../app-context';
import { plural } from '../format';
import { FormCheckbox, FormSelect, FormText } from '../forms/fields';
import type { SettingsForm as V } from '../settings-form';
import { LLM_BALANCE_CHOICES, emptyLlmEndpointRow } from '../settings-form';
import { ErrorNotice } from './ErrorNotice';
import { ServerRows } from './ServerRows';

type Found =
  | { kind: 'models'; models: string[]; source: string }
  | { kind: 'servers'; servers: LocalLlmServer[] };

/** The LLM servers after the first: one row each, added and removed here, saved as a list. */
function LlmServers() {
  const { control } = useFormContext<V>();
  const rows = useFieldArray({ control, name: 'llm.endpoints' });
  const model = useWatch({ control, name: 'llm.model' });
  const count = rows.fields.length;

  return (
    <div>
      {count > 0 && (
        <p className="field-hint">
          Tried after the server above when it cannot answer (unreachable, too slow, or an error on
          its side); a bad answer is not retried elsewhere. A saved key is never shown: leave it to
          keep it, clear it to remove it.
        </p>
      )}
      <ServerRows
        keys={rows.fields.map((r) => r.id)}
        // The base URL above is server 1.
        legend={(i) => `LLM server ${i + 2}`}
        idPrefix="settings-llm-endpoint"
        removeLabel={(i) => `Remove LLM server ${i + 2}`}
        addLabel="Add LLM server"
        onAdd={() => rows.append(emptyLlmEndpointRow(), { shouldFocus: false })}
        onRemove={(i) => rows.remove(i)}
        fields={(i) => (
          <>
            <FormText<V>
              name={`llm.endpoints.${i}.baseUrl`}
              id={`settings-llm-endpoint-${i}-url`}
              label="Server address"
              type="url"
              placeholder="http://host:8080"
              spellCheck={false}
              autoComplete="off"
            />
            <div className="field-pair">
              <FormText<V>
                name={`llm.endpoints.${i}.model`}
                id={`settings-llm-endpoint-${i}-model`}
                label="Model (optional)"
                placeholder={model}
                spellCheck={false}
                autoComplete="off"
              />
              <FormText<V>
                name={`llm.endpoints.${i}.apiKey`}
                id={`settings-llm-endpoint-${i}-api-key`}
                label="API key (optional)"
                type="password"
                autoComplete="new-password"
                spellCheck={false}
              />
            </div>
          </>
        )}
        beforeAdd={
          count > 0 && (
            <FormSelect<V>
              name="llm.balance"
              id="settings-llm-balance"
              label="When there are several servers"
              options={LLM_BALANCE_CHOICES}
            />
          )
        }
      />
    </div>
  );
}

export function LlmSettingsFields() {
  const api = useApi();
  const { control, getValues, setValue } = useFormContext<V>();
  const model = useWatch({ control, name: 'llm.model' });
  const [found, setFound] = useState<Found | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fill = (name: 'llm.model' | 'llm.baseUrl', value: string) =>
    setValue(name, value, { shouldDirty: true, shouldValidate: true });

  const ask = async (work: () => Promise<Found>) => {
    setBusy(true);
    setError(null);
    setFound(null);
    try {
      setFound(await work());
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const test = () =>
    ask(async () => {
      const { baseUrl, apiKey } = getValues('llm');
      const url = baseUrl.trim();
      // A saved address with its credentials hidden: the server uses the saved one.
      const given = url && !url.includes(REDACTED) ? { baseUrl: url } : {};
      const result = await api.invoke('llm.models', { ...given, apiKey });
      return { kind: 'models', ...result };
    });
  const detect = () =>
    ask(async () => ({ kind: 'servers', servers: await api.invoke('llm.detect', {}) }));

  return (
    <fieldset className="panel">
      <legend>Language model</legend>
      <FormCheckbox<V>
        name="llm.enabled"
        id="settings-llm-enabled"
        label="LLM enabled"
        hint="Off: events are scored by the built-in rules only."
      />
      <FormText<V>
        name="llm.baseUrl"
        id="settings-llm-base-url"
        label="LLM base URL"
        type="url"
        hint="An OpenAI-compatible server, e.g. http://127.0.0.1:8080"
        spellCheck={false}
        autoComplete="off"
      />
      <FormText<V>
        name="llm.model"
        id="settings-llm-model"
        label="LLM model"
        hint="A prompt version can name another model of the same server."
        spellCheck={false}
        autoComplete="off"
      />
      <div className="field-pair">
        <FormText<V>
          name="llm.apiKey"
          id="settings-llm-api-key"
          label="API key"
          type="password"
          hint="Only for servers that ask for one. A saved key is never shown: leave it to keep it, clear it to remove it."
          autoComplete="new-password"
          spellCheck={false}
        />
        <FormText<V>
          name="llm.timeoutMs"
          id="settings-llm-timeout"
          label="Timeout (ms)"
          type="number"
          min={100}
          max={600000}
          step={1000}
          hint="How long one analysis may take before it counts as failed."
        />
      </div>
      <div className="form-actions">
        <button type="button" className="button" disabled={busy} onClick={() => void test()}>
          Test connection
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => void detect()}>
          Find local servers
        </button>
        {/* Not a second status of the Settings form (its own says whether it saved). */}
        <p aria-live="polite" className="status-line" data-testid="llm-connection-status">
          {busy
            ? 'Asking…'
            : found?.kind === 'models'
              ? `Connected: ${plural(found.models.length, 'model')} (from ${found.source})`
              : found?.kind === 'servers'
                ? `${plural(found.servers.length, 'local server')} found`
                : ''}
        </p>
      </div>
      {error !== null && <ErrorNotice error={error} prefix="No connection" />}
      {found?.kind === 'models' && found.models.length > 0 && (
        <ul
          className="llm-models"
          aria-label="Models on this server"
          aria-describedby="settings-llm-models-hint"
        >
          {found.models.map((m) => (
            <li key={m}>
              <button
                type="button"
                className="button button-small"
                aria-pressed={m === model}
                onClick={() => fill('llm.model', m)}
              >
                {m}
              </button>
            </li>
          ))}
        </ul>
      )}
      {found?.kind === 'models' && (
        <p id="settings-llm-models-hint" className="field-hint">
          {found.models.length
            ? 'Pick one to use it as the LLM model.'
            : 'The server lists no models: type the model name above.'}
        </p>
      )}
      {found?.kind === 'servers' && found.servers.length === 0 && (
        <p className="muted">
          None answered on the usual ports (Ollama 11434, llama.cpp 8080, LM Studio 1234, vLLM
          8000). Start one, or type its address above.
        </p>
      )}
      {found?.kind === 'servers' && found.servers.length > 0 && (
        <ul className="llm-servers" aria-label="Local servers">
          {found.servers.map((s) => (
            <li key={s.baseUrl}>
              <span>
                <strong>{s.name}</strong> <code>{s.baseUrl}</code>{' '}
                <span className="muted">
                  {s.models.length ? s.models.join(', ') : 'no models listed'}
                </span>
              </span>
              <button
                type="button"
                className="button button-small"
                aria-label={`Use ${s.name} at ${s.baseUrl}`}
                onClick={() => {
                  fill('llm.baseUrl', s.baseUrl);
                  if (s.models[0]) fill('llm.model', s.models[0]);
                }}
              >
                Use
              </button>
            </li>
          ))}
        </ul>
      )}
      <LlmServers />
    </fieldset>
  );
}
