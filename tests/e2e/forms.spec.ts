import fs from 'node:fs';
import path from 'node:path';
import { jpeg } from '../helpers/images';
import { openAt } from './app-db';
import { expect, test } from './fixtures';

test('settings: a bad value is shown under its field, a change is saved and kept, discard puts edits back', async ({
  page,
  hsi,
}) => {
  await openAt(page, hsi, '#/settings');
  const form = page.getByRole('form', { name: 'Settings form' });
  const retention = form.getByLabel('Retention days');
  await expect(retention).toHaveValue('30');

  await retention.fill('');
  await form.getByLabel('FTP port').fill('70000');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByText('Enter a number')).toBeVisible();
  await expect(retention).toHaveAttribute('aria-invalid', 'true');
  // Numbers first; then the settings' own rules (the contract's), under the field they name.
  await retention.fill('14');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByText(/65535/)).toBeVisible();
  await expect(form.getByLabel('FTP port')).toHaveAttribute('aria-invalid', 'true');

  await form.getByLabel('FTP port').fill('2122');
  await expect(form.getByLabel('Decode threads')).toHaveValue('1');
  await expect(form.getByLabel('Keep idle inference threads spinning')).not.toBeChecked();
  await form.getByLabel('Decode threads').fill('2');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('status')).toHaveText('Settings saved');
  await expect(retention).not.toHaveAttribute('aria-invalid', 'true');

  // An edit not saved: discard brings the saved value back.
  const model = form.getByLabel('LLM model');
  const discard = form.getByRole('button', { name: 'Discard changes' });
  await expect(discard).toBeDisabled();
  await model.fill('qwen2.5:3b');
  await discard.click();
  await expect(model).toHaveValue('local');

  await openAt(page, hsi, '#/settings');
  await expect(page.getByLabel('Retention days')).toHaveValue('14');
  await expect(page.getByLabel('FTP port')).toHaveValue('2122');
  await expect(page.getByLabel('Decode threads')).toHaveValue('2');
});

test('notifications: preferences are saved and kept; a channel with a bad address says where', async ({
  page,
  hsi,
}) => {
  await openAt(page, hsi, '#/settings/notifications');
  const prefs = page.getByRole('form', { name: 'Notification preferences' });
  await prefs.getByLabel('Quiet hours').check();
  await expect(prefs.getByLabel('From')).toHaveValue('22:00');
  await prefs.getByLabel('Maximum per hour (per channel)').fill('5');
  await prefs.getByRole('button', { name: 'Save preferences' }).click();
  await expect(prefs.getByRole('status')).toHaveText('Preferences saved');

  const channel = page.getByRole('form', { name: 'Channel form' });
  await channel.getByLabel('Kind').selectOption({ label: 'Email' });
  await channel.getByLabel('Name', { exact: true }).fill('Me');
  await channel.getByLabel('SMTP host').fill('127.0.0.1');
  await channel.getByLabel('From').fill('not an address');
  await channel.getByLabel('To').fill('me@home.test');
  await channel.getByRole('button', { name: 'Save' }).click();
  const from = channel.getByLabel('From');
  await expect(from).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#channel-from-error')).toContainText(/email/i);
  await from.fill('hsi@home.test');
  // A bad address in the list is shown under the list's field.
  const to = channel.getByLabel('To');
  await to.fill('me@home.test, bob');
  await channel.getByRole('button', { name: 'Save' }).click();
  await expect(to).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#channel-to-error')).toContainText(/email/i);
  await to.fill('me@home.test');
  await channel.getByRole('button', { name: 'Save' }).click();
  await expect(
    page.locator('[data-testid^="channel-row-"]').filter({ hasText: 'Me' }),
  ).toBeVisible();

  await openAt(page, hsi, '#/settings/notifications');
  const again = page.getByRole('form', { name: 'Notification preferences' });
  await expect(again.getByLabel('Quiet hours')).toBeChecked();
  await expect(again.getByLabel('Maximum per hour (per channel)')).toHaveValue('5');
  await expect(again.getByLabel('Minimum severity for Me')).toHaveValue('');
});

test('zones, the rule form and its preview, and event feedback validate where the person looks', async ({
  page,
  hsi,
}) => {
  // A camera and a zone, with a malformed zone first.
  await openAt(page, hsi, '#/cameras');
  await page.getByRole('button', { name: 'Add camera' }).first().click();
  const cameraForm = page.getByRole('form', { name: 'Camera form' });
  await cameraForm.getByLabel('Name').fill('Porch');
  await cameraForm.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('button', { name: 'Zones for Porch' }).click();
  const zoneForm = page.getByRole('form', { name: 'Add zone for Porch' });
  await zoneForm.getByLabel('Zone name').fill('Path');
  await zoneForm.getByLabel('Points').fill('somewhere');
  await zoneForm.getByRole('button', { name: 'Add zone' }).click();
  await expect(
    zoneForm.getByText('Enter x,y pairs between 0 and 1, separated by spaces'),
  ).toBeVisible();
  await zoneForm.getByLabel('Points').fill('0.1,0.1 0.9,0.1 0.5,0.9');
  await zoneForm.getByRole('button', { name: 'Add zone' }).click();
  await expect(page.locator('[data-testid^="zone-row-"]')).toContainText('Path');
  await expect(zoneForm.getByLabel('Zone name')).toHaveValue('');

  // A rule: a missing name is pointed out; then a preview of one on the zone.
  await openAt(page, hsi, '#/alerts/rules');
  const ruleForm = page.getByRole('form', { name: 'Rule form' });
  await ruleForm.getByRole('button', { name: 'Save' }).click();
  await expect(ruleForm.getByText('Name is required')).toBeVisible();
  await expect(ruleForm.getByText('Some fields need attention.')).toBeVisible();
  await ruleForm.getByLabel('Name', { exact: true }).fill('On the path');
  await ruleForm.getByLabel('Path').check();
  await ruleForm.getByRole('button', { name: 'Preview' }).click();
  await expect(ruleForm.getByTestId('rule-preview')).toContainText('Matches 0 of 0 recent events');

  // An event, and feedback on it: the form says what is missing before it sends.
  const folder = path.join(hsi.dataDir, 'ingest', 'porch');
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, '.a.tmp'), await jpeg(160, 120, 5));
  fs.renameSync(path.join(folder, '.a.tmp'), path.join(folder, 'a.jpg'));
  await openAt(page, hsi, '#/events');
  const card = page.locator('article[data-testid^="event-card-"]').first();
  await expect(card).toBeVisible({ timeout: 20_000 });
  await card.getByRole('link').first().click();
  const detail = page.getByRole('dialog');
  const feedback = detail.getByRole('form', { name: 'Was this right?' });
  await feedback.getByRole('button', { name: 'Send feedback' }).click();
  await expect(feedback.getByText('Choose what kind of feedback this is')).toBeVisible();
  await feedback.getByLabel('Severity wrong').check();
  await feedback.getByRole('button', { name: 'Send feedback' }).click();
  await expect(feedback.getByText('Choose the expected severity')).toBeVisible();
  await feedback.getByLabel('Expected severity').selectOption('low');
  await feedback.getByLabel('Feedback comment (optional)').fill('Just the postman');
  await feedback.getByRole('button', { name: 'Send feedback' }).click();
  await expect(feedback.getByRole('status')).toHaveText('Feedback recorded');
});

test('calibration: a threshold too close is shown under it; saved values, the night profile and reset stick', async ({
  page,
  hsi,
}) => {
  await openAt(page, hsi, '#/calibration');
  const form = page.getByRole('form', { name: 'Calibration form' });
  const high = form.getByLabel('Threshold high');
  await expect(high).toHaveValue('60');

  await high.fill('33');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByText('High must be at least 5 above medium (30)')).toBeVisible();
  await expect(high).toHaveAttribute('aria-invalid', 'true');

  await high.fill('70');
  await form.getByLabel('Class multipliers: person', { exact: true }).fill('1.5');
  await form.getByLabel('Class multipliers: cat', { exact: true }).fill('0.5');
  // Beyond 3: the contract's limit, under the table.
  await form.getByLabel('Class multipliers: dog', { exact: true }).fill('5');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByText('Use a factor from 0 to 3')).toBeVisible();
  await expect(form.getByLabel('Class multipliers: dog', { exact: true })).toHaveAttribute(
    'aria-invalid',
    'true',
  );
  await expect(form.getByLabel('Class multipliers: cat', { exact: true })).not.toHaveAttribute(
    'aria-invalid',
  );
  await form.getByLabel('Class multipliers: dog', { exact: true }).fill('');
  await form.getByLabel('Use other thresholds at night').check();
  await form.getByLabel('Time zone').fill('UTC');
  await form.getByLabel('Night medium').fill('20');
  await form.getByLabel('Night high').fill('40');
  await form.getByLabel('Night critical').fill('70');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('status')).toHaveText(/^Calibration saved/);

  await openAt(page, hsi, '#/settings');
  await openAt(page, hsi, '#/calibration');
  await expect(form.getByLabel('Threshold high')).toHaveValue('70');
  await expect(form.getByLabel('Class multipliers: person', { exact: true })).toHaveValue('1.5');
  await expect(form.getByLabel('Class multipliers: cat', { exact: true })).toHaveValue('0.5');
  await expect(form.getByLabel('Class multipliers: dog', { exact: true })).toHaveValue('1');
  await expect(form.getByLabel('Night high')).toHaveValue('40');

  await form.getByRole('button', { name: 'Reset to defaults' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Reset' }).click();
  await expect(form.getByRole('status')).toHaveText('Calibration reset to defaults');
  await expect(form.getByLabel('Threshold high')).toHaveValue('60');
  await expect(form.getByLabel('Use other thresholds at night')).not.toBeChecked();
});
