import type { Page } from '@playwright/test';
import { openAt } from './app-db';
import { expect, test } from './fixtures';

/** LLM server `n`'s row of the Settings form (the base URL is server 1). */
const server = (page: Page, n: number) =>
  page.getByRole('group', { name: `LLM server ${n}`, exact: true });

test('LLM servers: rows added in Settings, a bad address shown under its field; the servers are saved and kept, the key hidden', async ({
  page,
  hsi,
}) => {
  await openAt(page, hsi, '#/settings');
  const form = page.getByRole('form', { name: 'Settings form' });
  const save = form.getByRole('button', { name: 'Save' });
  const add = form.getByRole('button', { name: 'Add LLM server' });
  await expect(server(page, 2)).toHaveCount(0);

  await add.click();
  await expect(server(page, 2).getByLabel('Server address')).toBeFocused();
  await expect(server(page, 2).getByLabel('Model (optional)')).toHaveAttribute(
    'placeholder',
    'local',
  );
  await server(page, 2).getByLabel('Server address').fill('http://127.0.0.1:9/v1');
  await server(page, 2).getByLabel('API key (optional)').fill('sk-e2e');
  await add.click();
  const address = server(page, 3).getByLabel('Server address');
  await expect(address).toBeFocused();
  await address.fill('gpu.lan:8080');
  await form.getByLabel('When there are several servers').selectOption('round-robin');
  await save.click();
  await expect(address).toHaveAttribute('aria-invalid', 'true');
  await expect(server(page, 3).getByText('Use an http:// or https:// address')).toBeVisible();
  await expect(server(page, 2).getByLabel('Server address')).not.toHaveAttribute(
    'aria-invalid',
    'true',
  );

  await address.fill('http://gpu.lan:8080');
  await save.click();
  await expect(form.getByRole('status')).toHaveText('Settings saved');
  await expect(address).not.toHaveAttribute('aria-invalid', 'true');

  await openAt(page, hsi, '#/dashboard');
  await openAt(page, hsi, '#/settings');
  await expect(server(page, 2).getByLabel('Server address')).toHaveValue('http://127.0.0.1:9/v1');
  await expect(server(page, 2).getByLabel('API key (optional)')).toHaveValue('[REDACTED]');
  await expect(server(page, 3).getByLabel('Server address')).toHaveValue('http://gpu.lan:8080');
  await expect(server(page, 3).getByLabel('API key (optional)')).toHaveValue('');
  await expect(form.getByLabel('When there are several servers')).toHaveValue('round-robin');

  await form.getByRole('button', { name: 'Remove LLM server 2' }).click();
  await expect(add).toBeFocused();
  await expect(server(page, 2).getByLabel('Server address')).toHaveValue('http://gpu.lan:8080');
});
