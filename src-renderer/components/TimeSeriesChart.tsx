/**
 * A time series drawn by uPlot (canvas). Daily: every day of the range on a UTC axis like the
 * server's counters, one line per series or stacked bars. Samples: values at instants over a
 * window, on a local-time axis, a line per series that breaks where its samples stop. The
 * canvas is an image to assistive technology, named by `label`; the numbers themselves are
 * in the section's table.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { DailySeries } from '../analytics-data';
import { daySeconds, stackForDrawing } from '../analytics-data';
import type { SampleSeries } from '../operations-data';

/** One colour per line, in order (`--series-1` … `--series-8` in styles.css). */
export const SERIES_COLOURS = Array.from({ length: 8 }, (_, i) => `--series-${i + 1}`);

const HEIGHT = 220;
const MIN_WIDTH = 240;
/** Whole numbers of events or detections on the y axis. */
const COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 1e6];
const DAY_S = 86_400;
/** Whole days between ticks (uPlot aligns 30 days and up to months, 365 to years). */
const DAY_STEPS = [1, 2, 3, 7, 14, 30, 60, 90, 180, 365].map((d) => d * DAY_S);
/** Up to this many samples per line, each is marked with a dot. */
const DOTTED_SAMPLES = 60;

type Values = (number | null | undefined)[];
type Drawn = { label: string; values: Values; stacked?: number[]; colour: string };

function options(
  el: HTMLElement,
  data: DailySeries | SampleSeries,
  drawn: Drawn[],
  valueText: (v: number) => string,
  max: number | undefined,
): uPlot.Options {
  const css = getComputedStyle(el);
  const colour = (name: string) => css.getPropertyValue(name).trim() || 'gray';
  const muted = colour('--text-muted');
  const grid = { stroke: colour('--border'), width: 1 };
  const bars = uPlot.paths.bars?.({ size: [0.7, 40], align: 0 });
  const daily = 'days' in data;
  let xRange: [number, number];
  if (daily) {
    // The range's days and half a day either side (uPlot widens a single day to years).
    const first = daySeconds(data.days[0] ?? '1970-01-01');
    const last = daySeconds(data.days[data.days.length - 1] ?? '1970-01-01');
    xRange = [first - DAY_S / 2, last + DAY_S / 2];
  } else {
    xRange = [data.from, data.to];
  }
  const points = daily ? data.days.length : data.x.length;
  return {
    width: Math.max(MIN_WIDTH, el.clientWidth),
    height: HEIGHT,
    // Days are UTC calendar days: ticks and the legend say them as such.
    ...(daily && { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC') }),
    scales: {
      x: { time: true, range: () => xRange },
      y: { range: (_u, _min, top) => [0, max ?? Math.max(1, top)] },
    },
    axes: [
      { stroke: muted, grid, ticks: grid, ...(daily && { incrs: DAY_STEPS }) },
      {
        stroke: muted,
        grid,
        ticks: grid,
        size: daily ? 48 : 56,
        ...(daily && { incrs: COUNT_STEPS }),
      },
    ],
    cursor: { drag: { x: false, y: false } },
    series: [
      daily
        ? { label: 'Day', value: '{YYYY}-{MM}-{DD}' }
        : { label: 'Time', value: '{YYYY}-{MM}-{DD} {HH}:{mm}:{ss}' },
      ...drawn.map((s) => ({
        label: s.label,
        stroke: colour(s.colour),
        width: s.stacked ? 0 : 2,
        ...(s.stacked ? { fill: colour(s.colour), paths: bars } : {}),
        points: { show: !s.stacked && points <= (daily ? 31 : DOTTED_SAMPLES), size: 5 },
        // The legend says the series' own value, not where its part of a stack ends.
        value: (_u: uPlot, _v: number, _si: number, i: number | null) => {
          const v = i === null ? null : daily ? (s.values[i] ?? 0) : s.values[i];
          return typeof v === 'number' ? valueText(v) : '—';
        },
      })),
    ],
  };
}

export function TimeSeriesChart({
  data,
  colourVars,
  stacked = false,
  unit,
  valueText,
  max,
  label,
  testId,
}: {
  data: DailySeries | SampleSeries;
  /** CSS custom properties with each series' colour, in order (repeated when fewer). */
  colourVars: readonly string[];
  /** Bars stacked in series order (the first at the bottom) instead of lines (daily only). */
  stacked?: boolean;
  /** What a value counts ("events"), for the legend; or `valueText`. */
  unit?: string;
  /** A value as the legend writes it (default: the value and the unit). */
  valueText?: (v: number) => string;
  /** The top of the y axis (default: the highest value). */
  max?: number;
  label: string;
  testId: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const coloured = data.series.map((s, i) => ({
      ...s,
      colour: colourVars[i % colourVars.length]!,
    }));
    const daily = 'days' in data;
    const drawn: Drawn[] =
      stacked && daily ? stackForDrawing(coloured as (Drawn & { values: number[] })[]) : coloured;
    const aligned: uPlot.AlignedData = [
      daily ? data.days.map(daySeconds) : data.x,
      ...drawn.map((s) => s.stacked ?? s.values),
    ];
    const text = valueText ?? ((v: number) => (unit ? `${v} ${unit}` : String(v)));
    const plot = new uPlot(options(el, data, drawn, text, max), aligned, el);
    const resize = new ResizeObserver(() => {
      const width = Math.max(MIN_WIDTH, el.clientWidth);
      if (width !== plot.width) plot.setSize({ width, height: HEIGHT });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [data, colourVars, stacked, unit, valueText, max]);
  return (
    <div ref={box} className="time-chart" role="img" aria-label={label} data-testid={testId} />
  );
}
