import fs from 'node:fs';
import path from 'node:path';
import { jpeg } from '../helpers/images';
import { DOG_JPG } from '../helpers/shared-assets';
import { expect, test } from './fixtures';

test('an image dropped into a camera folder shows up as a snapshot with its detections', async ({
  page,
  hsi,
}) => {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Cameras & Zones' })
    .click();
  await expect(page.getByTestId('detector-status')).toContainText(/on CPU/i);
  await expect(page.getByTestId('ingest-processed')).toHaveText('0');

  // The folder name makes the camera: ingest/Front Door → front_door.
  const bytes = fs.existsSync(DOG_JPG) ? fs.readFileSync(DOG_JPG) : await jpeg(320, 240);
  const folder = path.join(hsi.dataDir, 'ingest', 'Front Door');
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, '.upload.tmp'), bytes);
  fs.renameSync(path.join(folder, '.upload.tmp'), path.join(folder, 'MDAlarm_0001.jpg'));

  const row = page.getByTestId('camera-row-front_door');
  await expect(row).toContainText('Front Door');
  const snapshot = page.getByTestId('snapshot-front_door');
  await expect(snapshot).toBeVisible();
  await expect(snapshot).toHaveAttribute('alt', 'Latest snapshot from Front Door');
  // The image really loaded (the media route answered with a decodable JPEG).
  await expect
    .poll(() => snapshot.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBeGreaterThan(0);
  await expect(row).toContainText(/person 93%/);
  await expect(row).toContainText(/car 81%/);
  await expect(page.getByTestId('ingest-processed')).toHaveText('1');

  // The full-size view draws the same boxes.
  await snapshot.click();
  const dialog = page.getByRole('dialog');
  await expect(
    dialog.getByRole('img', { name: /Full-size snapshot from Front Door/ }),
  ).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // A broken upload is quarantined and listed with its reason.
  fs.writeFileSync(path.join(folder, 'broken.jpg'), Buffer.alloc(5000, 0x41));
  await expect(page.getByTestId('ingest-quarantined')).toHaveText('1');
  await page.getByRole('button', { name: /Quarantined files \(1\)/ }).click();
  await expect(page.getByText(/broken\.jpg/)).toBeVisible();
  await expect(page.getByText(/does not decode/)).toBeVisible();
});
