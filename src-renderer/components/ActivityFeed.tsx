import { errorMessage } from '../api';
import { useActivity } from '../queries';
import { dateTime, timeAgo } from '../format';
import { riskClass } from '../risk';
import { eventHref, routeHref } from '../routes';
import { useNow } from '../stores/clock';
import { RiskBadge } from './RiskBadge';

/** The latest events, live: each links to its detail. */
export function ActivityFeed() {
  const query = useActivity();
  const events = query.data ?? null;
  const error = query.isError ? errorMessage(query.error) : null;
  const now = useNow();

  return (
    <section className="panel activity" aria-labelledby="activity-title">
      <div className="panel-header">
        <h2 id="activity-title">Recent activity</h2>
        <a className="button button-small button-secondary" href={routeHref('events')}>
          All events
        </a>
      </div>
      <div data-testid="activity-feed">
        {error && (
          <p className="notice notice-error" role="alert">
            Could not load recent events: {error}
          </p>
        )}
        {!events && !error && <p className="muted">Loading…</p>}
        {events?.length === 0 && (
          <p className="empty-inline">
            No events yet — events appear when cameras detect people, vehicles or animals
          </p>
        )}
        {events && events.length > 0 && (
          <ol className="activity-list">
            {events.map((event) => (
              <li key={event.id} className={`activity-item ${riskClass(event.riskLevel)}`}>
                <a href={eventHref(event.id)} className="activity-link">
                  <RiskBadge level={event.riskLevel} score={event.riskScore} />
                  <span className="activity-text">
                    <span className="activity-camera">{event.cameraName}</span>
                    <span className="activity-summary">{event.summary || 'No summary'}</span>
                  </span>
                  <time
                    className="activity-time"
                    dateTime={event.startedAt}
                    title={dateTime(event.startedAt)}
                  >
                    {timeAgo(event.startedAt, now)}
                  </time>
                </a>
              </li>
            ))}
          </ol>
        )}
      </div>
    </section>
  );
}
