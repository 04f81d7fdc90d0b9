import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseNvidiaSmi, telemetryRepository } from '../../src-main/telemetry';
import { detect } from '../helpers/events';
import type { TestApp } from '../helpers/temp-app';
import { startTestApp, tempDir } from '../helpers/temp-app';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** What `nvidia-smi --query-gpu=… --format=csv,noheader,nounits` prints on a two-GPU machine. */
const NVIDIA_SMI_CSV = [
  '0, NVIDIA H200, 37, 20480, 143771, 41, 118.52',
  '1, NVIDIA GeForce RTX 4090, 0, 1, 24564, 30, [N/A]',
].join('\n');

/** A stand-in `nvidia-smi` on disk printing that CSV (and checking it was asked the right thing). */
function fakeNvidiaSmi(): string {
  const file = path.join(tempDir('hsi-smi-'), 'nvidia-smi');
  fs.writeFileSync(
    file,
    `#!/bin/sh\ncase "$1" in --query-gpu=index,name,*) ;; *) exit 9;; esac\ncat <<'CSV'\n${NVIDIA_SMI_CSV}\nCSV\n`,
    { mode: 0o755 },
  );
  return file;
}

describe('machine samples', () => {
  it('parses nvidia-smi, with [N/A] as a missing value', () => {
    expect(parseNvidiaSmi(NVIDIA_SMI_CSV)).toEqual([
      {
        device: 'gpu0: NVIDIA H200',
        utilization: 37,
        memoryUsedMb: 20480,
        memoryTotalMb: 143771,
        temperatureC: 41,
        powerW: 118.52,
      },
      {
        device: 'gpu1: NVIDIA GeForce RTX 4090',
        utilization: 0,
        memoryUsedMb: 1,
        memoryTotalMb: 24564,
        temperatureC: 30,
        powerW: null,
      },
    ]);
  });

  it('parses what nvidia-smi 580.159.04 printed on an idle H200 (captured for this test)', () => {
    const captured = '0, NVIDIA H200, 0, 0, 143771, 32, 79.04\n';
    expect(parseNvidiaSmi(captured)).toEqual([
      {
        device: 'gpu0: NVIDIA H200',
        utilization: 0,
        memoryUsedMb: 0,
        memoryTotalMb: 143771,
        temperatureC: 32,
        powerW: 79.04,
      },
    ]);
  });

  it('samples each GPU nvidia-smi lists, with the inferences since the last sample', async () => {
    t = await startTestApp({ nvidiaSmi: fakeNvidiaSmi() });
    await t.call('cameras.create', { name: 'Porch' });
    await detect(t.app, 'porch', [{ objectClass: 'person', confidence: 0.9 }]);
    await detect(t.app, 'porch', [{ objectClass: 'car', confidence: 0.9 }]);
    await t.app.telemetry.sample();
    const samples = await t.call('gpu.stats', {});
    expect(samples.map((s) => s.device)).toEqual([
      'gpu0: NVIDIA H200',
      'gpu1: NVIDIA GeForce RTX 4090',
    ]);
    expect(samples[0]).toMatchObject({
      resolution: 'raw',
      samples: 1,
      utilization: 37,
      memoryUsedMb: 20480,
      memoryTotalMb: 143771,
      temperatureC: 41,
      powerW: 118.52,
      inferences: 2,
      inferenceMs: 0, // the test pipeline records 0 ms of model time
    });
    expect(samples[1]!.powerW).toBeNull();
    await t.app.telemetry.sample();
    const second = await t.call('gpu.stats', { resolution: 'raw' });
    expect(second).toHaveLength(4);
    expect(second[2]).toMatchObject({ inferences: 0, inferenceMs: null });
  });

  it('without nvidia-smi, samples the CPU and memory instead', async () => {
    t = await startTestApp({ nvidiaSmi: path.join(tempDir(), 'no-such-nvidia-smi') });
    await t.app.telemetry.sample();
    const [cpu] = await t.call('gpu.stats', {});
    expect(cpu).toMatchObject({ device: 'cpu', temperatureC: null, powerW: null });
    expect(cpu!.memoryTotalMb).toBeGreaterThan(0);
    expect(cpu!.memoryUsedMb).toBeGreaterThan(0);
    expect(cpu!.rssMb).toBeGreaterThan(0);
  });

  it('folds raw samples older than a day into minutes and drops minutes older than 30 days', async () => {
    const now = Date.parse('2026-11-29T12:00:00.000Z');
    t = await startTestApp({ nvidiaSmi: 'none' });
    const row = (
      at: string,
      utilization: number,
      inferenceMs: number | null,
      inferences: number,
      resolution = 'raw',
    ) => ({
      at,
      device: 'gpu0: NVIDIA H200',
      resolution: resolution as 'raw' | 'minute',
      utilization,
      memory_used_mb: 1000,
      inference_ms: inferenceMs,
      inferences,
    });
    await t.app.db
      .insertInto('gpu_stats')
      .values([
        // Two raw samples in one minute two days ago: one minute row.
        row('2026-11-27T10:15:05.000Z', 20, 10, 1),
        row('2026-11-27T10:15:35.000Z', 40, 30, 3),
        // A day-old minute row from before, and one older than 30 days.
        row('2026-10-01T00:00:00.000Z', 50, null, 0, 'minute'),
        // Recent raw: kept as it is.
        row('2026-11-29T11:00:00.000Z', 90, 5, 1),
      ])
      .execute();
    expect(await telemetryRepository(t.app.db).downsample(now)).toEqual({ folded: 2, removed: 1 });
    const all = await t.call('gpu.stats', {
      from: '2026-09-01T00:00:00.000Z',
      to: '2026-11-30T00:00:00.000Z',
    });
    expect(
      all.map((s) => [s.at, s.resolution, s.samples, s.utilization, s.inferenceMs, s.inferences]),
    ).toEqual([
      // Inference time weighted by the inferences: (10·1 + 30·3) / 4 = 25.
      ['2026-11-27T10:15:00.000Z', 'minute', 2, 30, 25, 4],
      ['2026-11-29T11:00:00.000Z', 'raw', 1, 90, 5, 1],
    ]);
  });
});

describe('pipeline telemetry', () => {
  it('gives each stage p50 / p95 / p99 over the window, as computed by hand', async () => {
    t = await startTestApp();
    await t.call('cameras.create', { name: 'Porch' });
    const now = Date.now();
    const iso = (msAgo: number) => new Date(now - msAgo).toISOString();
    // Three images: queued → done in 100, 200 and 300 ms.
    for (const [i, ms] of [100, 200, 300].entries()) {
      await t.app.db
        .insertInto('ingest_queue')
        .values({
          camera_id: 'porch',
          path: `/tmp/x${i}.jpg`,
          source: 'folder',
          status: 'done',
          enqueued_at: iso(10_000),
          finished_at: iso(10_000 - ms),
        })
        .execute();
    }
    // One event created 1.5 s after its last detection, one alert 250 ms after it, delivered 2 s later.
    await t.app.db
      .insertInto('events')
      .values({
        id: 'e1',
        camera_id: 'porch',
        started_at: iso(9000),
        ended_at: iso(8000),
        risk_score: 50,
        risk_level: 'medium',
        scorer: 'rules',
        created_at: iso(6500),
        updated_at: iso(6500),
      })
      .execute();
    await t.app.db
      .insertInto('alerts')
      .values({
        id: 'a1',
        event_id: 'e1',
        severity: 'high',
        dedup_key: 'k',
        created_at: iso(6250),
        updated_at: iso(6250),
      })
      .execute();
    const channel = await t.call('notify.channels.create', {
      kind: 'webhook',
      name: 'Hook',
      enabled: false,
      config: { url: 'http://127.0.0.1:9/hook' },
    });
    await t.app.db
      .insertInto('deliveries')
      .values({
        id: 'd1',
        alert_id: 'a1',
        channel_id: channel.id,
        status: 'sent',
        idempotency_key: 'i1',
        sent_at: iso(4250),
        created_at: iso(6250),
        updated_at: iso(4250),
      })
      .execute();
    const telemetry = await t.call('system.telemetry', { window: 3600 });
    const byStage = Object.fromEntries(telemetry.stages.map((s) => [s.stage, s]));
    expect(byStage.arrival_to_detected).toEqual({
      stage: 'arrival_to_detected',
      count: 3,
      p50Ms: 200,
      p95Ms: 300,
      p99Ms: 300,
    });
    expect(byStage.detected_to_event).toMatchObject({ count: 1, p50Ms: 1500 });
    expect(byStage.event_to_alert).toMatchObject({ count: 1, p50Ms: 250 });
    expect(byStage.alert_to_delivered).toMatchObject({ count: 1, p50Ms: 2000 });
    // A window under a minute is refused with its reason.
    expect(await t.raw('system.telemetry', { window: 10 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    });
  });
});
