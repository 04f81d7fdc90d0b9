import path from 'node:path';
import { callApp, openAt, withAppDb } from './app-db';
import { expect, test } from './fixtures';
import { freePort } from '../helpers/http';

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
  await expect(page.getByRole('region', { name: 'Services' })).toBeVisible();
  await expect(page.getByTestId('operations-not-built')).toHaveCount(0);

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

const SERVICE_SCRIPT = path.resolve(import.meta.dirname, '..', 'helpers', 'service-script.mjs');

test("services: the app's own listed with what they need; a managed server added live and restarted from its row", async ({
  page,
  hsi,
}) => {
  await openAt(page, hsi, '#/operations');
  const services = page.getByRole('region', { name: 'Services' });
  const row = (name: string) =>
    services.locator(`[data-testid="service-row"][data-service="${name}"]`);

  // The database starts and stops only with the app: its controls say so.
  await expect(row('database')).toHaveAttribute('data-status', 'running');
  await expect(row('database').getByRole('button', { name: /^Restart/ })).toBeDisabled();
  await expect(row('database')).toContainText('it cannot be controlled on its own');
  await expect(row('database')).toContainText('needed by:');
  await expect(row('scorer')).toContainText('needs: database, alerts');

  // A managed server configured while the page is open appears (pushed) and comes up.
  const port = await freePort();
  await callApp(page, hsi, 'system.settings.update', {
    services: {
      healthIntervalSeconds: 0.2,
      managed: [
        {
          name: 'test-server',
          command: process.execPath,
          args: [SERVICE_SCRIPT],
          env: { PORT: String(port) },
          healthUrl: `http://127.0.0.1:${port}/health`,
        },
      ],
    },
  });
  const server = row('test-server');
  await expect(server).toHaveAttribute('data-status', 'running', { timeout: 20_000 });
  await expect(server.getByTestId('service-restarts')).toHaveText('0');
  await expect(server).toContainText(`${process.execPath} ${SERVICE_SCRIPT}`);
  const pid = server.getByTestId('service-pid');
  await expect(pid).toHaveText(/^\d+$/);
  const firstPid = await pid.textContent();

  // Restart, confirmed: a new process, counted, running again.
  await server.getByRole('button', { name: 'Restart test-server' }).click();
  const dialog = page.getByRole('dialog', { name: 'Restart test-server' });
  await expect(dialog).toContainText('its failure count starts over');
  await dialog.getByRole('button', { name: 'Restart' }).click();
  await expect(dialog).toBeHidden();
  await expect(server.getByTestId('service-restarts')).toHaveText('1', { timeout: 20_000 });
  await expect(server).toHaveAttribute('data-status', 'running', { timeout: 20_000 });
  await expect(pid).toHaveText(/^\d+$/);
  expect(await pid.textContent()).not.toBe(firstPid);

  // Disabled, it refuses a restart and says why.
  await server.getByRole('button', { name: 'Disable test-server' }).click();
  await page
    .getByRole('dialog', { name: 'Disable test-server' })
    .getByRole('button', { name: 'Disable' })
    .click();
  await expect(server).toHaveAttribute('data-status', 'stopped');
  await expect(server.getByText('disabled', { exact: true })).toBeVisible();
  await server.getByRole('button', { name: 'Restart test-server' }).click();
  await page
    .getByRole('dialog', { name: 'Restart test-server' })
    .getByRole('button', { name: 'Restart' })
    .click();
  const refused = services.getByRole('alert');
  await expect(refused).toContainText('Could not restart test-server');
  await expect(refused).toContainText('disabled by you');
  await expect(refused).toContainText('conflict');

  // Its log opens under it.
  await server.getByRole('button', { name: 'Logs of test-server' }).click();
  const logs = services.getByRole('region', { name: 'Logs of test-server' });
  await expect(logs.locator('[data-testid="service-logs-empty"], ol')).toBeVisible();
});

test('dead letters: listed, a refused requeue explained, purged one by one and all; job history and older jobs', async ({
  page,
  hsi,
}) => {
  const ago = (minutes: number) => new Date(Date.now() - minutes * MINUTE_MS).toISOString();
  await withAppDb(hsi.dataDir, async (db) => {
    // Older jobs than one page holds (50), then a failed retention run with its story.
    await db
      .insertInto('jobs')
      .values(
        Array.from({ length: 52 }, (_, i) => ({
          id: `old-${String(i).padStart(2, '0')}`,
          kind: 'recalibrate',
          status: 'completed' as const,
          params: '{}',
          total: 1,
          processed: 1,
          progress: 100,
          created_at: ago(24 * 60 + i),
          updated_at: ago(24 * 60 + i),
        })),
      )
      .execute();
    const job = (id: string, kind: string, minutes: number) => ({
      id,
      kind,
      status: 'failed' as const,
      params: '{}',
      total: 3,
      processed: 3,
      error: 'one file could not be deleted',
      created_at: ago(minutes),
      started_at: ago(minutes),
      finished_at: ago(minutes - 1),
      updated_at: ago(minutes - 1),
    });
    await db
      .insertInto('jobs')
      .values([job('job-letters', 'retention', 5), job('job-vacuum', 'vacuum', 4)])
      .execute();
    await db
      .insertInto('job_history')
      .values([
        { job_id: 'job-letters', at: ago(5), level: 'info', status: 'pending', message: 'pending' },
        { job_id: 'job-letters', at: ago(5), level: 'info', status: 'running', message: 'running' },
        {
          job_id: 'job-letters',
          at: ago(4.5),
          level: 'warn',
          status: null,
          message: 'dead letter: EACCES: permission denied',
        },
        {
          job_id: 'job-letters',
          at: ago(4),
          level: 'error',
          status: 'failed',
          message: 'failed: one file could not be deleted',
        },
      ])
      .execute();
    await db
      .insertInto('job_dead_letters')
      .values([
        {
          job_id: 'job-letters',
          kind: 'retention',
          item: JSON.stringify({ path: '/data/snapshots/porch/a.jpg' }),
          error: 'EACCES: permission denied',
          attempts: 2,
          at: ago(4.5),
        },
        {
          job_id: 'job-vacuum',
          kind: 'vacuum',
          item: JSON.stringify({ table: 'events' }),
          error: 'database is locked',
          attempts: 1,
          at: ago(3.5),
        },
      ])
      .execute();
  });
  await openAt(page, hsi, '#/operations');

  // Dead letters, newest first, each with its item and error.
  const dead = page.getByRole('region', { name: 'Dead letters' });
  const letters = dead.getByTestId('dead-letter-row');
  await expect(letters).toHaveCount(2);
  await expect(letters.nth(0)).toContainText('vacuum');
  await expect(letters.nth(0)).toContainText('{"table":"events"}');
  const retention = letters.filter({ hasText: 'Retention' });
  await expect(retention).toContainText('{"path":"/data/snapshots/porch/a.jpg"}');
  await expect(retention).toContainText('EACCES: permission denied');
  await expect(retention.getByRole('cell', { name: '2', exact: true })).toBeVisible();

  // Nothing runs "vacuum" items again: the refusal is shown, nothing is lost.
  await letters
    .nth(0)
    .getByRole('button', { name: /^Requeue/ })
    .click();
  await expect(dead.getByRole('alert')).toContainText('Items of "vacuum" jobs cannot be run again');
  await expect(letters).toHaveCount(2);

  // One purged after confirming, then the rest.
  await retention.getByRole('button', { name: /^Purge/ }).click();
  const confirmOne = page.getByRole('dialog', { name: 'Purge this dead letter' });
  await expect(confirmOne).toContainText('/data/snapshots/porch/a.jpg');
  await confirmOne.getByRole('button', { name: 'Purge' }).click();
  await expect(dead.getByRole('status')).toHaveText('Purged 1 item.');
  await expect(letters).toHaveCount(1);
  await dead.getByRole('button', { name: 'Purge all' }).click();
  await page
    .getByRole('dialog', { name: 'Purge every dead letter' })
    .getByRole('button', { name: 'Purge' })
    .click();
  await expect(dead.getByTestId('dead-letters-empty')).toHaveText(
    'No dead letters: every job item was processed.',
  );

  // A job's history, oldest first.
  const jobs = page.getByRole('region', { name: 'Background jobs' });
  const failed = jobs.locator('[data-testid="job-row"][data-job-id="job-letters"]');
  await failed.getByRole('button', { name: 'History of Retention' }).click();
  await expect(failed.getByRole('button', { name: 'History of Retention' })).toHaveAttribute(
    'aria-expanded',
    'true',
  );
  await expect(
    jobs.getByRole('region', { name: 'History of Retention' }).getByTestId('job-history-entry'),
  ).toHaveText([
    /info\s*pending\s*pending$/,
    /info\s*running\s*running$/,
    /warn\s*dead letter: EACCES: permission denied$/,
    /error\s*failed\s*failed: one file could not be deleted$/,
  ]);

  // A page of 50 jobs, then the older ones.
  const rows = jobs.getByTestId('job-row');
  await expect(rows).toHaveCount(50);
  await jobs.getByRole('button', { name: 'Load more' }).click();
  await expect(rows).toHaveCount(54);
  await expect(jobs.locator('[data-job-id="old-51"]')).toBeVisible();
  await expect(jobs.getByRole('button', { name: 'Load more' })).toHaveCount(0);
});

test('retention: settings saved and checked, a dry-run preview, and a run that shows as a job', async ({
  page,
  hsi,
}) => {
  await openAt(page, hsi, '#/operations');
  const section = page.getByRole('region', { name: 'Retention' });
  const form = section.getByRole('form', { name: 'Retention settings' });
  const logsDays = form.getByLabel('Logs (days)');
  await expect(logsDays).toHaveValue('14');

  // Out of range: said under the field, nothing saved.
  await logsDays.fill('0');
  await form.getByRole('button', { name: 'Save retention settings' }).click();
  await expect(logsDays).toHaveAttribute('aria-invalid', 'true');
  await expect(form.locator('#retention-logs-days-error')).toBeVisible();

  await logsDays.fill('21');
  await form.getByLabel('Daily run at (local time)').selectOption({ label: '04:00' });
  await form.getByRole('button', { name: 'Save retention settings' }).click();
  await expect(form.getByRole('status')).toHaveText('Retention settings saved');
  await expect(logsDays).not.toHaveAttribute('aria-invalid', 'true');

  // Read again from the server, on a fresh page (in a browser the token comes with the link).
  await page.reload();
  await openAt(page, hsi, '#/operations');
  await expect(section.getByLabel('Logs (days)')).toHaveValue('21');
  await expect(section.getByLabel('Daily run at (local time)')).toHaveValue('4');

  // The dry run's report: a count for each kind of data.
  await section.getByRole('button', { name: 'Preview (dry run)' }).click();
  const report = section.getByRole('table', {
    name: 'What a retention run would delete now (dry run)',
  });
  await expect(report).toBeVisible({ timeout: 20_000 });
  await expect(report.getByRole('row', { name: /^Events/ })).toHaveText(/^Events\s*\d+/);
  await expect(report.getByRole('row', { name: /^Log lines/ })).toHaveText(/^Log lines\s*\d+/);
  await expect(report.getByRole('row', { name: /^Space freed/ })).toHaveText(/\d+(\.\d)? [KMGT]?B/);

  // The real run, confirmed with what the preview found; it shows (and ends) as a job.
  await section.getByRole('button', { name: 'Run retention now' }).click();
  const confirm = page.getByRole('dialog', { name: 'Run retention now' });
  await expect(confirm).toContainText(/The last preview found \d+ events? and \d+ files?/);
  await confirm.getByRole('button', { name: 'Run retention' }).click();
  await expect(section.getByRole('status').last()).toHaveText(
    'Retention run started: its progress is in Background jobs.',
  );
  const run = page
    .getByRole('region', { name: 'Background jobs' })
    .locator('[data-testid="job-row"][data-kind="retention"]:not([data-dry-run])');
  await expect(run).toHaveCount(1);
  await expect(run).toHaveAttribute('data-status', 'completed', { timeout: 20_000 });
});
