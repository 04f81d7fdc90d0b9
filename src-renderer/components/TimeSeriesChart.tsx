/**
 * A daily time series drawn by uPlot (canvas) over every day of the range, days on a UTC axis
 * like the server's counters: one line per series, or stacked bars. The canvas is an image to
 * assistive technology, named by `label`; the numbers themselves are in the section's table.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { DailySeries } from '../analytics-data';
import { daySeconds, stackForDrawing } from '../analytics-data';

const HEIGHT = 220;
const MIN_WIDTH = 240;
/** Whole numbers of events or detections on the y axis. */
const COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 1e6];
const DAY_S = 86_400;
/** Whole days between ticks (uPlot aligns 30 days and up to months, 365 to years). */
const DAY_STEPS = [1, 2, 3, 7, 14, 30, 60, 90, 180, 365].map((d) => d * DAY_S);

type Drawn = DailySeries['series'][number] & { stacked?: number[]; colour: string };

function options(el: HTMLElement, days: string[], drawn: Drawn[], unit: string): uPlot.Options {
  const css = getComputedStyle(el);
  const colour = (name: string) => css.getPropertyValue(name).trim() || 'gray';
  const muted = colour('--text-muted');
  const grid = { stroke: colour('--border'), width: 1 };
  const first = daySeconds(days[0] ?? '1970-01-01');
  const last = daySeconds(days[days.length - 1] ?? '1970-01-01');
  const bars = uPlot.paths.bars?.({ size: [0.7, 40], align: 0 });
  return {
    width: Math.max(MIN_WIDTH, el.clientWidth),
    height: HEIGHT,
    // Days are UTC calendar days: ticks and the legend say them as such.
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    scales: {
      // The range's days and half a day either side (uPlot widens a single day to years).
      x: { time: true, range: () => [first - DAY_S / 2, last + DAY_S / 2] },
      y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
    },
    axes: [
      { stroke: muted, grid, ticks: grid, incrs: DAY_STEPS },
      { stroke: muted, grid, ticks: grid, incrs: COUNT_STEPS, size: 48 },
    ],
    cursor: { drag: { x: false, y: false } },
    series: [
      { label: 'Day', value: '{YYYY}-{MM}-{DD}' },
      ...drawn.map((s) => ({
        label: s.label,
        stroke: colour(s.colour),
        width: s.stacked ? 0 : 2,
        ...(s.stacked ? { fill: colour(s.colour), paths: bars } : {}),
        points: { show: !s.stacked && days.length <= 31, size: 5 },
        // The legend says the series' own count, not where its part of a stack ends.
        value: (_u: uPlot, _v: number, _si: number, i: number | null) =>
          i === null ? '—' : `${s.values[i] ?? 0} ${unit}`,
      })),
    ],
  };
}

export function TimeSeriesChart({
  data,
  colourVars,
  stacked = false,
  unit,
  label,
  testId,
}: {
  data: DailySeries;
  /** CSS custom properties with each series' colour, in order (repeated when fewer). */
  colourVars: readonly string[];
  /** Bars stacked in series order (the first at the bottom) instead of lines. */
  stacked?: boolean;
  unit: string;
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
    const drawn: Drawn[] = stacked ? stackForDrawing(coloured) : coloured;
    const aligned: uPlot.AlignedData = [
      data.days.map(daySeconds),
      ...drawn.map((s) => s.stacked ?? s.values),
    ];
    const plot = new uPlot(options(el, data.days, drawn, unit), aligned, el);
    const resize = new ResizeObserver(() => {
      const width = Math.max(MIN_WIDTH, el.clientWidth);
      if (width !== plot.width) plot.setSize({ width, height: HEIGHT });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [data, colourVars, stacked, unit]);
  return (
    <div ref={box} className="time-chart" role="img" aria-label={label} data-testid={testId} />
  );
}
