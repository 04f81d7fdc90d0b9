import { useEffect, useState } from 'react';
import type { EventStats } from '../../src-shared/domain';
import { RISK_LEVELS } from '../../src-shared/domain';
import { api, errorMessage } from '../api';
import { localMidnightIso } from '../format';
import { RISK_LABELS, riskClass } from '../risk';
import { useNow } from '../stores/clock';
import { useConnection } from '../stores/connection';

/** Events since local midnight, by risk level (live). */
export function TodayCounts() {
  const now = useNow();
  // Changes at midnight: the counts start over.
  const since = localMidnightIso(now);
  const [stats, setStats] = useState<EventStats | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reconnects = useConnection((s) => s.reconnects);

  useEffect(() => {
    let live = true;
    api.invoke('events.stats', { from: since }).then(
      (result) => {
        if (!live) return;
        setStats(result);
        setError(null);
      },
      (err: unknown) => {
        if (live) setError(errorMessage(err));
      },
    );
    return () => {
      live = false;
    };
  }, [since, reconnects]);

  useEffect(
    () =>
      api.on('event.created', (event) => {
        if (Date.parse(event.startedAt) < Date.parse(since)) return;
        setStats(
          (current) =>
            current && {
              ...current,
              total: current.total + 1,
              byRiskLevel: {
                ...current.byRiskLevel,
                [event.riskLevel]: current.byRiskLevel[event.riskLevel] + 1,
              },
            },
        );
      }),
    [since],
  );

  return (
    <section className="panel" aria-labelledby="today-title">
      <h2 id="today-title">Today</h2>
      {error && (
        <p className="notice notice-error" role="alert">
          Could not count today’s events: {error}
        </p>
      )}
      <div data-testid="today-counts">
        {!stats && !error && <p className="muted">Loading…</p>}
        {stats && (
          <>
            <p className="big-number">
              {stats.total} <span className="muted">{stats.total === 1 ? 'event' : 'events'}</span>
            </p>
            <dl className="today-levels">
              {RISK_LEVELS.map((level) => (
                <div key={level} className={`today-level ${riskClass(level)}`}>
                  <dt>{RISK_LABELS[level]}</dt>
                  <dd data-testid={`today-count-${level}`}>{stats.byRiskLevel[level]}</dd>
                </div>
              ))}
            </dl>
          </>
        )}
      </div>
    </section>
  );
}
