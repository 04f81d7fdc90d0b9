import type { RuleTestResult, SecurityEvent } from '../../src-shared/domain';
import { conditionList } from '../alert-conditions';
import { dateTime } from '../format';
import { eventHref } from '../routes';

export interface PreviewData {
  result: RuleTestResult;
  /** The recent events by id, for what each result is about (may miss some). */
  events: ReadonlyMap<string, SecurityEvent>;
}

/** "Matches 3 of 50 recent events (6 %)". */
export function previewSummary(result: RuleTestResult): string {
  const total = result.results.length;
  const matches = result.results.filter((r) => r.matches).length;
  return `Matches ${matches} of ${total} recent events (${Math.round(result.matchRate * 100)} %)`;
}

/** The dry run of an unsaved rule: how often it would have fired, event by event. */
export function RulePreview({ data }: { data: PreviewData }) {
  const { result, events } = data;
  return (
    <section
      className="rule-preview"
      data-testid="rule-preview"
      aria-labelledby="rule-preview-title"
    >
      <h3 id="rule-preview-title" className="subheading">
        Preview
      </h3>
      <p className="rule-preview-summary" role="status">
        {previewSummary(result)}
      </p>
      {result.results.length === 0 && (
        <p className="muted">There are no events yet to try the rule on.</p>
      )}
      {result.results.length > 0 && (
        <ul className="rule-preview-list">
          {result.results.map((r) => {
            const event = events.get(r.eventId);
            const title = event
              ? `${event.cameraName} · ${dateTime(event.startedAt)}`
              : `Event ${r.eventId}`;
            return (
              <li key={r.eventId} className={r.matches ? 'is-match' : 'is-miss'}>
                <span className="preview-mark" aria-hidden="true">
                  {r.matches ? '✓' : '✗'}
                </span>
                <span className="visually-hidden">{r.matches ? 'Matches:' : 'No match:'}</span>
                <div className="preview-body">
                  <a href={eventHref(r.eventId)}>{title}</a>
                  {event?.summary && <span className="preview-summary">{event.summary}</span>}
                  <span className="preview-conditions">
                    Matched: {conditionList(r.matchedConditions)}
                    {r.failedConditions.length > 0 &&
                      ` · Failed: ${conditionList(r.failedConditions)}`}
                  </span>
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
