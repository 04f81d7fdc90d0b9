import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { ROUTES } from '../../src-renderer/routes';
import { openAt } from './app-db';
import { expect, test } from './fixtures';
import { dropSnapshot, seedHome } from './seed-home';

/** The routes a person can open (Debug is listed only in debug mode). */
const PAGES = ROUTES.filter((r) => r.id !== 'debug');

/**
 * axe-core's WCAG 2.1 A and AA rules on the page as shown: the serious and critical
 * violations, one line each.
 */
async function seriousViolations(page: Page, where: string): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${where}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join('; ')}`,
    );
}

/**
 * The same with a modal dialog open. axe does not know the top layer: the page under the
 * dialog would leave the contrast of the dialog's text undetermined, so the page (inert
 * behind the dialog anyway, and checked on its own) is hidden while axe looks.
 */
async function seriousViolationsInDialog(page: Page, where: string): Promise<string[]> {
  const style = await page.addStyleTag({
    content:
      'body *:not(:has(dialog[open])):not(dialog[open]):not(dialog[open] *) { visibility: hidden !important; }',
  });
  try {
    return await seriousViolations(page, where);
  } finally {
    await style.evaluate((el) => el.parentNode?.removeChild(el));
  }
}

/**
 * Every page (the setup wizard included; Debug is listed only in debug mode) passes axe-core's
 * checks (WCAG 2.1 A and AA rules) with no serious or critical violations, as a fresh data
 * folder shows it.
 */
test('every page has no serious or critical accessibility violations', async ({ page, hsi }) => {
  const base = hsi.entryUrl ?? page.url().replace(/#.*$/, '');
  const found: string[] = [];
  for (const route of PAGES) {
    await page.goto(`${base}#/${route.id}`);
    await expect(page.locator('main h1, main h2').first()).toBeVisible();
    found.push(...(await seriousViolations(page, route.id)));
  }
  expect(found).toEqual([]);
});

/**
 * The same with data — cameras with a snapshot, events of every risk level, a rule and its
 * alerts, so lists, charts, the gauge and badges are drawn — and with each dialog open.
 */
test('pages with data and open dialogs have no serious or critical accessibility violations', async ({
  page,
  hsi,
}) => {
  const { eventIds, ruleName } = await seedHome(hsi.dataDir);
  await dropSnapshot(page, hsi);
  const found: string[] = [];

  // What shows that a page has its data (checked before axe looks).
  const loaded: Partial<Record<string, Locator>> = {
    dashboard: page.getByTestId('activity-feed').getByRole('link').first(),
    events: page.getByTestId(`event-card-${eventIds[0]}`),
    alerts: page.locator('[data-testid^="alert-row-"]').first(),
    cameras: page.getByRole('img', { name: 'Latest snapshot from Porch' }),
    analytics: page.getByTestId('risk-chart'),
    calibration: page.getByRole('slider').first(),
  };
  for (const route of PAGES) {
    await openAt(page, hsi, `#/${route.id}`);
    await expect(page.locator('main h1, main h2').first()).toBeVisible();
    await expect(loaded[route.id] ?? page.locator('main')).toBeVisible();
    found.push(...(await seriousViolations(page, route.id)));
  }

  const cameraButton = (name: string) => () => page.getByRole('button', { name }).click();
  const dialogs: [where: string, hash: string, open?: () => Promise<unknown>][] = [
    ['event detail', `#/events/${eventIds[0]}`],
    [
      'confirm (delete rule)',
      '#/alerts/rules',
      () => page.getByRole('button', { name: `Delete ${ruleName}` }).click(),
    ],
    ['FTP', '#/cameras', cameraButton('FTP for Front door')],
    ['camera form', '#/cameras', cameraButton('Edit Front door')],
    ['delete camera', '#/cameras', cameraButton('Delete Back yard')],
    ['snapshot', '#/cameras', cameraButton('Latest snapshot from Porch')],
    ['keyboard shortcuts', '#/dashboard', () => page.keyboard.press('F1')],
  ];
  for (const [where, hash, open] of dialogs) {
    await openAt(page, hsi, hash);
    await expect(page.locator('main h1')).toBeVisible();
    await open?.();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByRole('heading').first()).toBeVisible();
    await expect(dialog.getByRole('heading').first()).not.toHaveText(/Loading/);
    found.push(...(await seriousViolationsInDialog(page, `${where} dialog`)));
  }
  expect(found).toEqual([]);
});
