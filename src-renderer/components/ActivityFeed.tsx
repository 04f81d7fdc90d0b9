import { useEffect, useState } from 'react';
import type { SecurityEvent } from '../../src-shared/domain';
import { api, errorMessage } from '../api';
import { compareNewestFirst } from '../event-filters';
import { dateTime, timeAgo } from '../format';
import { riskClass } from '../risk';
import { eventHref, routeHref } from '../routes';
import { useNow } from '../stores/clock';
import { useConnection } from '../stores/connection';
import { RiskBadge } from './RiskBadge';

const FEED_SIZE = 10;

/** The latest events, live: each links to its detail. */
export function ActivityFeed() {
  const [events, setEvents] = useState<SecurityEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reconnects = useConnection((s) => s.reconnects);
  const now = useNow();

  useEffect(() => {
    let live = true;
    api.invoke('events.list', { limit: FEED_SIZE }).then(
      (page) => {
        if (!live) return;
        setEvents(page.items);
        setError(null);
      },
      (err: unknown) => {
        if (live) setError(errorMessage(err));
      },
    );
    return () => {
      live = false;
    };
  }, [reconnects]);

  useEffect(() => {
    const offCreated = api.on('event.created', (event) => {
      setEvents((current) => {
        const rest = (current ?? []).filter((e) => e.id !== event.id);
        return [event, ...rest].sort(compareNewestFirst).slice(0, FEED_SIZE);
      });
    });
    const offUpdated = api.on('event.updated', (event) => {
      setEvents((current) => current && current.map((e) => (e.id === event.id ? event : e)));
    });
    return () => {
      offCreated();
      offUpdated();
    };
  }, []);

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
