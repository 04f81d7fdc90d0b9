import fs from 'node:fs';
import path from 'node:path';
import { jpeg } from '../helpers/images';
import { startWebhookServer } from '../helpers/webhook-server';
import { expect, test } from './fixtures';

test('a webhook channel and a rule made in the UI alert on a dropped image and deliver', async ({
  page,
  hsi,
}) => {
  const hook = await startWebhookServer();
  try {
    // Channel.
    await page.goto(page.url().replace(/#.*$/, '') + '#/settings/notifications');
    await expect(page.getByRole('heading', { name: 'Notifications' })).toBeVisible();
    const channelForm = page.getByRole('form', { name: 'Channel form' });
    await channelForm.getByLabel('Kind').selectOption({ label: 'Webhook' });
    await channelForm.getByLabel('Name', { exact: true }).fill('Home hub');
    await channelForm.getByLabel('URL').fill(hook.url);
    await channelForm.getByLabel('Signing secret (optional)').fill('correct horse battery');
    await channelForm.getByRole('button', { name: 'Save' }).click();
    const channelRow = page
      .locator('[data-testid^="channel-row-"]')
      .filter({ hasText: 'Home hub' });
    await expect(channelRow).toBeVisible();

    // Rule using it.
    await page.goto(page.url().replace(/#.*$/, '') + '#/alerts/rules');
    await expect(page.getByRole('heading', { name: 'Alert rules' })).toBeVisible();
    const ruleForm = page.getByRole('form', { name: 'Rule form' });
    await ruleForm.getByLabel('Name', { exact: true }).fill('People on the porch');
    await ruleForm.getByLabel('Severity').selectOption('high');
    await ruleForm.getByLabel('Object classes').fill('person');
    await ruleForm.getByLabel('Home hub').check();
    await ruleForm.getByRole('button', { name: 'Save' }).click();
    await expect(
      page.locator('[data-testid^="rule-row-"]').filter({ hasText: 'People on the porch' }),
    ).toBeVisible();

    // An image arrives: the fixture detector sees a person, the rule fires.
    await page.goto(page.url().replace(/#.*$/, '') + '#/alerts');
    const folder = path.join(hsi.dataDir, 'ingest', 'Porch');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, '.a.tmp'), await jpeg(160, 120, 90));
    fs.renameSync(path.join(folder, '.a.tmp'), path.join(folder, 'a.jpg'));

    const alertRow = page.locator('[data-testid^="alert-row-"]').first();
    await expect(alertRow).toContainText('People on the porch', { timeout: 20_000 });
    await expect(page.getByTestId('alerts-badge')).toHaveText('1');
    await expect.poll(() => hook.received.length, { timeout: 10_000 }).toBe(1);
    const body = JSON.parse(hook.received[0]!.body) as {
      alert: { ruleName: string };
      event: { cameraName: string };
    };
    expect(body).toMatchObject({
      alert: { ruleName: 'People on the porch' },
      event: { cameraName: 'Porch' },
    });
    expect(hook.received[0]!.headers['x-hsi-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);

    // The delivery is logged as sent.
    await page.goto(page.url().replace(/#.*$/, '') + '#/settings/notifications');
    await expect(page.locator('[data-testid^="delivery-row-"]').first()).toContainText('sent');

    // Acknowledge clears the active badge.
    await page.goto(page.url().replace(/#.*$/, '') + '#/alerts');
    await alertRow.getByRole('button', { name: 'Acknowledge People on the porch' }).click();
    await expect(page.getByTestId('alerts-badge')).toBeHidden();

    // Bulk: every alert, selected together and dismissed.
    await page.getByLabel('Show').selectOption('all');
    const bulk = page.getByRole('group', { name: 'Bulk actions' });
    await bulk.getByLabel('Select all loaded').check();
    await expect(page.getByTestId('alerts-selected')).toHaveText('1 selected');
    await bulk.getByRole('button', { name: 'Dismiss selected' }).click();
    await expect(bulk.getByRole('status')).toHaveText('Dismissed 1 alert');
    await expect(page.getByTestId('alerts-selected')).toHaveText('0 selected');
    await expect(alertRow).toContainText(/dismissed/i);
  } finally {
    await hook.close();
  }
});
