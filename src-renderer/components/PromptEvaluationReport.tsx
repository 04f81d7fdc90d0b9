/** What evaluating a version on the homeowner's history found, summed up and per event. */
import type { FeedbackType } from '../../src-shared/domain';
import type { EvaluationReport } from '../../src-shared/prompts';
import { deltaTone } from '../../src-shared/prompts';
import { percentOrDash, plural, signed } from '../format';
import { FEEDBACK_LABELS } from '../risk';
import { eventHref } from '../routes';

const yesNo = (v: boolean | null) => (v === null ? '—' : v ? 'Yes' : 'No');

export function PromptEvaluationReport({
  report,
  versionLabel,
}: {
  report: EvaluationReport;
  versionLabel: string;
}) {
  return (
    <div className="evaluation-report" data-testid="evaluation-report">
      <h3>
        {versionLabel} on {plural(report.evaluated, 'event')}
      </h3>
      <dl className="stats">
        <div className="stat">
          <dt>Agrees with your feedback</dt>
          <dd>{percentOrDash(report.agreementRate)}</dd>
        </div>
        <div className="stat">
          <dt>Stored results agreed</dt>
          <dd>{percentOrDash(report.storedAgreementRate)}</dd>
        </div>
        <div className="stat">
          <dt>Parse failures</dt>
          <dd>{report.parseFailures}</dd>
        </div>
        <div className="stat">
          <dt>Mean score change</dt>
          <dd>{signed(report.meanDelta)}</dd>
        </div>
        <div className="stat">
          <dt>Level changes</dt>
          <dd>{report.levelChanges}</dd>
        </div>
      </dl>
      <p className="muted">
        {report.agreed} of {plural(report.rated, 'rated event')} agree with your feedback. Nothing
        was changed: stored events keep their scores.
      </p>
      <div className="table-wrap">
        <table className="table table-compact">
          <caption className="visually-hidden">Per event</caption>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Your feedback</th>
              <th scope="col">Stored score</th>
              <th scope="col">New score</th>
              <th scope="col">Change</th>
              <th scope="col">Parsed</th>
              <th scope="col">Agrees</th>
            </tr>
          </thead>
          <tbody>
            {report.rows.map((r) => (
              <tr key={r.eventId}>
                <td>
                  <a href={eventHref(r.eventId)}>
                    <code>{r.eventId.slice(-8)}</code>
                  </a>
                </td>
                <td>
                  {r.feedback ? (FEEDBACK_LABELS[r.feedback as FeedbackType] ?? r.feedback) : '—'}
                </td>
                <td className="cell-number">{r.storedScore}</td>
                <td className="cell-number">{r.newScore ?? '—'}</td>
                <td className={`cell-number delta-${deltaTone(r.delta)}`}>{signed(r.delta)}</td>
                <td>{r.parseOk ? 'Yes' : 'No'}</td>
                <td>{yesNo(r.agrees)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
