/** The Analytics page's breakdowns as bars: objects by class, alerts per rule, false positives. */
import { RISK_LEVELS } from '../../src-shared/domain';
import type { AlertsByRuleRow, FalsePositiveRow, ObjectShare } from '../../src-shared/analytics';
import type { AnalyticsRange } from '../analytics-data';
import { percentOrDash, plural } from '../format';
import { useAnalytics } from '../queries';
import { RISK_LABELS, riskClass } from '../risk';
import { routeHref } from '../routes';
import type { Bar } from './AnalyticsSection';
import { AnalyticsSection, BarChart } from './AnalyticsSection';
import { NumbersTable } from './NumbersTable';

export function ObjectDistribution({ range }: { range: AnalyticsRange }) {
  const query = useAnalytics('analytics.objectDistribution', range);
  const bars = (rows: ObjectShare[]): Bar[] =>
    rows.map((r) => ({
      key: r.objectClass,
      label: r.objectClass,
      value: r.percent,
      text: `${r.percent}% (${r.count})`,
    }));
  return (
    <AnalyticsSection
      id="analytics-objects"
      title="Objects detected"
      note="Each kind of object's share of all detections in the range."
      query={query}
      isEmpty={(rows) => rows.length === 0}
      empty={<p>No detections in this range — cameras add to it as they send snapshots.</p>}
      chart={(rows) => (
        <BarChart
          bars={bars(rows)}
          max={100}
          testId="objects-chart"
          label={`Share of detections by class: ${rows.map((r) => `${r.objectClass} ${r.percent}% (${r.count})`).join(', ')}`}
        />
      )}
      table={(rows) => (
        <NumbersTable
          caption="Detections by class"
          rows={rows}
          rowKey={(r) => r.objectClass}
          columns={[
            { header: 'Class', cell: (r) => r.objectClass },
            { header: 'Detections', cell: (r) => r.count, numeric: true },
            { header: 'Share', cell: (r) => `${r.percent}%`, numeric: true },
          ]}
        />
      )}
    />
  );
}

/** "High 2, Critical 1": the severities in words, so the bar's colours are not the only telling. */
function severityText(r: AlertsByRuleRow): string {
  return RISK_LEVELS.filter((l) => r.bySeverity[l] > 0)
    .map((l) => `${RISK_LABELS[l]} ${r.bySeverity[l]}`)
    .join(', ');
}

export function AlertsByRule({ range }: { range: AnalyticsRange }) {
  const query = useAnalytics('analytics.alertsByRule', range);
  const bars = (rows: AlertsByRuleRow[]): Bar[] =>
    rows.map((r) => ({
      key: r.ruleId ?? '',
      label: r.ruleName,
      value: r.count,
      text: `${plural(r.count, 'alert')} (${severityText(r)})`,
      segments: RISK_LEVELS.map((l) => ({
        value: r.bySeverity[l],
        className: riskClass(l),
        title: `${RISK_LABELS[l]}: ${r.bySeverity[l]}`,
      })),
    }));
  return (
    <AnalyticsSection
      id="analytics-alerts"
      title="Alerts per rule"
      note="Alerts raised in the range by each rule, coloured by severity."
      query={query}
      isEmpty={(rows) => rows.length === 0}
      empty={
        <p>
          No alerts in this range — rules raise them when an event matches (
          <a href={`${routeHref('alerts')}/rules`}>Alerts → Rules</a>).
        </p>
      }
      chart={(rows) => (
        <BarChart
          bars={bars(rows)}
          label={`Alerts per rule: ${rows.map((r) => `${r.ruleName} ${r.count} (${severityText(r)})`).join('; ')}`}
        />
      )}
      table={(rows) => (
        <NumbersTable
          caption="Alerts per rule by severity"
          rows={rows}
          rowKey={(r) => r.ruleId ?? ''}
          columns={[
            { header: 'Rule', cell: (r) => r.ruleName },
            ...RISK_LEVELS.map((l) => ({
              header: RISK_LABELS[l],
              cell: (r: AlertsByRuleRow) => r.bySeverity[l],
              numeric: true,
            })),
            { header: 'Total', cell: (r) => r.count, numeric: true },
          ]}
        />
      )}
    />
  );
}

const fpText = (r: FalsePositiveRow) =>
  r.rate === null
    ? `no feedback (${plural(r.events, 'event')})`
    : `${percentOrDash(r.rate)} (${r.falsePositives} of ${r.feedback} rated)`;

export function FalsePositives({ range }: { range: AnalyticsRange }) {
  const query = useAnalytics('analytics.falsePositiveRate', range);
  return (
    <AnalyticsSection
      id="analytics-false-positives"
      title="False positives per camera"
      note="Of the events you gave feedback on, the share you marked a false positive."
      query={query}
      isEmpty={(rows) => rows.every((r) => r.feedback === 0)}
      empty={
        <p>
          No feedback on events in this range — mark events on the{' '}
          <a href={routeHref('events')}>Events</a> page as correct or a false positive, and each
          camera&apos;s rate appears here.
        </p>
      }
      chart={(rows) => (
        <BarChart
          max={1}
          bars={rows.map((r) => ({
            key: r.cameraId,
            label: r.cameraName,
            value: r.rate ?? 0,
            text: fpText(r),
          }))}
          label={`False-positive rate per camera: ${rows.map((r) => `${r.cameraName} ${fpText(r)}`).join(', ')}`}
        />
      )}
      table={(rows) => (
        <NumbersTable
          caption="False positives per camera"
          rows={rows}
          rowKey={(r) => r.cameraId}
          columns={[
            { header: 'Camera', cell: (r) => r.cameraName },
            { header: 'Events', cell: (r) => r.events, numeric: true },
            { header: 'Rated', cell: (r) => r.feedback, numeric: true },
            { header: 'False positives', cell: (r) => r.falsePositives, numeric: true },
            { header: 'Rate', cell: (r) => percentOrDash(r.rate), numeric: true },
          ]}
        />
      )}
    />
  );
}
