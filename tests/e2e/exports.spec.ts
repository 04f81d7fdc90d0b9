import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { jpeg } from '../helpers/images';
import type { HsiLaunch } from './fixtures';
import { expect, test } from './fixtures';

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** The finished job can take a moment on a busy machine; it is pushed, not polled. */
const JOB_TIMEOUT = 20_000;

function nav(page: Page) {
  return page.getByRole('navigation', { name: 'Main' });
}

/**
 * Drops an image into a camera's folder (the fixture detector sees a person on every image,
 * so the event is made at once) and waits for it on the timeline; returns the event's id.
 */
async function dropImage(page: Page, dataDir: string, camera: string, seed: number) {
  const cards = page.locator('article[data-testid^="event-card-"]');
  const before = await cards.count();
  const folder = path.join(dataDir, 'ingest', camera);
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, '.snap.tmp'), await jpeg(320, 240, seed));
  fs.renameSync(path.join(folder, '.snap.tmp'), path.join(folder, `snap-${seed}.jpg`));
  await expect(cards).toHaveCount(before + 1, { timeout: 20_000 });
  const card = cards.filter({ hasText: camera }).first();
  const testId = await card.getAttribute('data-testid');
  expect(testId).toMatch(/^event-card-/);
  return testId!.slice('event-card-'.length);
}

/** Changes settings the way the app does: over HTTP in a browser, over the bridge in Electron. */
async function updateSettings(page: Page, hsi: HsiLaunch, patch: Record<string, unknown>) {
  if (hsi.entryUrl) {
    const entry = new URL(hsi.entryUrl);
    const response = await page.request.post(`${entry.origin}/api/rpc/system.settings.update`, {
      headers: { authorization: `Bearer ${entry.searchParams.get('token')}` },
      data: patch,
    });
    expect(response.ok()).toBe(true);
    return;
  }
  const ok = await page.evaluate(async (input) => {
    type Bridge = { invoke(channel: string, input: unknown): Promise<{ ok: boolean }> };
    const bridge = (window as unknown as { hsi: Bridge }).hsi;
    return (await bridge.invoke('system.settings.update', input)).ok;
  }, patch);
  expect(ok).toBe(true);
}

async function readDownload(page: Page, link: ReturnType<Page['getByRole']>, dir: string) {
  const downloading = page.waitForEvent('download');
  await link.click();
  const download = await downloading;
  const file = path.join(dir, download.suggestedFilename());
  await download.saveAs(file);
  return { name: download.suggestedFilename(), bytes: fs.readFileSync(file) };
}

test('a CSV export started on the Exports page completes and downloads', async ({ page, hsi }) => {
  await nav(page).getByRole('link', { name: 'Events' }).click();
  await expect(page.getByTestId('events-empty')).toBeVisible();
  const eventId = await dropImage(page, hsi.dataDir, 'Porch', 1);

  await nav(page).getByRole('link', { name: 'Exports' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Exports' })).toBeVisible();
  await expect(page.getByTestId('exports-empty')).toHaveText(
    'No exports yet. Choose a format and filters above, then Start export.',
  );
  const form = page.getByRole('form', { name: 'New export' });

  // Snapshot images are a ZIP-only choice, on by default.
  const format = form.getByLabel('Format');
  await expect(form.getByLabel('Include snapshot images')).toHaveCount(0);
  await format.selectOption({ label: 'ZIP' });
  await expect(form.getByLabel('Include snapshot images')).toBeChecked();
  await format.selectOption({ label: 'CSV' });
  await expect(form.getByLabel('Include snapshot images')).toHaveCount(0);

  // A search the full-text index refuses is reported at the search box; no job is made.
  const search = form.getByLabel('Search events');
  await search.fill('"porch');
  await form.getByRole('button', { name: 'Start export' }).click();
  await expect(form.getByText(/This search is not valid/)).toBeVisible();
  await expect(search).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('export-row')).toHaveCount(0);
  await search.fill('');
  await expect(search).not.toHaveAttribute('aria-invalid', 'true');

  await form.getByRole('button', { name: 'Start export' }).click();
  const row = page.getByTestId('export-row');
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute('data-status', 'completed', { timeout: JOB_TIMEOUT });
  await expect(row.getByRole('progressbar', { name: 'Export progress' })).toHaveCount(0);
  await expect(row.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  await expect(row).toContainText('CSV');
  await expect(row).toContainText('All events');
  await expect(row.getByRole('cell').nth(4)).toHaveText('1');
  await expect(row.getByRole('cell').nth(5)).toHaveText(/^\d+(\.\d)? (B|KB)$/);

  if (hsi.mode === 'electron') {
    // The desktop app saves through a dialog rather than a browser download.
    await expect(row.getByRole('button', { name: 'Save as…' })).toBeVisible();
    await expect(row.getByRole('button', { name: 'Show in folder' })).toBeVisible();
    return;
  }
  const { name, bytes } = await readDownload(
    page,
    row.getByRole('link', { name: 'Download' }),
    hsi.dataDir,
  );
  expect(name).toMatch(/\.csv$/);
  expect([...bytes.subarray(0, 3)]).toEqual(UTF8_BOM);
  const text = bytes.subarray(3).toString('utf8');
  expect(text.startsWith('Event ID,Camera,Started At')).toBe(true);
  expect(text).toContain(eventId);
});

test('Quick export on the timeline exports its filters, search included, and stays there', async ({
  page,
  hsi,
}) => {
  await nav(page).getByRole('link', { name: 'Events' }).click();
  await expect(page.getByTestId('events-empty')).toBeVisible();
  const porch = await dropImage(page, hsi.dataDir, 'Porch', 1);
  const garage = await dropImage(page, hsi.dataDir, 'Garage', 2);

  await page.getByLabel('Search events').fill('Porch');
  await page.getByRole('button', { name: 'Quick export' }).click();
  const toast = page.getByTestId('toast').filter({ hasText: 'Export started' });
  await expect(toast).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: 'Events' })).toBeVisible();
  expect(new URL(page.url()).hash).toBe('#/events');

  await toast.getByRole('link', { name: 'Open Exports' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Exports' })).toBeVisible();
  const row = page.getByTestId('export-row');
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute('data-status', 'completed', { timeout: JOB_TIMEOUT });
  await expect(row).toContainText('CSV');
  await expect(row).toContainText('“Porch”');
  await expect(row.getByRole('cell').nth(4)).toHaveText('1');

  if (hsi.mode === 'browser') {
    const { bytes } = await readDownload(
      page,
      row.getByRole('link', { name: 'Download' }),
      hsi.dataDir,
    );
    const text = bytes.toString('utf8');
    expect(text).toContain(porch);
    expect(text).not.toContain(garage);
  }
});

test('an export that cannot be written fails with a reason a person can act on', async ({
  page,
  hsi,
}) => {
  const blocker = path.join(hsi.dataDir, 'not-a-folder');
  fs.writeFileSync(blocker, 'a file where the export folder should be');
  await updateSettings(page, hsi, { exports: { directory: path.join(blocker, 'exports') } });

  await nav(page).getByRole('link', { name: 'Exports' }).click();
  const form = page.getByRole('form', { name: 'New export' });
  await form.getByLabel('Format').selectOption({ label: 'JSON' });
  await form.getByRole('button', { name: 'Start export' }).click();

  const row = page.getByTestId('export-row');
  await expect(row).toHaveAttribute('data-status', 'failed', { timeout: JOB_TIMEOUT });
  await expect(row.locator('.export-error')).toContainText('export folder');
  await expect(row.getByRole('alert')).toHaveCount(0);
  await expect(row.getByRole('link', { name: 'Download' })).toHaveCount(0);
  await expect(row.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
});
