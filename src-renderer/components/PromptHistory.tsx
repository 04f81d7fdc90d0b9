/**
 * A template's versions, newest first: who made each and why, which is active, which runs
 * text-only; activate one, restore one as a new version (rollback), compare two.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { PromptTemplateDetail, PromptVersion } from '../../src-shared/prompts';
import { useApi } from '../app-context';
import { dateTime } from '../format';
import { refreshPromptTemplate } from '../server-state';
import { ErrorNotice } from './ErrorNotice';
import { PromptDiff } from './PromptDiff';

const AUTHORS: Record<PromptVersion['createdBy'], string> = {
  user: 'You',
  import: 'Import',
  rollback: 'Rollback',
  promotion: 'Promotion',
  system: 'Built in',
};

export function PromptHistory({ template }: { template: PromptTemplateDetail }) {
  const api = useApi();
  const qc = useQueryClient();
  const versions = template.versions;
  const active = versions.find((v) => v.active) ?? versions[0];
  const before = versions.find((v) => active && v.number < active.number);
  const [compare, setCompare] = useState({
    from: (before ?? active)?.id ?? '',
    to: active?.id ?? '',
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState('');

  const run = async (work: () => Promise<string>) => {
    setBusy(true);
    setError(null);
    setMessage('');
    try {
      setMessage(await work());
      refreshPromptTemplate(qc, template.id);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const activate = (v: PromptVersion) =>
    run(async () => {
      await api.invoke('prompts.versions.activate', { versionId: v.id });
      return `Version ${v.number} is now active`;
    });
  const rollback = (v: PromptVersion) =>
    run(async () => {
      const copy = await api.invoke('prompts.rollback', {
        templateId: template.id,
        versionId: v.id,
      });
      return `Rolled back: version ${copy.number}, a copy of version ${v.number}, is now active`;
    });

  return (
    <>
      <section className="panel" aria-labelledby="prompt-history-title">
        <h2 id="prompt-history-title">Versions of {template.name}</h2>
        <p className="muted">
          Versions never change. Rolling back adds a copy of an earlier version and activates it, so
          the history keeps what happened.
        </p>
        <p role="status" className="status-line">
          {message}
        </p>
        {error !== null && <ErrorNotice error={error} prefix="That did not work" />}
        <div className="table-wrap">
          <table className="table table-compact" aria-label="Versions, newest first">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Made by</th>
                <th scope="col">Change</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <tr
                  key={v.id}
                  className={v.active ? 'is-current' : undefined}
                  data-testid={`version-row-${v.number}`}
                >
                  <th scope="row" className="cell-name">
                    v{v.number} {v.active && <span className="badge badge-good">active</span>}
                    {v.textOnlyReason && (
                      <span className="badge badge-warn" title={v.textOnlyReason}>
                        text only
                      </span>
                    )}
                  </th>
                  <td>{AUTHORS[v.createdBy]}</td>
                  <td className="version-change">
                    {v.changeDescription || <span className="muted">No description</span>}
                    {v.textOnlyReason && (
                      <span className="field-hint cell-note">
                        The model refused images, so this version runs without them:{' '}
                        {v.textOnlyReason}
                      </span>
                    )}
                  </td>
                  <td>{dateTime(v.createdAt)}</td>
                  <td>
                    <div className="row-actions">
                      <button
                        type="button"
                        className="button button-small"
                        disabled={busy || v.active}
                        aria-label={`Activate version ${v.number}`}
                        onClick={() => void activate(v)}
                      >
                        Activate
                      </button>
                      <button
                        type="button"
                        className="button button-small"
                        disabled={busy || v.active}
                        aria-label={`Roll back to version ${v.number}`}
                        onClick={() => void rollback(v)}
                      >
                        Roll back to this
                      </button>
                      {active && !v.active && (
                        <button
                          type="button"
                          className="button button-small button-secondary"
                          aria-label={`Compare version ${v.number} with the active version`}
                          onClick={() => setCompare({ from: v.id, to: active.id })}
                        >
                          Compare with active
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {versions.length > 0 && (
        <PromptDiff
          versions={versions}
          fromId={compare.from}
          toId={compare.to}
          onChange={(from, to) => setCompare({ from, to })}
        />
      )}
    </>
  );
}
