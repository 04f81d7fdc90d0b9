import { memo, useState } from 'react';
import type { SecurityEvent } from '../../src-shared/domain';
import { useApi } from '../app-context';
import { dateTime, timeAgo } from '../format';
import { riskClass } from '../risk';
import { eventHref } from '../routes';
import { RiskBadge } from './RiskBadge';
import { ScorerBadge } from './ScorerBadge';

interface EventCardProps {
  event: SecurityEvent;
  selected: boolean;
  onSelectedChange: (id: string, selected: boolean) => void;
  now: number;
}

/** What an event is called in labels: its summary, or camera and time when it has none. */
export function eventLabel(event: SecurityEvent): string {
  return event.summary.trim() || `${event.cameraName} at ${dateTime(event.startedAt)}`;
}

function Thumbnail({ imageId }: { imageId: number | null }) {
  const api = useApi();
  const [failed, setFailed] = useState(false);
  if (imageId === null || failed) {
    return (
      <div className="event-thumb event-thumb-none" aria-hidden="true">
        No image
      </div>
    );
  }
  return (
    <img
      className="event-thumb"
      src={api.mediaUrl(`/api/media/images/${imageId}?boxes=1`)}
      alt="Event thumbnail"
      width={120}
      height={90}
      loading="lazy"
      decoding="async"
      onError={() => setFailed(true)}
    />
  );
}

/**
 * One timeline row: risk-coloured card linking to the event's detail (the whole card is the
 * link's target), with its own selection checkbox for bulk review.
 */
export const EventCard = memo(function EventCard({
  event,
  selected,
  onSelectedChange,
  now,
}: EventCardProps) {
  const label = eventLabel(event);
  return (
    <article
      className={`event-card ${riskClass(event.riskLevel)}${event.reviewed ? ' is-reviewed' : ''}`}
      data-testid={`event-card-${event.id}`}
    >
      <input
        type="checkbox"
        className="event-card-select"
        aria-label={`Select event ${label}`}
        checked={selected}
        onChange={(e) => onSelectedChange(event.id, e.target.checked)}
      />
      <Thumbnail imageId={event.thumbnailImageId} />
      <div className="event-card-body">
        <p className="event-card-head">
          <RiskBadge level={event.riskLevel} score={event.riskScore} />
          <span className="event-card-camera">{event.cameraName}</span>
          <time className="event-card-time" dateTime={event.startedAt}>
            {dateTime(event.startedAt)} · {timeAgo(event.startedAt, now)}
          </time>
        </p>
        <a className="event-card-link" href={eventHref(event.id)} title={event.summary}>
          {event.summary.trim() || <span className="muted">No summary</span>}
        </a>
        <p className="event-card-meta">
          <span className="event-card-classes">
            {event.objectClasses.length > 0 ? event.objectClasses.join(', ') : 'no objects'}
          </span>
          <ScorerBadge scorer={event.scorer} model={event.model} />
          {event.falsePositive && <span className="event-flag">False positive</span>}
          {event.reviewed && (
            <span className="event-reviewed" title="Reviewed">
              <span aria-hidden="true">✓</span> Reviewed
            </span>
          )}
        </p>
      </div>
    </article>
  );
});
