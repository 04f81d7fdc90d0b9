import { RISK_LEVELS } from '../../src-shared/domain';
import { errorMessage } from '../api';
import { useEventStats } from '../queries';
import { localMidnightIso } from '../format';
import { RISK_LABELS, riskClass } from '../risk';
import { useNow } from '../stores/clock';

/** Events since local midnight, by risk level (live). */
export function TodayCounts() {
  const now = useNow();
  // Changes at midnight: the counts start over.
  const since = localMidnightIso(now);
  const query = useEventStats({ from: since });
  const stats = query.data ?? null;
  const error = query.isError ? errorMessage(query.error) : null;

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
