import { describe, expect, it } from 'vitest';
import type { Job } from '../../src-shared/domain';
import type { MachineSample } from '../../src-shared/telemetry';
import type { MachineWindow } from '../../src-renderer/operations-data';
import {
  bucketStart,
  compareDevices,
  deviceSeries,
  devicesOf,
  foldMinutes,
  jobCountText,
  jobKindText,
  jobResultText,
  latestReadings,
  lineStats,
  machineRequests,
  memoryText,
  readingText,
  sampleSummary,
  seriesBuckets,
  stageRows,
  workSeries,
} from '../../src-renderer/operations-data';

/** 2026-03-10 15:30 UTC. */
const NOW = Date.parse('2026-03-10T15:30:00.000Z');
const MINUTE = 60_000;
const DAY = 86_400_000;

function sample(at: string, over: Partial<MachineSample> = {}): MachineSample {
  return {
    at,
    device: 'gpu0: Test GPU',
    resolution: 'raw',
    samples: 1,
    utilization: 50,
    memoryUsedMb: 2048,
    memoryTotalMb: 8192,
    temperatureC: 60,
    powerW: 100,
    cpuPercent: 10,
    rssMb: 200,
    inferenceMs: 40,
    inferences: 4,
    queueDepth: 0,
    ...over,
  };
}

const at = (ms: number) => new Date(ms).toISOString();
const windowOf = (samples: MachineSample[], span = 3600_000): MachineWindow => ({
  from: NOW - span,
  to: NOW,
  samples,
});

describe('machine sample calls', () => {
  it('up to a day: one call for every sample', () => {
    expect(machineRequests('hour', NOW)).toEqual([
      { from: '2026-03-10T14:30:00.000Z', to: '2026-03-10T15:30:00.000Z' },
    ]);
    expect(machineRequests('day', NOW)).toEqual([
      { from: '2026-03-09T15:30:00.000Z', to: '2026-03-10T15:30:00.000Z' },
    ]);
  });

  it('longer: minute rows a week per call, back to back, and the raw samples not folded yet', () => {
    const calls = machineRequests('month', NOW);
    const minutes = calls.filter((c) => c.resolution === 'minute');
    expect(minutes).toHaveLength(5);
    expect(minutes[0]!.from).toBe(at(NOW - 30 * DAY));
    expect(minutes[0]!.to).toBe(at(NOW - 23 * DAY - 1));
    expect(minutes[1]!.from).toBe(at(NOW - 23 * DAY));
    expect(minutes[4]).toEqual({ from: at(NOW - 2 * DAY), to: at(NOW), resolution: 'minute' });
    expect(calls[calls.length - 1]).toEqual({
      from: at(NOW - 30 * DAY),
      to: at(NOW),
      resolution: 'raw',
    });
    const week = machineRequests('week', NOW);
    expect(week).toEqual([
      { from: at(NOW - 7 * DAY), to: at(NOW), resolution: 'minute' },
      { from: at(NOW - 7 * DAY), to: at(NOW), resolution: 'raw' },
    ]);
  });
});

describe('folding into minutes', () => {
  it('averages readings by samples, weighs model time by images, sums images', () => {
    const folded = foldMinutes([
      sample('2026-03-10T15:00:05.000Z', { utilization: 20, inferenceMs: 10, inferences: 1 }),
      sample('2026-03-10T15:00:20.000Z', { utilization: 40, inferenceMs: 40, inferences: 3 }),
      // A minute row for the same minute, standing for two samples.
      sample('2026-03-10T15:00:00.000Z', {
        resolution: 'minute',
        samples: 2,
        utilization: 70,
        inferenceMs: null,
        inferences: 0,
        temperatureC: null,
      }),
      sample('2026-03-10T15:01:10.000Z', { device: 'cpu', utilization: 5, powerW: null }),
    ]);
    expect(folded).toHaveLength(2);
    const [gpu, cpu] = folded;
    expect(gpu).toMatchObject({
      at: '2026-03-10T15:00:00.000Z',
      device: 'gpu0: Test GPU',
      resolution: 'minute',
      samples: 4,
      utilization: (20 + 40 + 70 * 2) / 4,
      inferenceMs: (10 * 1 + 40 * 3) / 4,
      inferences: 4,
      temperatureC: 60,
    });
    expect(cpu).toMatchObject({ at: '2026-03-10T15:01:00.000Z', device: 'cpu', powerW: null });
  });

  it('no images in a minute: no model time; no counts at all: none', () => {
    const [a] = foldMinutes([sample(at(NOW), { inferenceMs: null, inferences: 0 })]);
    expect(a).toMatchObject({ inferenceMs: null, inferences: 0 });
    const [b] = foldMinutes([sample(at(NOW), { inferenceMs: null, inferences: null })]);
    expect(b).toMatchObject({ inferenceMs: null, inferences: null });
  });
});

describe('lines for drawing', () => {
  it('orders devices with GPUs by number', () => {
    expect(['gpu10: B', 'gpu2: A', 'cpu'].sort(compareDevices)).toEqual([
      'cpu',
      'gpu2: A',
      'gpu10: B',
    ]);
    expect(devicesOf([sample(at(NOW), { device: 'gpu1: X' }), sample(at(NOW))])).toEqual([
      'gpu0: Test GPU',
      'gpu1: X',
    ]);
  });

  it('one line per device over shared times: undefined where the other sampled, null at a break', () => {
    const t0 = NOW - 10 * MINUTE;
    const w = windowOf([
      sample(at(t0), { utilization: 10 }),
      sample(at(t0 + 15_000), { utilization: 20 }),
      sample(at(t0 + 20_000), { device: 'cpu', utilization: 5 }),
      // Five minutes without samples, then one more: the line breaks between.
      sample(at(t0 + 315_000), { utilization: 30 }),
      sample(at(t0 + 330_000), { utilization: null }),
    ]);
    const s = deviceSeries(w, (x) => x.utilization);
    expect(s.from).toBe((NOW - 3600_000) / 1000);
    expect(s.to).toBe(NOW / 1000);
    const gap = (t0 + 15_000 + t0 + 315_000) / 2000;
    expect(s.x).toEqual([t0 / 1000, t0 / 1000 + 15, t0 / 1000 + 20, gap, t0 / 1000 + 315]);
    expect(s.series.map((l) => l.label)).toEqual(['cpu', 'gpu0: Test GPU']);
    expect(s.series[0]!.values).toEqual([undefined, undefined, 5, undefined, undefined]);
    expect(s.series[1]!.values).toEqual([10, 20, undefined, null, 30]);
  });

  it('minute rows break only after three minutes without one', () => {
    const m = (ms: number) => sample(at(ms), { resolution: 'minute' });
    const s = deviceSeries(
      windowOf([m(NOW - 5 * MINUTE), m(NOW - 4 * MINUTE), m(NOW - 2 * MINUTE)]),
      (x) => x.utilization,
    );
    expect(s.series[0]!.values).not.toContain(null);
    const broken = deviceSeries(
      windowOf([m(NOW - 9 * MINUTE), m(NOW - 4 * MINUTE)]),
      (x) => x.utilization,
    );
    expect(broken.series[0]!.values).toContain(null);
  });

  it("the detector's work: one value per sample time, whatever the devices", () => {
    const w = windowOf([
      sample(at(NOW - 30_000), { inferences: 3 }),
      sample(at(NOW - 30_000), { device: 'gpu1: X', inferences: 3 }),
      sample(at(NOW - 15_000), { inferences: 5 }),
    ]);
    const s = workSeries(w, 'Images', (x) => x.inferences);
    expect(s.series).toEqual([{ key: 'Images', label: 'Images', values: [3, 5] }]);
  });

  it('says each line in a sentence', () => {
    const s = deviceSeries(
      windowOf([
        sample(at(NOW - 30_000), { utilization: 42 }),
        sample(at(NOW - 15_000), { utilization: 63 }),
      ]),
      (x) => x.utilization,
    );
    expect(sampleSummary(s, 'Utilisation', (v) => `${Math.round(v)}%`)).toBe(
      'Utilisation: gpu0: Test GPU latest 63%, mean 53%, peak 63%',
    );
    expect(sampleSummary({ ...s, series: [] }, 'Utilisation', String)).toBe(
      'Utilisation: no samples',
    );
    expect(lineStats([undefined, null])).toBeNull();
  });
});

describe('numbers by time bucket', () => {
  it('minutes: each line’s mean, peak and sum where it has samples', () => {
    const t = Date.parse('2026-03-10T15:00:00.000Z');
    const s = deviceSeries(
      windowOf([
        sample(at(t + 5_000), { utilization: 10 }),
        sample(at(t + 20_000), { utilization: 30 }),
        sample(at(t + 65_000), { device: 'cpu', utilization: 7 }),
      ]),
      (x) => x.utilization,
    );
    expect(seriesBuckets(s, MINUTE)).toEqual([
      { start: t, cells: [null, { mean: 20, max: 30, sum: 40 }] },
      { start: t + MINUTE, cells: [{ mean: 7, max: 7, sum: 7 }, null] },
    ]);
  });

  it('hours and days start on the local clock', () => {
    const t = Date.parse('2026-03-10T15:47:12.000Z');
    const hour = new Date(t);
    hour.setMinutes(0, 0, 0);
    expect(bucketStart(t, 3600_000)).toBe(hour.getTime());
    const midnight = new Date(t);
    midnight.setHours(0, 0, 0, 0);
    expect(bucketStart(t, DAY)).toBe(midnight.getTime());
    const quarter = new Date(bucketStart(t, 6 * 3600_000));
    expect(quarter.getHours() % 6).toBe(0);
    expect(quarter.getMinutes()).toBe(0);
    expect(t - quarter.getTime()).toBeLessThan(6 * 3600_000);
  });
});

describe('latest readings', () => {
  it("each device's newest sample in words, with what it reports", () => {
    const latest = latestReadings([
      sample(at(NOW - 30_000), { utilization: 10 }),
      sample(at(NOW - 15_000), { utilization: 42.4, memoryUsedMb: 5222, memoryTotalMb: 24576 }),
      sample(at(NOW - 15_000), {
        device: 'cpu',
        utilization: 12,
        memoryUsedMb: 900,
        memoryTotalMb: null,
        temperatureC: null,
        powerW: null,
      }),
    ]);
    expect(latest.map(readingText)).toEqual([
      '12% CPU, 900 MB memory',
      '42% busy, 5.1 GB of 24 GB memory, 60 °C, 100 W',
    ]);
    expect(
      readingText(
        sample(at(NOW), {
          utilization: null,
          memoryUsedMb: null,
          temperatureC: null,
          powerW: null,
        }),
      ),
    ).toBe('no readings');
    expect(memoryText(1024)).toBe('1.0 GB');
  });
});

describe('pipeline latency', () => {
  it('every stage in order with its name; a stage without work says "—"', () => {
    const rows = stageRows({
      windowSeconds: 3600,
      stages: [
        { stage: 'event_to_alert', count: 0, p50Ms: null, p95Ms: null, p99Ms: null },
        { stage: 'arrival_to_detected', count: 12, p50Ms: 340, p95Ms: 1234, p99Ms: 2000 },
      ],
    });
    expect(rows.map((r) => [r.name, r.count, r.p50, r.p95, r.p99])).toEqual([
      ['Snapshot arrived → detected', '12', '340 ms', '1.2 s', '2.0 s'],
      ['Detected → event created', '—', '—', '—', '—'],
      ['Event → alert raised', '—', '—', '—', '—'],
      ['Alert → notification delivered', '—', '—', '—', '—'],
    ]);
  });
});

describe('background jobs in words', () => {
  const job: Job = {
    id: 'j1',
    kind: 'recalibrate',
    status: 'completed',
    progress: 100,
    processed: 12,
    total: 40,
    result: { changed: 3, alertsRaised: 1, alertsResolved: 0 },
    error: null,
    createdAt: at(NOW),
    startedAt: at(NOW),
    finishedAt: at(NOW),
  };

  it('names the kinds it knows and shows the others as they are', () => {
    expect(jobKindText('recalibrate')).toBe('Re-evaluation');
    expect(jobKindText('prompt-evaluate')).toBe('Prompt evaluation');
    expect(jobKindText('vacuum')).toBe('vacuum');
  });

  it('counts and results', () => {
    expect(jobCountText(job)).toBe('12 of 40');
    expect(jobCountText({ ...job, total: null })).toBe('12');
    expect(jobResultText(job.result)).toBe('changed 3, alerts raised 1, alerts resolved 0');
    expect(jobResultText(null)).toBe('—');
    expect(jobResultText({})).toBe('—');
  });
});
