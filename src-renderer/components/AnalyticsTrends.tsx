/** The Analytics page's time series: detections per day by class, events per day by risk level. */
import { useMemo } from 'react';
import { RISK_LEVELS } from '../../src-shared/domain';
import type { AnalyticsRange, DailySeries } from '../analytics-data';
import { riskSeries, seriesRows, seriesSummary, trendSeries } from '../analytics-data';
import { useAnalytics } from '../queries';
import { riskColourVar } from '../risk';
import { AnalyticsSection } from './AnalyticsSection';
import { NumbersTable } from './NumbersTable';
import { SERIES_COLOURS, TimeSeriesChart } from './TimeSeriesChart';

const LEVEL_COLOURS = RISK_LEVELS.map(riskColourVar);

function SeriesTable({ data, caption }: { data: DailySeries; caption: string }) {
  return (
    <NumbersTable
      caption={caption}
      rows={seriesRows(data)}
      rowKey={(r) => r.day}
      columns={[
        { header: 'Day (UTC)', cell: (r) => r.day },
        ...data.series.map((s, i) => ({
          header: s.label,
          cell: (r: { values: number[] }) => r.values[i],
          numeric: true,
        })),
        { header: 'Total', cell: (r) => r.total, numeric: true },
      ]}
    />
  );
}

export function DetectionTrends({ range, days }: { range: AnalyticsRange; days: string[] }) {
  const query = useAnalytics('analytics.detectionTrends', range);
  const rows = query.data;
  const data = useMemo(() => rows && trendSeries(rows, days), [rows, days]);
  return (
    <AnalyticsSection
      id="analytics-trends"
      title="Detection trends"
      note="Objects detected per day, one line per kind."
      query={query}
      isEmpty={(r) => r.length === 0}
      empty={
        <p>
          No detections in this range — cameras add to it as they send snapshots. Pick a longer
          range or other cameras, or check on Cameras &amp; Zones that snapshots arrive.
        </p>
      }
      chart={() =>
        data && (
          <TimeSeriesChart
            data={data}
            colourVars={SERIES_COLOURS}
            unit="detections"
            label={seriesSummary(data, 'Detections per day by class', 'detection')}
            testId="trends-chart"
          />
        )
      }
      table={() => data && <SeriesTable data={data} caption="Detections per day by class" />}
    />
  );
}

export function RiskHistory({ range, days }: { range: AnalyticsRange; days: string[] }) {
  const query = useAnalytics('analytics.riskHistory', range);
  const rows = query.data;
  const data = useMemo(() => rows && riskSeries(rows, days), [rows, days]);
  return (
    <AnalyticsSection
      id="analytics-risk"
      title="Risk history"
      note="Events per day, stacked by risk level, by the day they started."
      query={query}
      isEmpty={(r) => r.length === 0}
      empty={
        <p>
          No events in this range — detections become events once a camera&apos;s batch closes. Pick
          a longer range or other cameras.
        </p>
      }
      chart={() =>
        data && (
          <TimeSeriesChart
            data={data}
            colourVars={LEVEL_COLOURS}
            stacked
            unit="events"
            label={seriesSummary(data, 'Events per day by risk level', 'event')}
            testId="risk-chart"
          />
        )
      }
      table={() => data && <SeriesTable data={data} caption="Events per day by risk level" />}
    />
  );
}
