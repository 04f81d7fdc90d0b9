/** A playground run beside the event's stored result: scores, the change, the answer, costs. */
import type { PlaygroundResult } from '../../src-shared/prompts';
import { deltaTone } from '../../src-shared/prompts';
import { latencyText, plural, signed } from '../format';
import { RiskBadge } from './RiskBadge';

const TONE_TEXT = {
  calmer: 'calmer than stored',
  alarming: 'more alarming than stored',
  same: 'about the same as stored',
} as const;

export function PlaygroundResultView({ r }: { r: PlaygroundResult }) {
  const run = r.result;
  const tone = deltaTone(r.delta);
  return (
    <div className="playground-result" data-testid="playground-result">
      <p className={`playground-delta delta-${tone}`} data-testid="playground-delta">
        {r.delta === null ? (
          'No new score: the run failed.'
        ) : (
          <>
            Change <strong>{signed(r.delta)}</strong> ({TONE_TEXT[tone]})
          </>
        )}
      </p>
      <div className="playground-columns">
        <section aria-labelledby="playground-stored">
          <h3 id="playground-stored">Stored result</h3>
          <p data-testid="playground-stored-score">
            <RiskBadge level={r.stored.level} score={r.stored.score} />{' '}
            <span className="muted">by {r.stored.scorer}</span>
          </p>
          <p>{r.stored.summary}</p>
          {r.stored.reasoning && <p className="muted prewrap">{r.stored.reasoning}</p>}
        </section>
        <section aria-labelledby="playground-new">
          <h3 id="playground-new">This run</h3>
          {run.ok && run.answer && run.score !== null && run.level ? (
            <>
              <p data-testid="playground-new-score">
                <RiskBadge level={run.level} score={run.score} />{' '}
                <span className="muted">
                  (the model said {run.answer.riskScore}
                  {run.answer.riskLevel && `, ${run.answer.riskLevel}`})
                </span>
              </p>
              {run.answer.title && <p className="cell-name">{run.answer.title}</p>}
              <p>{run.answer.summary}</p>
              {run.answer.observations.length > 0 && (
                <ul className="playground-observations" aria-label="Observations">
                  {run.answer.observations.map((o, i) => (
                    <li key={i}>{o}</li>
                  ))}
                </ul>
              )}
              {run.answer.reasoning && <p className="muted prewrap">{run.answer.reasoning}</p>}
            </>
          ) : (
            <p className="notice notice-error" role="alert">
              The run failed: {run.error ?? 'no answer'}
            </p>
          )}
          <dl className="facts playground-facts">
            <div>
              <dt>Latency</dt>
              <dd>{latencyText(run.latencyMs)}</dd>
            </div>
            <div>
              <dt>Tokens (prompt / answer)</dt>
              <dd>
                {run.promptTokens ?? '—'} / {run.completionTokens ?? '—'}
              </dd>
            </div>
            <div>
              <dt>Images sent</dt>
              <dd>{run.imagesSent}</dd>
            </div>
            <div>
              <dt>Runs so far</dt>
              <dd data-testid="playground-runs">{plural(r.runs, 'run')}</dd>
            </div>
          </dl>
          {run.imagesRejected && (
            <p className="notice notice-warn">
              The model refused the images and was asked again without them: {run.imagesRejected}
            </p>
          )}
        </section>
      </div>
      <details className="playground-details">
        <summary>Prompt as sent</summary>
        <pre role="region" className="debug-json" tabIndex={0} aria-label="The prompt as sent">
          {r.renderedPrompt}
        </pre>
      </details>
      <details className="playground-details">
        <summary>Raw answer</summary>
        <pre role="region" className="debug-json" tabIndex={0} aria-label="The model's raw answer">
          {run.raw ?? '(none)'}
        </pre>
      </details>
    </div>
  );
}
