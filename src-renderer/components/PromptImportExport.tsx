/**
 * Every template and version to a JSON file, and such a file back in: previewed first (what
 * each template would become, with the diff against its active version), then imported as new
 * versions that are not activated.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { PromptImportResult } from '../../src-shared/prompts';
import { useApi } from '../app-context';
import { useBusyAction } from '../use-busy-action';
import { plural } from '../format';
import { unifiedLines } from '../prompt-diff';
import { keys } from '../server-state';
import { ErrorNotice } from './ErrorNotice';

const ACTIONS = {
  new_template: 'New template',
  new_version: 'New version (not active)',
  unchanged: 'Unchanged: skipped',
} as const;

/** Saves text as a file through a temporary link (works in the browser and the desktop app). */
function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

function Plan({ plan }: { plan: PromptImportResult }) {
  return (
    <ul className="import-plan" aria-label={plan.applied ? 'Imported' : 'Import preview'}>
      {plan.items.map((item) => (
        <li key={item.template}>
          <p>
            <strong>{item.template}</strong>: {ACTIONS[item.action]}
            {item.paramsChanged.length > 0 && (
              <span className="muted"> · parameters changed: {item.paramsChanged.join(', ')}</span>
            )}
          </p>
          {item.action !== 'unchanged' && (
            <pre
              role="region"
              className="unified-diff"
              tabIndex={0}
              aria-label={`Changes to ${item.template}`}
            >
              {unifiedLines(item.diff).map((l, i) => (
                <span key={i} className={`udiff-${l.kind}`}>
                  {l.text}
                  {'\n'}
                </span>
              ))}
            </pre>
          )}
        </li>
      ))}
    </ul>
  );
}

export function PromptImportExport() {
  const api = useApi();
  const qc = useQueryClient();
  const [json, setJson] = useState('');
  const [plan, setPlan] = useState<PromptImportResult | null>(null);
  const { busy, error, run } = useBusyAction();
  const [message, setMessage] = useState('');

  const call = (work: () => Promise<void>) => {
    setMessage('');
    return run(work);
  };
  const exportAll = () =>
    call(async () => {
      const doc = await api.invoke('prompts.export', {});
      download(`hsi-prompts-${doc.exportedAt.slice(0, 10)}.json`, JSON.stringify(doc, null, 2));
      setMessage(`Exported ${plural(doc.templates.length, 'template')}`);
    });
  const importJson = (preview: boolean) =>
    call(async () => {
      const result = await api.invoke('prompts.import', { json, preview });
      setPlan(result);
      if (!preview) {
        void qc.invalidateQueries({ queryKey: keys.promptTemplates });
        void qc.invalidateQueries({ queryKey: keys.promptTemplateAll });
        setMessage(`Imported ${plural(result.createdVersionIds.length, 'version')}`);
      }
    });

  return (
    <>
      <section className="panel" aria-labelledby="prompt-export-title">
        <h2 id="prompt-export-title">Export</h2>
        <p className="muted">Every template with all its versions, as one JSON file.</p>
        <button type="button" className="button" disabled={busy} onClick={() => void exportAll()}>
          Export prompts
        </button>
      </section>
      <section className="panel" aria-labelledby="prompt-import-title">
        <h2 id="prompt-import-title">Import</h2>
        <p className="muted">
          Each template&apos;s active version in the file becomes a new template, or a new version
          of the template with the same name. Imported versions are not activated: try them in the
          playground or an evaluation, then activate them under History.
        </p>
        <div className="field">
          <label htmlFor="prompt-import-file">File</label>
          <input
            id="prompt-import-file"
            type="file"
            accept=".json,application/json"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (!file) return;
              void file.text().then((text) => {
                setJson(text);
                setPlan(null);
              });
            }}
          />
        </div>
        <div className="field">
          <label htmlFor="prompt-import-json">Or paste the JSON</label>
          <textarea
            id="prompt-import-json"
            rows={8}
            spellCheck={false}
            value={json}
            onChange={(e) => {
              setJson(e.target.value);
              setPlan(null);
            }}
          />
        </div>
        <div className="form-actions">
          <button
            type="button"
            className="button"
            disabled={busy || json.trim().length < 2}
            onClick={() => void importJson(true)}
          >
            Preview
          </button>
          <button
            type="button"
            className="button button-primary"
            disabled={busy || !plan || plan.applied}
            title={plan ? undefined : 'Preview first'}
            onClick={() => void importJson(false)}
          >
            Import
          </button>
          <p role="status" className="status-line">
            {message}
          </p>
        </div>
        {error !== null && <ErrorNotice error={error} prefix="Could not import" />}
        {plan && <Plan plan={plan} />}
      </section>
    </>
  );
}
