/** The running experiment of a template: its variants and policy; stop it or promote one. */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { PromptExperiment, PromptTemplateDetail } from '../../src-shared/prompts';
import { useApi } from '../app-context';
import { dateTime, percent } from '../format';
import { refreshPromptTemplate } from '../server-state';
import { ErrorNotice } from './ErrorNotice';

export function ExperimentRunning({
  template,
  e,
  onDone,
}: {
  template: PromptTemplateDetail;
  e: PromptExperiment;
  /** Says what was done (the panel outlives this part once the experiment ends). */
  onDone: (note: string) => void;
}) {
  const api = useApi();
  const qc = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const number = (id: string) => template.versions.find((v) => v.id === id)?.number ?? '?';
  const activeId = template.activeVersionId;
  const act = async (work: () => Promise<unknown>, note: string) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      onDone(note);
      refreshPromptTemplate(qc, template.id);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="prompt-experiment-running">
      <h2 id="prompt-experiment-running">Running experiment</h2>
      <dl className="facts">
        <div>
          <dt>Mode</dt>
          <dd>{e.mode === 'split' ? 'Split' : 'Shadow'}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{dateTime(e.startedAt)}</dd>
        </div>
        <div>
          <dt>Rolls a candidate back when</dt>
          <dd>
            parse failures are {percent(e.rollback.parseFailureMargin)} above the active
            version&apos;s, or p95 latency {percent(e.rollback.latencyMargin)} above it, after{' '}
            {e.rollback.minRuns} runs
          </dd>
        </div>
      </dl>
      <ul className="variant-list" aria-label="Variants">
        {e.variants.map((v) => (
          <li key={v.versionId}>
            <span>
              {`Version ${number(v.versionId)}${v.versionId === activeId ? ' (active)' : ''} · weight ${v.weight}`}
            </span>
            {v.versionId !== activeId && (
              <button
                type="button"
                className="button button-small"
                disabled={busy}
                onClick={() =>
                  void act(
                    () => api.invoke('prompts.experiment.promote', { versionId: v.versionId }),
                    `Version ${number(v.versionId)} is now active; the experiment has ended`,
                  )
                }
              >
                Promote version {number(v.versionId)}
              </button>
            )}
          </li>
        ))}
      </ul>
      <button
        type="button"
        className="button button-danger-quiet"
        disabled={busy}
        onClick={() =>
          void act(
            () => api.invoke('prompts.experiment.stop', { templateId: template.id }),
            'Experiment stopped; the active version analyses every event',
          )
        }
      >
        Stop experiment
      </button>
      {error !== null && <ErrorNotice error={error} prefix="That did not work" />}
    </section>
  );
}
