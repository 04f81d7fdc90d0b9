import { RISK_LEVELS } from '../../src-shared/domain';
import { RISK_LABELS, riskClass } from '../risk';
import { useTimelineStats } from '../timeline';

/** "1234 events · Low 10 · Medium 4 · …" for the current filters (from `events.stats`). */
export function EventStatsLine() {
  const { stats, error } = useTimelineStats();
  if (error) {
    return (
      <p className="event-stats muted" role="alert">
        Could not count events: {error}
      </p>
    );
  }
  return (
    <p className="event-stats">
      <span className="event-stats-total">
        <span data-testid="events-count">{stats ? stats.total : '…'}</span>{' '}
        {stats?.total === 1 ? 'event' : 'events'}
      </span>
      {stats &&
        RISK_LEVELS.map((level) => (
          <span
            key={level}
            className={`event-stats-level ${riskClass(level)}`}
            data-testid={`events-count-${level}`}
          >
            <span className="risk-dot" aria-hidden="true" />
            {RISK_LABELS[level]} {stats.byRiskLevel[level]}
          </span>
        ))}
    </p>
  );
}
