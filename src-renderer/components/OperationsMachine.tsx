/**
 * The Operations page's machine and inference charts over a range ending now: utilisation and
 * memory per device, the detector's model time and images, the ingest queue; each device's
 * latest reading above them.
 */
import type { UseQueryResult } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { MachineSample } from '../../src-shared/telemetry';
import { latencyText, timeAgo } from '../format';
import type { BucketCell, MachineRange, MachineWindow, SampleSeries } from '../operations-data';
import {
  MACHINE_RANGE,
  MACHINE_RANGES,
  bucketText,
  deviceSeries,
  latestReadings,
  memoryText,
  percentText,
  readingText,
  sampleSummary,
  seriesBuckets,
  workSeries,
} from '../operations-data';
import { useMachineSamples } from '../queries';
import { useNow } from '../stores/clock';
import { useOperationsView } from '../stores/operations-view';
import { AnalyticsSection } from './AnalyticsSection';
import { ChoiceButtons } from './ChoiceButtons';
import type { NumbersColumn } from './NumbersTable';
import { NumbersTable } from './NumbersTable';
import { SERIES_COLOURS, TimeSeriesChart } from './TimeSeriesChart';

const WORK_COLOURS = ['--series-2'];
const QUEUE_COLOURS = ['--series-3'];

const RANGE_CHOICES = MACHINE_RANGES.map((r) => ({ value: r, label: MACHINE_RANGE[r].label }));

const gbText = (gb: number) => memoryText(gb * 1024);
const countText = (n: number) =>
  Number.isInteger(n) || n >= 10 ? String(Math.round(n)) : n.toFixed(1);
const imagesText = (n: number) => `${countText(n)} images`;
const waitingText = (n: number) => `${countText(n)} waiting`;

type Query = UseQueryResult<MachineWindow>;

const EMPTY = <p>No samples yet — the app samples the machine every 15 seconds.</p>;

/** A chart's numbers per time bucket: one column per line, each cell as `cell` says. */
function BucketTable({
  series,
  range,
  caption,
  columns,
}: {
  series: SampleSeries;
  range: MachineRange;
  caption: string;
  /** A line's columns (by its label): header, and the cell of a bucket it has samples in. */
  columns: (label: string) => { header: string; cell: (c: BucketCell) => string }[];
}) {
  const { bucketMs, bucketName } = MACHINE_RANGE[range];
  const rows = seriesBuckets(series, bucketMs);
  type Row = (typeof rows)[number];
  return (
    <NumbersTable
      caption={`${caption}, per ${bucketName}`}
      rows={rows}
      rowKey={(r) => String(r.start)}
      columns={[
        { header: 'Time', cell: (r: Row) => bucketText(r.start, bucketMs) },
        ...series.series.flatMap((line, i) =>
          columns(line.label).map((c): NumbersColumn<Row> => ({
            header: c.header,
            cell: (r) => {
              const cell = r.cells[i];
              return cell ? c.cell(cell) : '—';
            },
            numeric: true,
          })),
        ),
      ]}
    />
  );
}

function useSeries(query: Query, shape: (w: MachineWindow) => SampleSeries) {
  const data = query.data;
  return useMemo(() => data && shape(data), [data, shape]);
}

const utilisation = (w: MachineWindow) => deviceSeries(w, (s) => s.utilization);
const memory = (w: MachineWindow) =>
  deviceSeries(w, (s) => (s.memoryUsedMb === null ? null : s.memoryUsedMb / 1024));
const modelTime = (w: MachineWindow) => workSeries(w, 'Model time per image', (s) => s.inferenceMs);
const IMAGES = 'Images';
const images = (w: MachineWindow) => workSeries(w, IMAGES, (s) => s.inferences);
const queue = (w: MachineWindow) => workSeries(w, 'Queue depth', (s) => s.queueDepth);

/** One line chart of the samples (one line per device or one of the work), with its numbers. */
function SampleSection({
  query,
  range,
  id,
  title,
  note,
  shape,
  colours,
  valueText,
  max,
  what,
  testId,
  caption,
  columns,
}: {
  query: Query;
  range: MachineRange;
  id: string;
  title: string;
  note: string;
  shape: (w: MachineWindow) => SampleSeries;
  colours: string[];
  valueText: (v: number) => string;
  max?: (w: MachineWindow) => number | undefined;
  /** What the chart shows, for its description ("Utilisation per device"). */
  what: string;
  testId: string;
  caption: string;
  columns: (line: string) => { header: string; cell: (c: BucketCell) => string }[];
}) {
  const series = useSeries(query, shape);
  const data = query.data;
  const top = useMemo(() => (data && max ? max(data) : undefined), [data, max]);
  const described = `${what}, ${MACHINE_RANGE[range].text}`;
  return (
    <AnalyticsSection
      id={id}
      title={title}
      level={3}
      note={note}
      query={query}
      isEmpty={(w) => w.samples.length === 0}
      empty={EMPTY}
      chart={() =>
        series && (
          <TimeSeriesChart
            data={series}
            colourVars={colours}
            valueText={valueText}
            max={top}
            label={sampleSummary(series, described, valueText)}
            testId={testId}
          />
        )
      }
      table={() =>
        series && <BucketTable series={series} range={range} caption={caption} columns={columns} />
      }
    />
  );
}

const FULL_SCALE = () => 100;
/** The most memory any device has, in GB (the memory chart's top). */
const mostMemory = (w: MachineWindow) => {
  const totals = w.samples.flatMap((s) =>
    s.memoryTotalMb === null ? [] : [s.memoryTotalMb / 1024],
  );
  return totals.length ? Math.max(...totals) : undefined;
};

function Inference({ query, range }: { query: Query; range: MachineRange }) {
  const time = useSeries(query, modelTime);
  const count = useSeries(query, images);
  const spec = MACHINE_RANGE[range];
  // Ranges over a day are drawn by the minute.
  const per = spec.ms > 86_400_000 ? 'minute' : 'sample';
  const analysed = time?.series[0]?.values.some((v) => typeof v === 'number');
  return (
    <AnalyticsSection
      id="ops-inference"
      title="Inference"
      level={3}
      note={`The detector's mean model time per image, and how many images it analysed per ${per}.`}
      query={query}
      isEmpty={(w) => w.samples.length === 0}
      empty={EMPTY}
      chart={() => (
        <>
          {time && analysed ? (
            <TimeSeriesChart
              data={time}
              colourVars={WORK_COLOURS}
              valueText={latencyText}
              label={sampleSummary(time, `Model time per image, ${spec.text}`, latencyText)}
              testId="model-time-chart"
            />
          ) : (
            <p className="muted">No images were analysed in {spec.text}.</p>
          )}
          {count && (
            <TimeSeriesChart
              data={count}
              colourVars={QUEUE_COLOURS}
              valueText={imagesText}
              label={sampleSummary(count, `Images analysed per ${per}, ${spec.text}`, imagesText)}
              testId="images-chart"
            />
          )}
        </>
      )}
      table={() =>
        time &&
        count && (
          <BucketTable
            series={{ ...time, series: [...time.series, ...count.series] }}
            range={range}
            caption="Model time and images"
            columns={(line) =>
              line === IMAGES
                ? [{ header: 'Images', cell: (c) => countText(c.sum) }]
                : [{ header: `${line} (mean)`, cell: (c) => latencyText(c.mean) }]
            }
          />
        )
      }
    />
  );
}

/** Each device and its latest reading, with how long ago it was taken. */
function DeviceReadings({ samples }: { samples: readonly MachineSample[] }) {
  const now = useNow();
  const latest = latestReadings(samples);
  if (!latest.length) return null;
  return (
    <ul
      className="ops-devices"
      aria-label="Latest reading of each device"
      data-testid="ops-devices"
    >
      {latest.map((s) => (
        <li key={s.device}>
          <strong>{s.device}</strong>: {readingText(s)}{' '}
          <span className="muted">({timeAgo(s.at, now)})</span>
        </li>
      ))}
    </ul>
  );
}

export function MachineCharts() {
  const range = useOperationsView((s) => s.machineRange);
  const setRange = useOperationsView((s) => s.setMachineRange);
  const query = useMachineSamples(range);
  return (
    <section className="ops-area" aria-labelledby="ops-machine-title" data-testid="ops-machine">
      <div className="section-header">
        <h2 id="ops-machine-title">Machine and inference</h2>
        <ChoiceButtons label="Range" choices={RANGE_CHOICES} value={range} onChange={setRange} />
      </div>
      <p className="field-hint">
        Sampled every 15 seconds; samples are kept for a day, then as one-minute averages for 30
        days.
      </p>
      {query.data && !query.isError && <DeviceReadings samples={query.data.samples} />}
      <div className="grid analytics-grid ops-grid">
        <SampleSection
          {...{ query, range }}
          id="ops-utilisation"
          title="Utilisation"
          note="How busy each GPU is; on a machine without one, the CPU."
          shape={utilisation}
          colours={SERIES_COLOURS}
          valueText={percentText}
          max={FULL_SCALE}
          what="Utilisation per device"
          testId="utilisation-chart"
          caption="Utilisation per device (mean)"
          columns={(device) => [{ header: device, cell: (c) => percentText(c.mean) }]}
        />
        <SampleSection
          {...{ query, range }}
          id="ops-memory"
          title="Memory"
          note="Memory used on each GPU, or the machine's memory without one, in GB up to the most there is."
          shape={memory}
          colours={SERIES_COLOURS}
          valueText={gbText}
          max={mostMemory}
          what="Memory used per device"
          testId="memory-chart"
          caption="Memory used per device (mean)"
          columns={(device) => [{ header: device, cell: (c) => gbText(c.mean) }]}
        />
        <Inference query={query} range={range} />
        <SampleSection
          {...{ query, range }}
          id="ops-queue"
          title="Ingest queue"
          note="Images waiting to be analysed."
          shape={queue}
          colours={QUEUE_COLOURS}
          valueText={waitingText}
          what="Images waiting in the ingest queue"
          testId="queue-chart"
          caption="Queue depth"
          columns={() => [
            { header: 'Mean', cell: (c) => countText(c.mean) },
            { header: 'Peak', cell: (c) => countText(c.max) },
          ]}
        />
      </div>
    </section>
  );
}
