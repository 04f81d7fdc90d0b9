import fs from 'node:fs';
import path from 'node:path';
import { jpeg } from '../helpers/images';
import { DOG_JPG } from '../helpers/shared-assets';
import { openAt } from './app-db';
import { expect, test } from './fixtures';

test.use({ setupDismissed: false });

test('first run: the wizard adds a camera, sees its first snapshot, and finishes on the first event', async ({
  page,
  hsi,
}) => {
  const steps = page.getByRole('navigation', { name: 'Setup steps' });
  const stepButton = (name: RegExp) => steps.getByRole('button', { name });

  // A fresh data dir opens on the wizard.
  await expect(page).toHaveURL(/#\/setup$/);
  await expect(
    page.getByRole('heading', { level: 1, name: 'Set up Home Security Intelligence' }),
  ).toBeVisible();
  await expect(stepButton(/^Cameras/)).toHaveAttribute('aria-current', 'step');

  // Cameras: one with a folder of its own; the exact path is shown to copy.
  const folder = path.join(hsi.dataDir, 'driveway-uploads');
  await page.getByLabel('Camera name').fill('Driveway');
  await page.getByLabel('Folder (optional)').fill(folder);
  await page.getByRole('button', { name: 'Add camera' }).click();
  const folderField = page.getByRole('textbox', { name: 'Upload folder' });
  await expect(folderField).toHaveValue(folder);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy upload folder' }).click();
  await expect(page.getByText(/Upload folder copied|Could not copy/)).toBeVisible();

  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(
    page.getByRole('heading', { level: 2, name: 'Waiting for the first snapshot' }),
  ).toBeFocused();
  await expect(stepButton(/^First snapshot/)).toHaveAttribute('aria-current', 'step');
  const waiting = page.locator('[data-testid^="setup-waiting-"]');
  await expect(waiting).toHaveText(/Driveway: Waiting for the first snapshot…/);

  // A real photo lands in the folder (written aside, then renamed, as a camera's upload would).
  const bytes = fs.existsSync(DOG_JPG) ? fs.readFileSync(DOG_JPG) : await jpeg(320, 240);
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, '.upload.tmp'), bytes);
  fs.renameSync(path.join(folder, '.upload.tmp'), path.join(folder, 'MDAlarm_0001.jpg'));
  await expect(waiting).toHaveText(/Driveway: Snapshot received/, { timeout: 20_000 });

  // Detection, risk scoring and notifications are skipped.
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Detection' })).toBeFocused();
  await expect(page.getByTestId('setup-detector-status')).toContainText(/ready/);
  await page.getByRole('button', { name: 'Skip' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Risk scoring' })).toBeFocused();
  await page.getByRole('button', { name: 'Skip' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Notifications' })).toBeFocused();
  await page.getByRole('button', { name: 'Skip' }).click();

  // Finish: a summary, and the first event as soon as it exists.
  await expect(page.getByRole('heading', { level: 2, name: 'All set' })).toBeFocused();
  const summary = page.getByLabel('Setup summary');
  await expect(summary).toContainText('1 camera added: Driveway');
  await expect(summary).toContainText('Snapshot received from Driveway');
  await expect(summary).toContainText('Desktop notifications only');
  const firstEvent = page.getByRole('link', { name: 'Your first event' });
  await expect(firstEvent).toBeVisible({ timeout: 20_000 });
  await expect(firstEvent).toHaveAttribute('href', /^#\/events\/.+/);

  // A closed window resumes where it was; any step can be opened again.
  await openAt(page, hsi, '#/setup');
  await expect(page.getByRole('heading', { level: 2, name: 'All set' })).toBeVisible();
  await stepButton(/^Cameras/).click();
  await expect(stepButton(/^Cameras/)).toHaveAttribute('aria-current', 'step');
  await expect(page.getByRole('heading', { level: 2, name: 'Add your cameras' })).toBeFocused();
  await expect(page.getByRole('textbox', { name: 'Upload folder' })).toHaveValue(folder);
  await stepButton(/^Finish/).click();

  await page.getByRole('button', { name: 'Finish setup' }).click();
  await expect(page).toHaveURL(/#\/dashboard$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();

  // Settings offers it again, from the first step.
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Settings' })
    .click();
  await page.getByRole('link', { name: 'Run setup again' }).click();
  await expect(page).toHaveURL(/#\/setup$/);
  await expect(stepButton(/^Cameras/)).toHaveAttribute('aria-current', 'step');
});
