import type { Locator, Page } from '@playwright/test';
import { SHORTCUTS, SHORTCUT_EVENT } from '../../src-shared/shortcuts';
import { openAt } from './app-db';
import { expect, test } from './fixtures';
import { dropSnapshot, seedHome } from './seed-home';

/** Whether focus is inside the element (a dialog). */
const focusInside = (el: Locator) => el.evaluate((d) => d.contains(document.activeElement));

/**
 * Tab walks the dialog's controls and comes back round to one it already passed without ever
 * leaving the dialog; Shift+Tab stays inside too.
 */
async function expectTabCycles(page: Page, dialog: Locator): Promise<void> {
  const seen = new Set<number>();
  const focused = () =>
    dialog.evaluate((d) =>
      d.contains(document.activeElement)
        ? Array.prototype.indexOf.call(d.querySelectorAll('*'), document.activeElement)
        : null,
    );
  let wrapped = false;
  for (let i = 0; i < 60 && !wrapped; i++) {
    await page.keyboard.press('Tab');
    const at = await focused();
    expect(at, `focus left the dialog after ${i + 1} Tab presses`).not.toBeNull();
    wrapped = seen.has(at!);
    seen.add(at!);
  }
  expect(wrapped, 'Tab came back round').toBe(true);
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press('Shift+Tab');
    expect(await focusInside(dialog), 'focus left the dialog on Shift+Tab').toBe(true);
  }
}

/**
 * Opens a dialog from its opener with the keyboard (focus and Enter), checks focus starts
 * inside and stays there under Tab, then Esc closes it and focus is back on the opener.
 */
async function checkDialog(
  page: Page,
  opener: Locator,
  name: string | RegExp,
  initialFocus?: Locator,
): Promise<void> {
  await opener.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name });
  await expect(dialog).toBeVisible();
  if (initialFocus) await expect(initialFocus).toBeFocused();
  await expect.poll(() => focusInside(dialog)).toBe(true);
  await expectTabCycles(page, dialog);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();
}

test('shortcuts open pages and the search box; ?, F1, the sidebar and the Help menu open the shortcuts list', async ({
  page,
}) => {
  const h1 = page.locator('main h1');
  await expect(h1).toHaveText('Dashboard');

  await page.keyboard.press('ControlOrMeta+2');
  await expect(h1).toHaveText('Alerts');
  expect(new URL(page.url()).hash).toBe('#/alerts');
  await page.keyboard.press('ControlOrMeta+3');
  await expect(h1).toHaveText('Cameras & Zones');
  await page.keyboard.press('ControlOrMeta+1');
  await expect(h1).toHaveText('Events');
  await page.keyboard.press('ControlOrMeta+,');
  await expect(h1).toHaveText('Settings');

  // Search: from another page, the Events page opens with focus in its search box.
  await page.keyboard.press('ControlOrMeta+k');
  await expect(h1).toHaveText('Events');
  const search = page.getByRole('searchbox', { name: 'Search events' });
  await expect(search).toBeFocused();
  // `?` typed into a text field is text.
  await page.keyboard.type('who?');
  await expect(search).toHaveValue('who?');
  await expect(page.getByRole('dialog')).toBeHidden();

  // `?` elsewhere opens the list; Esc closes it and focus is back where it was.
  const alertsLink = page.getByRole('navigation', { name: 'Main' }).getByRole('link', {
    name: 'Alerts',
  });
  await alertsLink.focus();
  await page.keyboard.press('Shift+?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('heading', { name: 'Keyboard shortcuts' })).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused();
  const table = dialog.getByRole('table', { name: 'Keyboard shortcuts' });
  const labels = new Set(SHORTCUTS.filter((s) => s.inBrowser).map((s) => s.label));
  // One row per action, plus ?, Tab, Esc, Enter and the event detail's arrows.
  await expect(table.locator('tbody tr')).toHaveCount(labels.size + 5);
  for (const label of labels) {
    const name = new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} [A-Z]`);
    await expect(table.getByRole('row', { name })).toBeVisible();
  }
  await expect(table.getByRole('row', { name: /^Go to Alerts/ })).toContainText('Ctrl+2');
  await expect(table.getByRole('row', { name: /^Keyboard shortcuts F1/ })).toContainText(
    'F1 or Ctrl+/',
  );
  await expect(table.getByRole('row', { name: /^Close a dialog/ }).locator('kbd')).toHaveText(
    'Esc',
  );
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(alertsLink).toBeFocused();

  // F1 and Ctrl+/ open it too.
  await page.keyboard.press('F1');
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await page.keyboard.press('ControlOrMeta+/');
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).press('Enter');
  await expect(dialog).toBeHidden();

  // The sidebar's button says its keys, and opens it from the keyboard; focus comes back to it.
  const button = page.getByRole('button', { name: 'Keyboard shortcuts' });
  await expect(button).toHaveAttribute('aria-keyshortcuts', 'F1 Control+/');
  await checkDialog(
    page,
    button,
    'Keyboard shortcuts',
    dialog.getByRole('button', { name: 'Close' }),
  );
  await button.click();
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();

  // The Electron Help menu sends a window event.
  await page.evaluate(
    (name) => window.dispatchEvent(new CustomEvent(name, { detail: 'help.shortcuts' })),
    SHORTCUT_EVENT,
  );
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // Its View → Search item: the Events page, focus in the search box.
  await page.evaluate(
    (name) => window.dispatchEvent(new CustomEvent(name, { detail: 'view.search' })),
    SHORTCUT_EVENT,
  );
  await expect(page).toHaveURL(/#\/events$/);
  await expect(page.locator('#event-search')).toBeFocused();
});

test('search from an open event detail closes it and focuses the search box', async ({
  page,
  hsi,
}) => {
  const { eventIds } = await seedHome(hsi.dataDir);
  await openAt(page, hsi, `#/events/${eventIds[0]}`);
  await expect(page.getByRole('dialog')).toBeVisible();
  await page.keyboard.press('ControlOrMeta+k');
  await expect(page.getByRole('dialog')).toBeHidden();
  await expect(page.getByRole('searchbox', { name: 'Search events' })).toBeFocused();
});

test('every dialog opens from the keyboard, keeps Tab inside, closes on Esc and gives focus back', async ({
  page,
  hsi,
}) => {
  const { eventIds, ruleName } = await seedHome(hsi.dataDir);
  await dropSnapshot(page, hsi);

  // Cameras: the snapshot, the FTP login, editing and deleting a camera.
  await checkDialog(
    page,
    page.getByRole('button', { name: 'Latest snapshot from Porch' }),
    'Porch: latest snapshot',
    page.getByRole('dialog').getByRole('button', { name: 'Close' }),
  );
  await checkDialog(
    page,
    page.getByRole('button', { name: 'FTP for Front door' }),
    'FTP upload for Front door',
    page.getByRole('button', { name: 'Set new FTP password' }),
  );
  await checkDialog(
    page,
    page.getByRole('button', { name: 'Edit Front door' }),
    'Edit camera',
    page.getByRole('dialog').getByLabel('Name'),
  );
  await checkDialog(
    page,
    page.getByRole('button', { name: 'Add camera' }),
    'New camera',
    page.getByRole('dialog').getByLabel('Name'),
  );
  await checkDialog(
    page,
    page.getByRole('button', { name: 'Delete Back yard' }),
    'Confirm delete',
    page.getByRole('dialog').getByRole('button', { name: 'Cancel' }),
  );

  // A confirmation: deleting a rule.
  await openAt(page, hsi, '#/alerts/rules');
  await checkDialog(
    page,
    page.getByRole('button', { name: `Delete ${ruleName}` }),
    'Confirm delete',
    page.getByRole('dialog').getByRole('button', { name: 'Cancel' }),
  );

  // An event's detail, from its card in the timeline.
  await openAt(page, hsi, '#/events');
  const card = page.getByTestId(`event-card-${eventIds[0]}`);
  await expect(card).toBeVisible();
  await checkDialog(
    page,
    card.getByRole('link', { name: 'person at front' }),
    /^Front door ·/,
    page.getByRole('dialog').getByRole('heading', { level: 2, name: /^Front door ·/ }),
  );
});
