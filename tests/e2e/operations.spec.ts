import { withAppDb } from './app-db';
import { expect, test } from './fixtures';

const MINUTE_MS = 60_000;
const GPU = 'gpu0: Test GPU';

/**
 * Three samples of a "Test GPU" a minute apart over the last few minutes, a finished
 * re-evaluation and a prompt evaluation still running, written into the app's own SQLite file
 * (the app adds its own samples of this machine beside them).
 */
async function seed(dataDir: string) {
  return withAppDb(dataDir, async (db) => {
    const ago = (minutes: number) => new Date(Date.now() - minutes * MINUTE_MS).toISOString();
    const readings = [
      { at: ago(3), utilization: 42, used: 2048, temp: 58, power: 150, ms: 35, n: 4, queue: 0 },
      { at: ago(2), utilization: 57, used: 3072, temp: 60, power: 180, ms: 40, n: 6, queue: 2 },
      { at: ago(1), utilization: 63, used: 5222, temp: 61, power: 212, ms: 45, n: 8, queue: 1 },
    ];
    await db
      .insertInto('gpu_stats')
      .values(
        readings.map((r) => ({
          at: r.at,
          device: GPU,
          utilization: r.utilization,
          memory_used_mb: r.used,
          memory_total_mb: 24_576,
          temperature_c: r.temp,
          power_w: r.power,
          inference_ms: r.ms,
          resolution: 'raw' as const,
          samples: 1,
          cpu_percent: 12,
          rss_mb: 210,
          inferences: r.n,
          queue_depth: r.queue,
        })),
      )
      .execute();
    await db
      .insertInto('jobs')
      .values([
        {
          id: 'job-done',
          kind: 'recalibrate',
          status: 'completed',
          progress: 100,
          processed: 12,
          total: 12,
          params: '{}',
          result: JSON.stringify({ changed: 3, alertsRaised: 1, alertsResolved: 0 }),
          created_at: ago(10),
          started_at: ago(10),
          finished_at: ago(9),
          updated_at: ago(9),
        },
        {
          id: 'job-running',
          kind: 'prompt-evaluate',
          status: 'running',
          progress: 25,
          processed: 5,
          total: 20,
          params: '{}',
          created_at: ago(1),
          started_at: ago(1),
          updated_at: ago(1),
        },
      ])
      .execute();
  });
}

test('operations: machine samples drawn with their numbers, pipeline latency, and background jobs with cancel', async ({
  page,
  hsi,
}) => {
  await seed(hsi.dataDir);
  const base = hsi.entryUrl ?? page.url().replace(/#.*$/, '');
  await page.goto(`${base}#/operations`);
  await expect(page.getByRole('heading', { name: 'Operations', level: 1 })).toBeVisible();
  await expect(page.getByTestId('operations-not-built')).toHaveText(/not built yet/);

  // Each device's latest reading.
  await expect(page.getByTestId('ops-devices')).toContainText(
    `${GPU}: 63% busy, 5.1 GB of 24 GB memory, 61 °C, 212 W`,
  );

  // Utilisation: the chart is drawn and named by its numbers; its table has each minute's.
  const utilisation = page.getByRole('region', { name: 'Utilisation' });
  const chart = utilisation.getByRole('img', { name: /^Utilisation per device, the last hour:/ });
  await expect(chart).toHaveAttribute(
    'aria-label',
    new RegExp(`${GPU} latest 63%, mean 54%, peak 63%`),
  );
  await expect(chart.locator('canvas').first()).toBeVisible();
  await utilisation.getByText('Show the numbers').click();
  const table = utilisation.getByRole('table', {
    name: 'Utilisation per device (mean), per minute',
  });
  await expect(table.getByRole('columnheader', { name: GPU })).toBeVisible();
  // The Test GPU's column, read in one go (the app's own device may add a column meanwhile).
  await expect
    .poll(() =>
      table.evaluate((t: HTMLTableElement, device) => {
        const col = [...t.tHead!.rows[0]!.cells].findIndex((c) => c.textContent === device);
        return [...t.tBodies[0]!.rows]
          .map((r) => r.cells[col]?.textContent)
          .filter((v) => v !== '—');
      }, GPU),
    )
    .toEqual(['42%', '57%', '63%']);

  // The images the detector analysed per sample (the app's own samples add none).
  await expect(
    page.getByRole('region', { name: 'Inference' }).getByRole('img', { name: /^Images analysed/ }),
  ).toHaveAttribute('aria-label', /peak 8 images$/);

  // Seven days come by the minute: the raw samples are folded in.
  const range = page.getByRole('group', { name: 'Range' });
  await range.getByRole('button', { name: 'Last 7 days' }).click();
  await expect(range.getByRole('button', { name: 'Last 7 days' })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await expect(
    utilisation.getByRole('img', { name: /^Utilisation per device, the last 7 days:/ }),
  ).toHaveAttribute('aria-label', new RegExp(`${GPU} latest 63%, mean 54%, peak 63%`));

  // Pipeline latency: every stage named, nothing measured yet.
  const pipeline = page.getByRole('region', { name: 'Pipeline latency' });
  const stages = pipeline.getByRole('table', { name: 'Latency per pipeline stage' });
  const arrival = stages.getByRole('row', { name: /^Snapshot arrived → detected/ });
  await expect(arrival).toHaveText(/^Snapshot arrived → detected\s*—\s*—\s*—\s*—$/);
  await expect(stages.getByRole('row', { name: /^Alert → notification delivered/ })).toBeVisible();
  await pipeline
    .getByRole('group', { name: 'Window' })
    .getByRole('button', { name: 'Last 7 days' })
    .click();
  await expect(
    pipeline.getByRole('group', { name: 'Window' }).getByRole('button', { name: 'Last 7 days' }),
  ).toHaveAttribute('aria-pressed', 'true');
  await expect(arrival).toBeVisible();

  // Background jobs: the finished one with its counts; the running one cancelled from here.
  const jobs = page.getByRole('region', { name: 'Background jobs' });
  const done = jobs.getByTestId('job-row').filter({ hasText: 'Re-evaluation' });
  await expect(done).toHaveAttribute('data-status', 'completed');
  await expect(done).toContainText('12 of 12');
  await expect(done).toContainText('changed 3, alerts raised 1, alerts resolved 0');
  const running = jobs.getByTestId('job-row').filter({ hasText: 'Prompt evaluation' });
  await expect(
    running.getByRole('progressbar', { name: 'Prompt evaluation progress' }),
  ).toBeVisible();
  await running.getByRole('button', { name: 'Cancel' }).click();
  await expect(running).toHaveAttribute('data-status', 'cancelled');
  await expect(running.getByRole('progressbar')).toBeHidden();
  await expect(running).toContainText('5 of 20');
});
