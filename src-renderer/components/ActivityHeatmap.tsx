/** Events by day of week and hour, in the homeowner's time zone: a 7 × 24 grid of colours. */
import type { ActivityHeatmap as Heatmap } from '../../src-shared/analytics';
import type { AnalyticsRange } from '../analytics-data';
import { WEEKDAYS, heatLevel, heatmapSummary, heatmapTotal, hourText } from '../analytics-data';
import { plural } from '../format';
import { useAnalytics } from '../queries';
import { AnalyticsSection } from './AnalyticsSection';

const HOURS = Array.from({ length: 24 }, (_, h) => h);

function HeatGrid({ h }: { h: Heatmap }) {
  return (
    <div className="heatmap" role="img" aria-label={heatmapSummary(h)} data-testid="heatmap">
      <span className="heat-corner" />
      {HOURS.map((hour) => (
        <span key={hour} className="heat-hour">
          {hour % 3 === 0 ? hour : ''}
        </span>
      ))}
      {WEEKDAYS.map((day, d) => (
        <div key={day} className="heat-row">
          <span className="heat-day">{day}</span>
          {HOURS.map((hour) => {
            const n = h.cells[d]?.[hour] ?? 0;
            return (
              <span
                key={hour}
                className={`heat-cell heat-${heatLevel(n, h.max)}`}
                data-count={n}
                title={`${day} ${hourText(hour)}: ${plural(n, 'event')}`}
              />
            );
          })}
        </div>
      ))}
    </div>
  );
}

function HeatTable({ h }: { h: Heatmap }) {
  return (
    <table className="table table-compact heat-table">
      <caption>Events by day of week (rows) and hour (columns), {h.timezone}</caption>
      <thead>
        <tr>
          <th scope="col">Day</th>
          {HOURS.map((hour) => (
            <th key={hour} scope="col" className="cell-number">
              {hour}
            </th>
          ))}
          <th scope="col" className="cell-number">
            Total
          </th>
        </tr>
      </thead>
      <tbody>
        {WEEKDAYS.map((day, d) => {
          const row = h.cells[d] ?? [];
          return (
            <tr key={day}>
              <th scope="row">{day}</th>
              {HOURS.map((hour) => (
                <td key={hour} className="cell-number">
                  {row[hour] ?? 0}
                </td>
              ))}
              <td className="cell-number">{row.reduce((a, b) => a + b, 0)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function ActivityHeatmapSection({ range }: { range: AnalyticsRange }) {
  const query = useAnalytics('analytics.heatmap', range);
  const zone = query.data?.timezone;
  return (
    <AnalyticsSection
      id="analytics-heatmap"
      title="Activity by hour"
      note={
        zone
          ? `When events start, by day of week and hour, in ${zone} (the night profile's time zone on the Calibration page, else this machine's).`
          : 'When events start, by day of week and hour.'
      }
      query={query}
      isEmpty={(h) => heatmapTotal(h) === 0}
      empty={
        <p>
          No events in this range to place by hour — each event a camera raises adds to its hour.
          Pick a longer range or other cameras.
        </p>
      }
      chart={(h) => (
        <>
          <HeatGrid h={h} />
          <p className="heat-legend field-hint" aria-hidden="true">
            Fewer <span className="heat-cell heat-1" /> <span className="heat-cell heat-2" />{' '}
            <span className="heat-cell heat-3" /> <span className="heat-cell heat-4" /> more (most
            in one hour: {h.max})
          </p>
        </>
      )}
      table={(h) => <HeatTable h={h} />}
    />
  );
}
