import { describe, expect, it } from 'vitest';
import type { ActivityHeatmap, StorageUsage } from '../../src-shared/analytics';
import {
  addDays,
  barPercent,
  dayStart,
  daysBetween,
  durationText,
  heatLevel,
  heatmapSummary,
  rangeDays,
  rangeInput,
  rangeProblem,
  rangeText,
  riskSeries,
  seriesRows,
  seriesSummary,
  stackForDrawing,
  storageParts,
  trendSeries,
} from '../../src-renderer/analytics-data';

/** 2026-03-10 15:30 UTC. */
const NOW = Date.parse('2026-03-10T15:30:00.000Z');

describe('analytics range', () => {
  it('a preset is the last N UTC days, today included, running until now', () => {
    expect(rangeDays({ preset: 7 }, NOW)).toEqual({ from: '2026-03-04', to: '2026-03-10' });
    expect(rangeInput({ preset: 7 }, [], NOW)).toEqual({ from: '2026-03-04T00:00:00.000Z' });
    expect(daysBetween('2026-03-04', '2026-03-10')).toHaveLength(7);
    expect(rangeDays({ preset: 90 }, NOW).from).toBe('2025-12-11');
  });

  it('a custom range covers both days whole, and the cameras picked are sent sorted', () => {
    const choice = { preset: 'custom', from: '2026-02-27', to: '2026-03-01' } as const;
    expect(rangeInput(choice, ['yard', 'front'], NOW)).toEqual({
      from: '2026-02-27T00:00:00.000Z',
      to: '2026-03-02T00:00:00.000Z',
      cameraIds: ['front', 'yard'],
    });
    expect(daysBetween('2026-02-27', '2026-03-01')).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
    ]);
    expect(rangeText(choice)).toBe('2026-02-27 to 2026-03-01');
    expect(rangeText({ preset: 30 })).toBe('the last 30 days');
  });

  it('refuses a custom range that is empty, unreal or backwards', () => {
    expect(rangeProblem({ preset: 'custom', from: '', to: '2026-03-01' })).toBe('Pick both days.');
    expect(rangeProblem({ preset: 'custom', from: '2026-02-30', to: '2026-03-01' })).toMatch(
      /Use days like/,
    );
    const backwards = { preset: 'custom', from: '2026-03-02', to: '2026-03-01' } as const;
    expect(rangeProblem(backwards)).toBe('"From" must not be after "To".');
    expect(rangeInput(backwards, [], NOW)).toBeNull();
    expect(rangeProblem({ preset: 'custom', from: '2026-03-01', to: '2026-03-01' })).toBeNull();
  });

  it('steps days across month and year ends in UTC', () => {
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(dayStart('2026-03-01')).toBe(Date.parse('2026-03-01T00:00:00Z'));
    expect(dayStart('2026-3-1')).toBeNaN();
  });
});

describe('daily series', () => {
  const days = daysBetween('2026-03-08', '2026-03-10');

  it('one series per class over every day, zeros filled, the most frequent class first', () => {
    const s = trendSeries(
      [
        { day: '2026-03-08', objectClass: 'car', count: 2 },
        { day: '2026-03-10', objectClass: 'person', count: 3 },
        { day: '2026-03-10', objectClass: 'car', count: 4 },
        { day: '2026-02-01', objectClass: 'dog', count: 9 },
      ],
      days,
    );
    expect(s.series.map((x) => [x.key, x.values, x.total])).toEqual([
      ['car', [2, 0, 4], 6],
      ['person', [0, 0, 3], 3],
    ]);
    expect(seriesRows(s)).toEqual([
      { day: '2026-03-08', values: [2, 0], total: 2 },
      { day: '2026-03-10', values: [4, 3], total: 7 },
    ]);
  });

  it('one series per risk level, low to critical, each there even when empty', () => {
    const s = riskSeries(
      [{ day: '2026-03-09', counts: { low: 1, medium: 2, high: 0, critical: 1 } }],
      days,
    );
    expect(s.series.map((x) => [x.label, x.values])).toEqual([
      ['Low', [0, 1, 0]],
      ['Medium', [0, 2, 0]],
      ['High', [0, 0, 0]],
      ['Critical', [0, 1, 0]],
    ]);
    expect(seriesSummary(s, 'Events per day by risk level', 'event')).toBe(
      'Events per day by risk level, 2026-03-08 to 2026-03-10: 4 events (Low 1, Medium 2, Critical 1); most on 2026-03-09 (4)',
    );
    // Drawn back to front: critical's bar reaches the day's total, low's only its own count.
    expect(stackForDrawing(s.series).map((x) => [x.key, x.stacked, x.values])).toEqual([
      ['critical', [0, 4, 0], [0, 1, 0]],
      ['high', [0, 3, 0], [0, 0, 0]],
      ['medium', [0, 3, 0], [0, 2, 0]],
      ['low', [0, 1, 0], [0, 1, 0]],
    ]);
    expect(seriesSummary(riskSeries([], days), 'Events', 'event')).toBe(
      'Events, 2026-03-08 to 2026-03-10: none',
    );
  });
});

describe('heatmap', () => {
  it('colours a cell by its share of the busiest hour, and names the busiest hour and zone', () => {
    expect([0, 1, 5, 10, 20].map((n) => heatLevel(n, 20))).toEqual([0, 1, 1, 2, 4]);
    expect(heatLevel(3, 0)).toBe(0);
    const cells = Array.from({ length: 7 }, () => Array<number>(24).fill(0));
    cells[2]![14] = 5;
    cells[6]![23] = 1;
    const h: ActivityHeatmap = { timezone: 'Europe/Berlin', cells, max: 5 };
    expect(heatmapSummary(h)).toBe(
      'Events by day of week and hour (Europe/Berlin): 6 events; busiest Tuesday 14:00–15:00 (5)',
    );
  });
});

describe('durations, bars and storage', () => {
  it('writes durations to the unit shown last', () => {
    expect(durationText(0)).toBe('0 min');
    expect(durationText(90_000)).toBe('2 min');
    expect(durationText(5 * 3_600_000 + 20 * 60_000)).toBe('5 h 20 min');
    expect(durationText(2 * 3_600_000)).toBe('2 h');
    expect(durationText(3 * 86_400_000 + 4 * 3_600_000 + 10 * 60_000)).toBe('3 d 4 h');
    expect(durationText(7 * 86_400_000)).toBe('7 d');
  });

  it('bars are a share of the scale, never past its end', () => {
    expect(barPercent(5, 20)).toBe(25);
    expect(barPercent(30, 20)).toBe(100);
    expect(barPercent(5, 0)).toBe(0);
  });

  it('lists storage largest first, snapshots per camera with their file counts', () => {
    const s: StorageUsage = {
      databaseBytes: 4096,
      snapshots: [{ cameraId: 'yard', cameraName: 'Yard', files: 1, bytes: 10_000 }],
      exportsBytes: 0,
      logsBytes: 512,
      totalBytes: 14_608,
    };
    expect(storageParts(s).map((p) => [p.label, p.bytes])).toEqual([
      ['Snapshots: Yard (1 file)', 10_000],
      ['Database', 4096],
      ['Logs', 512],
      ['Exports', 0],
    ]);
  });
});
