import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from './fixtures';

test('debug: the page appears with debug mode, a log level changes, and a recorded call replays and matches', async ({
  page,
  hsi,
}) => {
  const base = hsi.entryUrl ?? page.url().replace(/#.*$/, '');
  await page.goto(`${base}#/settings`);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Settings' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Debug' })).toHaveCount(0);

  const form = page.getByRole('form', { name: 'Settings form' });
  await form.getByLabel('Debug mode').check();
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('status')).toHaveText('Settings saved');
  await nav.getByRole('link', { name: 'Debug' }).click();

  // A call made with debug on: the page's own reads are recorded.
  await page.goto(`${base}#/cameras`);
  await expect(page.getByRole('heading', { name: 'Cameras & Zones' })).toBeVisible();
  await nav.getByRole('link', { name: 'Debug' }).click();
  await expect(page.getByRole('heading', { name: 'Debug', level: 1 })).toBeVisible();

  const levels = page.getByRole('form', { name: 'Set a log level' });
  await levels.getByLabel('Module (empty: all)').fill('router');
  await levels.getByLabel('Level').selectOption('warn');
  await levels.getByRole('button', { name: 'Set level' }).click();
  await expect(page.getByRole('region', { name: 'Log levels' }).getByRole('status')).toHaveText(
    /router: warn \(was /,
  );
  await expect(page.getByTestId('debug-levels')).toContainText('router: warn');

  const recordings = page.getByRole('region', { name: 'Recorded calls' });
  await recordings.getByRole('button', { name: 'Refresh' }).click();
  await recordings.getByRole('button', { name: 'cameras.list' }).first().click();
  await recordings.getByRole('button', { name: 'Replay' }).click();
  await expect(recordings.getByText('Replayed: matches the recorded output.')).toBeVisible();

  const stages = page.getByRole('table', { name: /Pipeline stages/ });
  await expect(stages.getByRole('row')).toHaveCount(9); // the header and eight stages
  // This page's own WebSocket is among the connections.
  await expect(
    page
      .getByRole('table', { name: /Connected windows and clients/ })
      .getByRole('cell', { name: 'websocket' }),
  ).toBeVisible();
  // The configuration never shows a secret.
  await expect(page.getByTestId('debug-config')).toContainText('"debug": true');
});

test('rum: the window measures its Core Web Vitals and sends them when the page goes away', async ({
  page,
  hsi,
}) => {
  const base = hsi.entryUrl ?? page.url().replace(/#.*$/, '');
  await page.goto(`${base}#/dashboard`);
  await expect(page.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();
  await page.goto('about:blank'); // pagehide: the waiting measurements go out
  const stored = () => {
    const db = new Database(path.join(hsi.dataDir, 'hsi.sqlite'), { readonly: true });
    try {
      const rows = db.prepare('SELECT DISTINCT name, path FROM rum_samples').all() as {
        name: string;
        path: string;
      }[];
      return rows.map((r) => `${r.name} ${r.path}`).sort();
    } finally {
      db.close();
    }
  };
  await expect.poll(stored).toEqual(expect.arrayContaining(['FCP /dashboard', 'TTFB /dashboard']));
});
