import fs from 'node:fs';
import path from 'node:path';
import { jpeg } from '../helpers/images';
import { DOG_JPG } from '../helpers/shared-assets';
import { expect, test } from './fixtures';

test('a dropped image becomes an event; review and notes persist', async ({ page, hsi }) => {
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Events' }).click();
  await expect(page.getByTestId('events-empty')).toBeVisible();

  const bytes = fs.existsSync(DOG_JPG) ? fs.readFileSync(DOG_JPG) : await jpeg(320, 240);
  const folder = path.join(hsi.dataDir, 'ingest', 'Porch');
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, '.snap.tmp'), bytes);
  fs.renameSync(path.join(folder, '.snap.tmp'), path.join(folder, 'snap.jpg'));

  // The fixture detector sees a person at 93 %: the fast path makes the event at once.
  const card = page.locator('article[data-testid^="event-card-"]').first();
  await expect(card).toBeVisible({ timeout: 20_000 });
  await expect(card).toContainText('Porch');
  await expect(card).toContainText(/person/);
  await expect(card).toContainText('Rules');
  await expect(page.getByTestId('events-count')).toHaveText('1');
  const thumb = card.getByRole('img', { name: 'Event thumbnail' });
  await expect
    .poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBeGreaterThan(0);

  // Detail: the snapshot with its boxes, the detections, review and notes.
  await card.getByRole('link').first().click();
  const detail = page.getByRole('dialog');
  await expect(detail.getByTestId('event-main-image')).toBeVisible();
  await expect(detail.locator('[data-testid^="detection-"]')).toHaveCount(2);
  await expect(detail.getByTestId('event-summary')).toContainText('Porch');
  await detail.getByLabel('Reviewed').check();
  await detail.getByLabel('Notes').fill('Parcel courier, expected');
  await detail.getByRole('button', { name: 'Save notes' }).click();
  await expect(detail.getByText('Notes saved')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(detail).toBeHidden();
  await expect(card).toContainText('Reviewed');

  // Reopen the app: the review and the notes came from the database.
  if (hsi.entryUrl) await page.goto(`${hsi.entryUrl}#/events`);
  else await page.reload();
  const again = page.locator('article[data-testid^="event-card-"]').first();
  await expect(again).toContainText('Reviewed');
  await again.getByRole('link').first().click();
  await expect(page.getByRole('dialog').getByLabel('Notes')).toHaveValue(
    'Parcel courier, expected',
  );
  await expect(page.getByRole('dialog').getByLabel('Reviewed')).toBeChecked();
  await page.keyboard.press('Escape');

  // Bulk review: select every loaded event, mark them reviewed; the selection empties.
  const bulk = page.getByRole('group', { name: 'Bulk review' });
  await bulk.getByLabel('Select all loaded').check();
  await expect(page.getByTestId('events-selected')).toHaveText('1 selected');
  await bulk.getByRole('button', { name: 'Mark reviewed' }).click();
  await expect(bulk.getByRole('status')).toHaveText('Marked 1 event reviewed');
  await expect(page.getByTestId('events-selected')).toHaveText('0 selected');
});
