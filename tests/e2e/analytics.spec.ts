import { insertScoredEvents } from '../helpers/events';
import { seedCameras, withAppDb } from './app-db';
import { expect, test } from './fixtures';

const DAY_MS = 86_400_000;

/** The UTC day `n` days before today, and an instant on it. */
function daysAgo(n: number, hour: number, minute = 0) {
  const day = new Date(Date.now() - n * DAY_MS).toISOString().slice(0, 10);
  return {
    day,
    at: `${day}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00.000Z`,
  };
}

/**
 * Events on a "Front" and a "Yard" camera yesterday and the day before (UTC), one detection
 * each, written into the app's own SQLite file; the database's triggers count them.
 */
async function seed(dataDir: string) {
  return withAppDb(dataDir, async (db) => {
    await seedCameras(db, dataDir, [
      ['front', 'Front'],
      ['yard', 'Yard'],
    ]);
    const y = (minute: number, hour = 10) => daysAgo(1, hour, minute).at;
    await insertScoredEvents(db, [
      // Front yesterday: critical, high, medium; the day before: low.
      { cameraId: 'front', startedAt: y(0), component: 90, objectClass: 'person' },
      { cameraId: 'front', startedAt: y(1), component: 70, objectClass: 'person' },
      { cameraId: 'front', startedAt: y(2), component: 40, objectClass: 'car' },
      { cameraId: 'front', startedAt: daysAgo(2, 10).at, component: 20, objectClass: 'car' },
      // Yard yesterday an hour later: medium, low.
      { cameraId: 'yard', startedAt: y(0, 11), component: 50, objectClass: 'person' },
      { cameraId: 'yard', startedAt: y(1, 11), component: 10, objectClass: 'dog' },
    ]);
  });
}

test('analytics: risk history, objects and the hour heatmap from stored events; one camera narrows them', async ({
  page,
  hsi,
}) => {
  await seed(hsi.dataDir);
  const yesterday = daysAgo(1, 0).day;
  const base = hsi.entryUrl ?? page.url().replace(/#.*$/, '');
  await page.goto(`${base}#/analytics`);
  await expect(page.getByRole('heading', { name: 'Analytics', level: 1 })).toBeVisible();
  await expect(page.getByTestId('analytics-scope')).toHaveText(
    'Showing the last 30 days, all cameras.',
  );

  // Risk history: the chart is drawn, named by its numbers, and its table has yesterday's.
  const risk = page.getByRole('region', { name: 'Risk history' });
  const riskChart = risk.getByRole('img', { name: /^Events per day by risk level/ });
  await expect(riskChart).toHaveAttribute(
    'aria-label',
    new RegExp(
      `: 6 events \\(Low 2, Medium 2, High 1, Critical 1\\); most on ${yesterday} \\(5\\)$`,
    ),
  );
  await expect(riskChart.locator('canvas').first()).toBeVisible();
  await risk.getByText('Show the numbers').click();
  const riskTable = risk.getByRole('table', { name: 'Events per day by risk level' });
  const riskRow = riskTable.getByRole('row', { name: new RegExp(`^${yesterday}`) });
  // Day, low, medium, high, critical, total.
  await expect(riskRow).toHaveText(new RegExp(`^${yesterday}\\s*1\\s*2\\s*1\\s*1\\s*5$`));

  // Objects: each class with its share of the six detections.
  const objects = page.getByRole('region', { name: 'Objects detected' });
  const objectsChart = objects.getByRole('img', { name: /^Share of detections by class/ });
  await expect(objectsChart).toHaveAttribute(
    'aria-label',
    'Share of detections by class: person 50% (3), car 33.3% (2), dog 16.7% (1)',
  );
  await expect(objectsChart).toContainText('33.3% (2)');

  // The heatmap: yesterday 10:00 UTC on Front holds three events, the busiest hour.
  const heatmap = page.getByRole('region', { name: 'Activity by hour' }).getByTestId('heatmap');
  await expect(heatmap.locator('.heat-cell[data-count="3"]')).toHaveClass(/heat-4/);
  await expect(heatmap).toHaveAttribute('aria-label', /: 6 events; busiest .* \(3\)$/);

  // Front only: Yard's person and dog drop out.
  await page.getByRole('group', { name: 'Cameras' }).getByLabel('Front').check();
  await expect(page.getByTestId('analytics-scope')).toHaveText(
    'Showing the last 30 days, 1 camera.',
  );
  await expect(objectsChart).toHaveAttribute(
    'aria-label',
    'Share of detections by class: car 50% (2), person 50% (2)',
  );
  await expect(riskRow).toHaveText(new RegExp(`^${yesterday}\\s*0\\s*1\\s*1\\s*1\\s*3$`));
  await expect(riskChart).toHaveAttribute(
    'aria-label',
    /: 4 events \(Low 1, Medium 1, High 1, Critical 1\)/,
  );
  await expect(heatmap).toHaveAttribute('aria-label', /: 4 events; busiest .* \(3\)$/);

  // A week back still holds both days; a custom range of the day before alone, one event.
  await page.getByRole('group', { name: 'Range' }).getByRole('button', { name: 'Custom' }).click();
  const before = daysAgo(2, 0).day;
  await page.getByLabel('From', { exact: true }).fill(before);
  await page.getByLabel('To', { exact: true }).fill(before);
  await expect(page.getByTestId('analytics-scope')).toHaveText(`Showing ${before}, 1 camera.`);
  await expect(objectsChart).toHaveAttribute(
    'aria-label',
    'Share of detections by class: car 100% (1)',
  );
});
