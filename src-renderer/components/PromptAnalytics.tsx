/**
 * How each version of a template does in live analysis and shadow runs: uses, latency, parse
 * failures, risk, agreement with the homeowner's feedback, tokens, and its days; shadow
 * comparisons with the active version; the automatic rollbacks.
 */
import type {
  PromptAnalytics,
  PromptTemplateDetail,
  VersionAnalytics,
} from '../../src-shared/prompts';
import { dateTime, latencyText, percentOrDash, plural, signed } from '../format';
import { usePromptAnalytics } from '../queries';
import { ErrorNotice } from './ErrorNotice';
import { DailyChart, ShadowBars } from './PromptCharts';

const round = (n: number | null) => (n === null ? '—' : String(Math.round(n)));

function VersionRow({ v }: { v: VersionAnalytics }) {
  const f = v.feedback;
  return (
    <tr data-testid={`analytics-row-${v.number}`}>
      <th scope="row">
        v{v.number} {v.active && <span className="badge badge-good">active</span>}
      </th>
      <td className="cell-number">{v.uses}</td>
      <td className="cell-number">{latencyText(v.meanLatencyMs)}</td>
      <td className="cell-number">{latencyText(v.p95LatencyMs)}</td>
      <td className="cell-number">
        {percentOrDash(v.parseFailureRate)}
        <span className="muted"> ({v.parseFailures})</span>
      </td>
      <td className="cell-number">
        {round(v.meanRisk)}
        {v.riskStdDev !== null && <span className="muted"> ± {round(v.riskStdDev)}</span>}
      </td>
      <td>
        {f.rated === 0 ? (
          <span className="muted">No feedback</span>
        ) : (
          <>
            {percentOrDash(v.feedbackAgreement)} of {f.rated}
            <span className="field-hint cell-note">
              {plural(f.falsePositivesScoredHigh, 'false positive')} scored high,{' '}
              {plural(f.missedThreatsScoredLow, 'missed threat')} scored low
            </span>
          </>
        )}
      </td>
      <td className="cell-number">
        {v.promptTokens ?? '—'} / {v.completionTokens ?? '—'}
      </td>
      <td>
        <DailyChart daily={v.daily} label={`Version ${v.number}: uses and mean risk`} />
      </td>
    </tr>
  );
}

function Shadow({ a, number }: { a: PromptAnalytics; number: (id: string) => string }) {
  if (a.shadow.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="prompt-shadow-title">
      <h2 id="prompt-shadow-title">Shadow comparisons</h2>
      {a.shadow.map((s) => (
        <div key={s.candidateVersionId} className="shadow-comparison">
          <p>
            Version {number(s.candidateVersionId)} against version {number(s.activeVersionId)}:{' '}
            {plural(s.pairs, 'event')}, mean difference {signed(s.meanDiff)} points.
          </p>
          <ShadowBars distribution={s.distribution} />
        </div>
      ))}
    </section>
  );
}

function Rollbacks({ a, number }: { a: PromptAnalytics; number: (id: string) => string }) {
  return (
    <section className="panel" aria-labelledby="prompt-rollbacks-title">
      <h2 id="prompt-rollbacks-title">Automatic rollbacks</h2>
      {a.rollbacks.length === 0 ? (
        <p className="muted">
          None: a candidate of an experiment is taken out here when it fails to parse or runs slower
          than the experiment allows.
        </p>
      ) : (
        <ul className="rollback-list">
          {a.rollbacks.map((r) => (
            <li key={r.id}>
              <strong>
                Version {number(r.versionId)}:{' '}
                {r.reason === 'parse_failures' ? 'too many parse failures' : 'too slow'}
              </strong>{' '}
              <span className="muted">{dateTime(r.at)}</span>
              <span className="field-hint cell-note">{r.detail}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function PromptAnalyticsPanel({ template }: { template: PromptTemplateDetail }) {
  const query = usePromptAnalytics(template.id);
  const a = query.data;
  const number = (id: string) => String(template.versions.find((v) => v.id === id)?.number ?? '?');
  const used = a?.versions.filter((v) => v.uses > 0) ?? [];
  return (
    <>
      <section
        className="panel"
        aria-labelledby="prompt-analytics-title"
        aria-busy={query.isFetching}
      >
        <div className="panel-header">
          <h2 id="prompt-analytics-title">How the versions do</h2>
          <button
            type="button"
            className="button button-small"
            disabled={query.isFetching}
            onClick={() => void query.refetch()}
          >
            Refresh
          </button>
        </div>
        {query.isError && <ErrorNotice error={query.error} prefix="Could not load analytics" />}
        {query.isPending && <p className="muted">Loading analytics…</p>}
        {a && used.length === 0 && (
          <div className="empty" data-testid="analytics-empty">
            <p className="empty-title">No analyses yet</p>
            <p>
              Numbers appear here once the language model analyses events with this template: turn
              the LLM on in Settings, and each event it scores (and each shadow run of an
              experiment) is counted per version. Playground and evaluation runs are not.
            </p>
          </div>
        )}
        {a && used.length > 0 && (
          <div className="table-wrap">
            <table className="table table-compact analytics-table">
              <caption className="visually-hidden">Per version, live and shadow runs</caption>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Uses</th>
                  <th scope="col">Mean latency</th>
                  <th scope="col">p95 latency</th>
                  <th scope="col">Parse failures</th>
                  <th scope="col">Mean risk ± sd</th>
                  <th scope="col">Agrees with feedback</th>
                  <th scope="col">Tokens (prompt / answer)</th>
                  <th scope="col">Per day</th>
                </tr>
              </thead>
              <tbody>
                {a.versions.map((v) => (
                  <VersionRow key={v.versionId} v={v} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {a && <Shadow a={a} number={number} />}
      {a && <Rollbacks a={a} number={number} />}
    </>
  );
}
