/**
 * The frame of each Analytics chart: its title, loading, error and empty states, the chart,
 * and the same numbers as a table behind a toggle. Also the plain bar chart most sections use.
 */
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { barPercent } from '../analytics-data';
import { ErrorNotice } from './ErrorNotice';

export function AnalyticsSection<T>({
  id,
  title,
  query,
  isEmpty,
  empty,
  note,
  chart,
  table,
  level = 2,
}: {
  id: string;
  title: string;
  /** The title's heading level (3 inside a titled group of charts). */
  level?: 2 | 3;
  query: UseQueryResult<T>;
  isEmpty: (data: T) => boolean;
  /** What to do so the chart has something to show. */
  empty: ReactNode;
  /** A line under the title (what the numbers count). */
  note?: ReactNode;
  chart: (data: T) => ReactNode;
  table: (data: T) => ReactNode;
}) {
  const data = query.isError ? undefined : query.data;
  const Heading = level === 3 ? 'h3' : 'h2';
  return (
    <section
      className="panel analytics-section"
      aria-labelledby={`${id}-title`}
      aria-busy={query.isFetching}
      data-testid={id}
    >
      <Heading id={`${id}-title`}>{title}</Heading>
      {note && <p className="field-hint analytics-note">{note}</p>}
      {query.isError && (
        <ErrorNotice error={query.error} prefix={`Could not load ${title.toLowerCase()}`} />
      )}
      {query.isPending && <p className="muted">Loading…</p>}
      {data !== undefined && isEmpty(data) && (
        <div className="empty analytics-empty" data-testid={`${id}-empty`}>
          {empty}
        </div>
      )}
      {data !== undefined && !isEmpty(data) && (
        <div className={query.isPlaceholderData ? 'analytics-body is-stale' : 'analytics-body'}>
          {chart(data)}
          <details className="chart-numbers">
            <summary>Show the numbers</summary>
            <div className="table-wrap">{table(data)}</div>
          </details>
        </div>
      )}
    </section>
  );
}

export interface BarSegment {
  value: number;
  /** Sets the segment's colour (e.g. a risk level's class). */
  className: string;
  title: string;
}

export interface Bar {
  key: string;
  label: string;
  /** Where the bar ends, on the chart's scale. */
  value: number;
  /** The number written beside it. */
  text: string;
  /** Parts of the bar in order (they add up to `value`); one plain bar when absent. */
  segments?: BarSegment[];
}

/**
 * Horizontal bars, one row per item, as one image named by `label` (the numbers are written
 * beside the bars and listed again in the table). `max`: the scale's end (default: the longest).
 */
export function BarChart({
  bars,
  label,
  max,
  testId,
}: {
  bars: readonly Bar[];
  label: string;
  max?: number;
  testId?: string;
}) {
  const end = max ?? Math.max(0, ...bars.map((b) => b.value));
  return (
    <div className="bar-chart" role="img" aria-label={label} data-testid={testId}>
      {bars.map((b) => (
        <div key={b.key} className="bar-row">
          <span className="bar-label">{b.label}</span>
          <span className="bar-track">
            <span className="bar-fill" style={{ width: `${barPercent(b.value, end)}%` }}>
              {(b.segments ?? [{ value: b.value, className: 'bar-plain', title: b.text }]).map(
                (s, i) =>
                  s.value > 0 && (
                    <span
                      key={i}
                      className={`bar-segment ${s.className}`}
                      style={{ flexGrow: s.value }}
                      title={s.title}
                    />
                  ),
              )}
            </span>
          </span>
          <span className="bar-value">{b.text}</span>
        </div>
      ))}
    </div>
  );
}
