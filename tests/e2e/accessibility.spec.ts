import AxeBuilder from '@axe-core/playwright';
import { ROUTES } from '../../src-renderer/routes';
import { expect, test } from './fixtures';

/**
 * Every page (the setup wizard included; Debug is listed only in debug mode) passes axe-core's
 * checks (WCAG 2.1 A and AA rules) with no serious or critical violations, as a fresh data
 * folder shows it.
 */
test('every page has no serious or critical accessibility violations', async ({ page, hsi }) => {
  const base = hsi.entryUrl ?? page.url().replace(/#.*$/, '');
  const found: string[] = [];
  for (const route of ROUTES.filter((r) => r.id !== 'debug')) {
    await page.goto(`${base}#/${route.id}`);
    await expect(page.locator('main h1, main h2').first()).toBeVisible();
    const result = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
      .analyze();
    for (const v of result.violations) {
      if (v.impact !== 'serious' && v.impact !== 'critical') continue;
      found.push(
        `${route.id}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join('; ')}`,
      );
    }
  }
  expect(found).toEqual([]);
});
