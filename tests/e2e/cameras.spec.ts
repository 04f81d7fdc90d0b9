import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures';

test('the shell shows every area and the connection state', async ({ page }) => {
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const area of [
    'Dashboard',
    'Events',
    'Alerts',
    'Cameras & Zones',
    'Analytics',
    'Exports',
    'Calibration',
    'Prompts',
    'Operations',
    'Settings',
  ]) {
    await expect(nav.getByRole('link', { name: area })).toBeVisible();
  }
  await expect(page.getByTestId('connection-state')).toHaveText(/Connected/);
  await nav.getByRole('link', { name: 'Operations' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Operations' })).toBeVisible();
  await expect(
    page.getByRole('heading', { level: 2, name: 'Machine and inference' }),
  ).toBeVisible();
  await nav.getByRole('link', { name: 'Exports' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Exports' })).toBeVisible();
  await expect(page.getByTestId('exports-empty')).toBeVisible();
  await nav.getByRole('link', { name: 'Events' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Events' })).toBeVisible();
  await expect(page.getByTestId('events-empty')).toContainText('No events yet');
});

test('add, see, edit and delete a camera', async ({ page, hsi }) => {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Cameras & Zones' })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: 'Cameras & Zones' })).toBeVisible();
  await expect(page.getByText('No cameras yet')).toBeVisible();

  // Add, with a server-side validation error shown inline first.
  await page.getByRole('button', { name: 'Add camera' }).first().click();
  const form = page.getByRole('form', { name: 'Camera form' });
  await form.getByLabel('Name').fill('Front Door');
  await form.getByLabel('Folder (optional)').fill('relative/folder');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByText('Folder must be an absolute path')).toBeVisible();
  await form.getByLabel('Folder (optional)').fill('');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form).toBeHidden();

  const row = page.getByTestId('camera-row-front_door');
  await expect(row).toContainText('Front Door');
  await expect(row).toContainText(path.join(hsi.dataDir, 'ingest', 'front_door'));
  expect(fs.existsSync(path.join(hsi.dataDir, 'ingest', 'front_door'))).toBe(true);

  // A duplicate name is refused with the server's message.
  await page.getByRole('button', { name: 'Add camera' }).first().click();
  await form.getByLabel('Name').fill('front door');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('alert')).toContainText('already exists');
  await form.getByRole('button', { name: 'Cancel' }).click();

  // Edit.
  await row.getByRole('button', { name: 'Edit Front Door' }).click();
  await expect(form.getByLabel('Name')).toHaveValue('Front Door');
  await form.getByLabel('Name').fill('Front Porch');
  await form.getByLabel('Enabled').uncheck();
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form).toBeHidden();
  await expect(row).toContainText('Front Porch');

  // The change survives reopening the app (it is in the database, not just the page).
  if (hsi.entryUrl) {
    // The token was dropped from the address bar: a bare reload says how to get back in.
    await page.reload();
    await expect(page.getByText(/No access token/)).toBeVisible();
    await page.goto(`${hsi.entryUrl}#/cameras`);
  } else {
    await page.reload();
  }
  await expect(page.getByTestId('camera-row-front_door')).toContainText('Front Porch');
});

test('delete asks for confirmation and reports what was removed', async ({ page }) => {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Cameras & Zones' })
    .click();
  await page.getByRole('button', { name: 'Add camera' }).first().click();
  const form = page.getByRole('form', { name: 'Camera form' });
  await form.getByLabel('Name').fill('Garage');
  await form.getByRole('button', { name: 'Save' }).click();
  const row = page.getByTestId('camera-row-garage');
  await expect(row).toBeVisible();

  await row.getByRole('button', { name: 'Delete Garage' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('Delete camera Garage?');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(row).toBeVisible();

  await row.getByRole('button', { name: 'Delete Garage' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete camera' }).click();
  await expect(row).toBeHidden();
  await expect(page.getByRole('status')).toContainText('Deleted Garage');
  await expect(page.getByText('No cameras yet')).toBeVisible();
});
