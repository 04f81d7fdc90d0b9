import type { Ref } from 'react';
import type { EventAnalysis, SecurityEvent } from '../../src-shared/domain';
import { ApiError, errorMessage } from '../api';
import { useEvent } from '../queries';
import { dateTime, latencyText, timeAgo } from '../format';
import { useNow } from '../stores/clock';
import { EventFeedbackForm } from './EventFeedbackForm';
import { IgnoreOfferPanel } from './IgnoreOfferPanel';
import { EventImages } from './EventImages';
import { EventReview } from './EventReview';
import { RiskBadge } from './RiskBadge';
import { ScorerBadge } from './ScorerBadge';

export const EVENT_DETAIL_TITLE_ID = 'event-detail-title';

/**
 * One event in full: snapshots and detections, summary and reasoning (plain text, always),
 * scoring facts, review and feedback. Mount it with `key={id}` so each event starts fresh.
 */
export function EventDetail({
  id,
  initial,
  onUpdated,
  titleRef,
}: {
  id: string;
  /** The heading (focused when the dialog opens). */
  titleRef: Ref<HTMLHeadingElement>;
  /** The event as the list has it, shown until the full one arrives. */
  initial: SecurityEvent | undefined;
  onUpdated: (event: SecurityEvent) => void;
}) {
  const now = useNow();
  const query = useEvent(id);
  // The full event once it is here (pushes keep it current), the list's copy until then.
  const full = query.data;
  const event: SecurityEvent | null = full ?? initial ?? null;
  const detections = full?.detections ?? null;
  const error = query.isError
    ? {
        notFound: query.error instanceof ApiError && query.error.code === 'not_found',
        message: errorMessage(query.error),
      }
    : null;

  const saved = (updated: SecurityEvent) => onUpdated(updated);

  const heading = (
    <h2 id={EVENT_DETAIL_TITLE_ID} ref={titleRef} tabIndex={-1}>
      {event ? (
        <>
          {event.cameraName} · <time dateTime={event.startedAt}>{dateTime(event.startedAt)}</time>
        </>
      ) : (
        'Event'
      )}
    </h2>
  );

  if (!event) {
    return (
      <article className="event-detail-body" data-testid={`event-detail-${id}`}>
        {heading}
        {error ? (
          <div className="notice notice-error" role="alert">
            <p>{error.notFound ? 'This event does not exist (any more).' : error.message}</p>
            {!error.notFound && (
              <button
                type="button"
                className="button button-small"
                onClick={() => void query.refetch()}
              >
                Retry
              </button>
            )}
          </div>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </article>
    );
  }

  return (
    <article className="event-detail-body" data-testid={`event-detail-${id}`}>
      {heading}
      <p className="event-detail-facts">
        <RiskBadge level={event.riskLevel} score={event.riskScore} />
        <ScorerBadge scorer={event.scorer} model={event.model} showModel />
        <span className="muted">Latency {latencyText(event.latencyMs)}</span>
        <span className="muted">{timeAgo(event.startedAt, now)}</span>
        {event.rawRiskScore !== null && event.rawRiskScore !== event.riskScore && (
          <span className="muted">Before calibration {event.rawRiskScore}</span>
        )}
        {event.isFastPath && <span className="muted">Fast path</span>}
      </p>
      {error && (
        <p className="notice notice-error" role="alert">
          Could not load the full event: {error.message}
        </p>
      )}
      <div className="event-detail-grid">
        <EventImages
          cameraName={event.cameraName}
          detections={detections}
          fallbackImageId={event.thumbnailImageId}
        />
        <div className="event-detail-info">
          {event.analysis && (
            <p data-testid="event-title">
              <strong>{event.analysis.title}</strong>
            </p>
          )}
          <h3 className="subheading">Summary</h3>
          <p className="prewrap" data-testid="event-summary">
            {event.summary || 'No summary'}
          </p>
          <h3 className="subheading">Reasoning</h3>
          <p className="prewrap" data-testid="event-reasoning">
            {event.reasoning || 'No reasoning given'}
          </p>
          {event.analysis && <EventAnalysisView analysis={event.analysis} />}
          <p className="muted">
            Objects: {event.objectClasses.length > 0 ? event.objectClasses.join(', ') : 'none'} ·{' '}
            {event.detectionCount} {event.detectionCount === 1 ? 'detection' : 'detections'}
          </p>
          <EventReview event={event} onSaved={saved} />
          <EventFeedbackForm eventId={event.id} />
          <IgnoreOfferPanel eventId={event.id} />
        </div>
      </div>
    </article>
  );
}

/** What a structured LLM answer adds: the observations it relied on, its confidence, other concerns. */
function EventAnalysisView({ analysis }: { analysis: EventAnalysis }) {
  return (
    <div data-testid="event-analysis">
      {analysis.observations.length > 0 && (
        <>
          <h3 className="subheading">Observations</h3>
          <ul>
            {analysis.observations.map((o, i) => (
              <li key={i}>{o}</li>
            ))}
          </ul>
        </>
      )}
      {analysis.otherConcerns.length > 0 && (
        <>
          <h3 className="subheading">Other concerns</h3>
          <ul>
            {analysis.otherConcerns.map((o, i) => (
              <li key={i}>{o}</li>
            ))}
          </ul>
        </>
      )}
      {analysis.confidence !== null && (
        <p className="muted">Model confidence: {Math.round(analysis.confidence * 100)} %</p>
      )}
    </div>
  );
}
