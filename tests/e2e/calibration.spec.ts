import { insertScoredEvents } from '../helpers/events';
import { seedCameras, withAppDb } from './app-db';
import { expect, test } from './fixtures';

/**
 * Stored events on a "Yard" camera, written into the app's own SQLite file (the first
 * `falsePositives` already marked so); returns their ids.
 */
async function seedYard(dataDir: string, components: number[], falsePositives = 0) {
  return withAppDb(dataDir, async (db) => {
    const now = new Date().toISOString();
    await seedCameras(db, dataDir, [['yard', 'Yard']]);
    const start = Date.now() - 3 * 3_600_000;
    const ids = await insertScoredEvents(
      db,
      components.map((component, i) => ({
        cameraId: 'yard',
        component,
        startedAt: new Date(start + i * 60_000).toISOString(),
      })),
    );
    for (const id of ids.slice(0, falsePositives)) {
      await db
        .insertInto('event_feedback')
        .values({
          id: `fb-${id}`,
          event_id: id,
          type: 'false_positive',
          notes: null,
          expected_severity: null,
          created_at: now,
        })
        .execute();
    }
    return ids;
  });
}

test('calibration: a slider shows how many events change, the preview agrees, and re-evaluation gives them their new level', async ({
  page,
  hsi,
}) => {
  await seedYard(hsi.dataDir, [50, 50, 50, 20]);
  if (hsi.entryUrl) await page.goto(`${hsi.entryUrl}#/calibration`);
  else await page.goto(page.url().replace(/#.*$/, '') + '#/calibration');

  const summary = page.getByTestId('preview-summary');
  await expect(summary).toHaveText(/Of 4 events in the last 30 days, 0 events would change level/);

  // Medium from 30 to 55: the three events at 50 fall to low, live under the sliders ...
  await page.getByLabel('Medium threshold').fill('55');
  await expect(page.getByTestId('slider-changes')).toHaveText(
    'With these thresholds, 3 events of the last 30 days would change level.',
  );
  const form = page.getByRole('form', { name: 'Calibration form' });
  await expect(form.getByLabel('Threshold medium')).toHaveValue('55');
  // ... and in the exact preview, with its matrix.
  await expect(summary).toHaveText(/Of 4 events in the last 30 days, 3 events would change level/);
  const matrix = page.getByRole('table', { name: /Events by level now/ });
  await expect(matrix.getByRole('row', { name: /^Medium/ })).toHaveText(/Medium\s*3\s*0\s*0\s*0/);

  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('status')).toHaveText(/Calibration saved/);

  const panel = page.getByRole('region', { name: 'Re-evaluate stored events' });
  await panel.getByRole('button', { name: 'Re-evaluate the last 30 days' }).click();
  await expect(panel.getByRole('status')).toHaveText(
    'Re-evaluated 4 events: 3 events changed, 0 alerts raised, 0 alerts resolved.',
  );
  await expect(panel.getByRole('progressbar')).toHaveCount(0);

  await page.goto(page.url().replace(/#.*$/, '') + '#/events');
  await expect(page.getByTitle('Low risk, score 50 of 100')).toHaveCount(3);
  await expect(page.getByTitle('Medium risk, score 50 of 100')).toHaveCount(0);
});

test('the same false positive at the same spot: the third offers "ignore here", and the region shows in Cameras & Zones', async ({
  page,
  hsi,
}) => {
  const ids = await seedYard(hsi.dataDir, [40, 40, 40], 2);
  const base = hsi.entryUrl ?? page.url().replace(/#.*$/, '');
  await page.goto(`${base}#/events/${ids[2]}`);
  const detail = page.getByRole('dialog');
  const feedback = detail.getByRole('form', { name: 'Was this right?' });
  await expect(feedback).toBeVisible();
  await expect(detail.getByText('The same false positive keeps coming back')).toHaveCount(0);

  await feedback.getByLabel('False positive').check();
  await feedback.getByRole('button', { name: 'Send feedback' }).click();
  await expect(feedback.getByRole('status')).toHaveText('Feedback recorded');
  const offer = detail.getByRole('region', { name: 'The same false positive keeps coming back' });
  await expect(offer).toContainText('You marked 3 false positives of person at this spot');
  await offer.getByRole('button', { name: 'Ignore person here' }).click();
  await expect(offer.getByRole('status')).toContainText(
    'person detections here no longer raise events',
  );

  await page.goto(`${base}#/cameras`);
  await page.getByRole('button', { name: 'Zones' }).click();
  await expect(page.getByText('Ignore person here')).toBeVisible();
  await expect(page.getByText(/ignores person · 4 points/)).toBeVisible();
});
