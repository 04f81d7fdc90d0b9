import { useIsFetching, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { daysBetween, rangeDays, rangeInput, rangeText, utcDay } from '../analytics-data';
import { ActivityHeatmapSection } from '../components/ActivityHeatmap';
import {
  AlertsByRule,
  FalsePositives,
  ObjectDistribution,
} from '../components/AnalyticsBreakdowns';
import { AnalyticsFilters } from '../components/AnalyticsFilters';
import { CameraUptime, Storage } from '../components/AnalyticsSystem';
import { DetectionTrends, RiskHistory } from '../components/AnalyticsTrends';
import { ErrorNotice } from '../components/ErrorNotice';
import { plural } from '../format';
import { useCameras } from '../queries';
import { keys } from '../server-state';
import { useAnalyticsView } from '../stores/analytics-view';
import { useNow } from '../stores/clock';

/**
 * `#/analytics`: over a range of days and some cameras (or all), detections and events per
 * day, when events happen by hour, what is detected, alerts per rule, false positives per
 * camera, uptime, and storage. Each chart has its numbers as a table too.
 */
export function AnalyticsPage() {
  const range = useAnalyticsView((s) => s.range);
  const cameraIds = useAnalyticsView((s) => s.cameraIds);
  const cameras = useCameras();
  const qc = useQueryClient();
  const fetching = useIsFetching({ queryKey: keys.analyticsAll }) > 0;
  // A camera removed since it was picked no longer narrows anything.
  const listed = cameras.data;
  const picked = listed ? cameraIds.filter((id) => listed.some((c) => c.id === id)) : cameraIds;
  const pickedKey = picked.join('\n');
  // Presets end today (UTC): the range moves on when the day does.
  const today = utcDay(useNow());
  const input = useMemo(
    () => rangeInput(range, pickedKey ? pickedKey.split('\n') : [], Date.parse(today)),
    [range, pickedKey, today],
  );
  const days = useMemo(() => {
    const d = rangeDays(range, Date.parse(today));
    return input ? daysBetween(d.from, d.to) : [];
  }, [range, today, input]);

  const refresh = () => {
    void qc.invalidateQueries({ queryKey: keys.analyticsAll });
    void qc.invalidateQueries({ queryKey: keys.storage });
  };

  return (
    <section className="page page-analytics" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Analytics</h1>
      </header>
      <p className="page-intro">
        What your cameras saw over a range of days: detections and events per day, when things
        happen, what is detected, which rules alert, how often events are false positives, each
        camera&apos;s uptime, and what is stored.
      </p>
      {cameras.isError && <ErrorNotice error={cameras.error} prefix="Could not load cameras" />}
      <AnalyticsFilters cameras={listed} />
      <div className="analytics-status">
        <p role="status" className="muted" data-testid="analytics-scope">
          {input
            ? `Showing ${rangeText(range)}, ${picked.length ? plural(picked.length, 'camera') : 'all cameras'}.`
            : 'Pick a valid range to see the charts.'}
        </p>
        <button
          type="button"
          className="button button-small"
          disabled={fetching || !input}
          onClick={refresh}
        >
          Refresh
        </button>
      </div>
      {input && (
        <>
          <RiskHistory range={input} days={days} />
          <DetectionTrends range={input} days={days} />
          <ActivityHeatmapSection range={input} />
          <div className="grid analytics-grid">
            <ObjectDistribution range={input} />
            <AlertsByRule range={input} />
            <FalsePositives range={input} />
            <CameraUptime range={input} />
            <Storage />
          </div>
        </>
      )}
    </section>
  );
}
