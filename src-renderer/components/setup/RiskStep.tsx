import { useQueryClient } from '@tanstack/react-query';
import type { RefObject } from 'react';
import { useState } from 'react';
import type { LlmTestResult, LocalLlmServer } from '../../../src-shared/prompts';
import type { Settings } from '../../../src-shared/settings';
import { useBusyAction } from '../../use-busy-action';
import { useApi } from '../../app-context';
import { latencyText, plural } from '../../format';
import { keys } from '../../server-state';
import { completeStep } from '../../setup-state';
import { ErrorNotice } from '../ErrorNotice';
import { StepFrame } from './StepFrame';

const RULES_OUTCOME = 'Built-in rules scorer';

export function RiskStep({ headingRef }: { headingRef: RefObject<HTMLHeadingElement | null> }) {
  const api = useApi();
  const qc = useQueryClient();
  const [servers, setServers] = useState<LocalLlmServer[] | null>(null);
  const [baseUrl, setBaseUrl] = useState('');
  const [models, setModels] = useState<string[]>([]);
  const [model, setModel] = useState('');
  /** The last test's answer ('asking' while it runs). */
  const [tested, setTested] = useState<LlmTestResult | 'asking' | null>(null);
  const { busy, error, run } = useBusyAction();

  const pickServer = (server: LocalLlmServer) => {
    setBaseUrl(server.baseUrl);
    setModels(server.models);
    setModel(server.models[0] ?? '');
    setTested(null);
  };
  const detect = () =>
    run(async () => {
      const found = await api.invoke('llm.detect', {});
      setServers(found);
      if (found[0]) pickServer(found[0]);
    });
  const listModels = () =>
    run(async () => {
      const result = await api.invoke('llm.models', { baseUrl: baseUrl.trim() });
      setModels(result.models);
      setModel(result.models[0] ?? '');
      setTested(null);
    });
  const test = () =>
    run(async () => {
      setTested('asking');
      try {
        setTested(await api.invoke('llm.test', { baseUrl: baseUrl.trim(), model }));
      } catch (err) {
        setTested(null);
        throw err;
      }
    });
  const enable = () =>
    run(async () => {
      const next = await api.invoke('system.settings.update', {
        llm: { enabled: true, baseUrl: baseUrl.trim(), model },
      });
      qc.setQueryData<Settings>(keys.settings, next);
      completeStep('risk', `Language model ${model} at ${baseUrl.trim()}`);
    });

  return (
    <StepFrame
      title="Risk scoring"
      headingRef={headingRef}
      intro="Each event gets a risk score. The built-in rules work offline; a local language model (Ollama, llama.cpp, LM Studio, vLLM) on this computer can describe and score what it sees."
      onSkip={() => completeStep('risk', RULES_OUTCOME)}
    >
      <div className="form-actions">
        <button type="button" className="button" disabled={busy} onClick={() => void detect()}>
          Find local servers
        </button>
        <button
          type="button"
          className="button"
          onClick={() => completeStep('risk', RULES_OUTCOME)}
        >
          Keep the rules scorer
        </button>
      </div>
      {servers && (
        <p className="status-line" role="status">
          {servers.length === 0
            ? 'No local language model server found on this computer.'
            : `Found ${plural(servers.length, 'server')}.`}
        </p>
      )}
      {servers && servers.length > 0 && (
        <fieldset className="setup-choices">
          <legend>Server</legend>
          {servers.map((s) => (
            <label key={s.baseUrl} className="radio-row">
              <input
                type="radio"
                name="setup-llm-server"
                checked={baseUrl === s.baseUrl}
                onChange={() => pickServer(s)}
              />
              {s.name} at {s.baseUrl} ({plural(s.models.length, 'model')})
            </label>
          ))}
        </fieldset>
      )}
      <div className="field">
        <label htmlFor="setup-llm-url">Server address</label>
        <div className="copy-row">
          <input
            id="setup-llm-url"
            type="url"
            value={baseUrl}
            placeholder="http://127.0.0.1:11434"
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => {
              setBaseUrl(e.target.value);
              setTested(null);
            }}
          />
          <button
            type="button"
            className="button"
            disabled={busy || !baseUrl.trim()}
            onClick={() => void listModels()}
          >
            List models
          </button>
        </div>
      </div>
      {models.length > 0 && (
        <div className="field">
          <label htmlFor="setup-llm-model">Model</label>
          <select
            id="setup-llm-model"
            value={model}
            onChange={(e) => {
              setModel(e.target.value);
              setTested(null);
            }}
          >
            {models.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </div>
      )}
      {model && baseUrl.trim() && (
        <div className="form-actions">
          <button type="button" className="button" disabled={busy} onClick={() => void test()}>
            Test {model}
          </button>
          <button
            type="button"
            className="button button-primary"
            disabled={busy}
            onClick={() => void enable()}
          >
            Use {model}
          </button>
        </div>
      )}
      <p className="status-line" role="status" data-testid="setup-llm-test">
        {tested === 'asking'
          ? `Asking ${model} for a one-word answer…`
          : tested &&
            `${tested.model} answered "${tested.reply}" in ${latencyText(tested.latencyMs)}`}
      </p>
      {error !== null && <ErrorNotice error={error} />}
    </StepFrame>
  );
}
