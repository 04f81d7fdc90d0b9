import http from 'node:http';
import type { AddressInfo } from 'node:net';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { freePort } from '../helpers/http';
import { openAt } from './app-db';
import { expect, test } from './fixtures';

/** axe-core's WCAG 2.1 A and AA rules on the page as shown: serious and critical ones. */
async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`);
}

const TOKEN = 'e2e-token';

/** Inference server `n`'s row of the Settings form. */
const server = (page: Page, n: number) =>
  page.getByRole('group', { name: `Inference server ${n}`, exact: true });

/**
 * An inference server as far as the detector asks before any image: ready, and the metadata
 * of yolox_nano (the manifest knows its family); a bearer token is required.
 */
async function startV2Server(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { error: 'token' });
    switch (req.url) {
      case '/v2':
        return send(200, { name: 'stub', version: '1', extensions: [] });
      case '/v2/health/ready':
      case '/v2/models/yolox_nano/ready':
        return send(200, {});
      case '/v2/models/yolox_nano':
        return send(200, {
          name: 'yolox_nano',
          inputs: [{ name: 'images', datatype: 'FP32', shape: [1, 3, 416, 416] }],
          outputs: [{ name: 'output', datatype: 'FP32', shape: [1, 3549, 85] }],
        });
      default:
        return send(404, { error: `no route ${req.url}` });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Settings → Detector: inference servers, with one at `url`, saved. */
async function useOneServer(page: Page, url: string) {
  const form = page.getByRole('form', { name: 'Settings form' });
  await form.getByLabel('Inference servers (V2: Triton, KServe, OpenVINO Model Server)').check();
  await server(page, 1).getByLabel('Address').fill(url);
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('status')).toHaveText('Settings saved');
}

test('inference servers: chosen in Settings with a row ready to fill; a bad address is shown under its field; the servers are saved and kept', async ({
  page,
  hsi,
}) => {
  const dead = `http://127.0.0.1:${await freePort()}`;
  await openAt(page, hsi, '#/settings');
  const form = page.getByRole('form', { name: 'Settings form' });
  const save = form.getByRole('button', { name: 'Save' });
  await expect(form.getByLabel('This computer')).toBeChecked();
  await expect(server(page, 1)).toHaveCount(0);

  await form.getByLabel('Inference servers (V2: Triton, KServe, OpenVINO Model Server)').check();
  const address = server(page, 1).getByLabel('Address');
  await expect(server(page, 1).getByLabel('Model name (optional)')).toHaveAttribute(
    'placeholder',
    'yolox_nano',
  );
  await expect(server(page, 1).getByLabel('Requests at once')).toHaveValue('4');
  await expect(form.getByLabel('Detect on this computer when every server is down')).toBeChecked();
  await expect(form.getByLabel('Send tensors in binary when the server supports it')).toBeChecked();

  // CodeProject.AI servers run their own model, and take the image as it is.
  await form
    .getByLabel('CodeProject.AI servers (CodeProject.AI Server, Blue Onyx, DeepStack)')
    .check();
  await expect(server(page, 1).getByLabel('Model name (optional)')).toHaveCount(0);
  await expect(form.getByLabel('Send tensors in binary when the server supports it')).toHaveCount(
    0,
  );
  await form.getByLabel('Inference servers (V2: Triton, KServe, OpenVINO Model Server)').check();

  await address.fill('gpu.lan:8000');
  await save.click();
  await expect(address).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByText('Use an http:// or https:// address')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  await address.fill(dead);
  await server(page, 1).getByLabel('Requests at once').fill('2');
  await save.click();
  await expect(form.getByRole('status')).toHaveText('Settings saved');
  await expect(address).not.toHaveAttribute('aria-invalid', 'true');

  await openAt(page, hsi, '#/dashboard');
  await openAt(page, hsi, '#/settings');
  await expect(
    form.getByLabel('Inference servers (V2: Triton, KServe, OpenVINO Model Server)'),
  ).toBeChecked();
  await expect(server(page, 1).getByLabel('Address')).toHaveValue(dead);
  await expect(server(page, 1).getByLabel('Requests at once')).toHaveValue('2');
});

test('inference servers: with the only server down, the detector status says so and that this computer detects meanwhile', async ({
  page,
  hsi,
}) => {
  const dead = `http://127.0.0.1:${await freePort()}`;
  await openAt(page, hsi, '#/settings');
  await useOneServer(page, dead);

  // Pushed to the page as the detector tries the server and falls back.
  await openAt(page, hsi, '#/operations');
  const status = page.getByTestId('ops-detector').getByTestId('detector-status');
  await expect(status).toContainText('Inference servers down: detecting on this computer');
  expect(await seriousViolations(page)).toEqual([]);
});

test('inference servers: rows added and removed, the token kept hidden; the server that answers is listed as up in Operations, and when it is replaced by one that is down this computer takes over', async ({
  page,
  hsi,
}) => {
  const dead = `http://127.0.0.1:${await freePort()}`;
  const v2 = await startV2Server();
  try {
    await openAt(page, hsi, '#/settings');
    const form = page.getByRole('form', { name: 'Settings form' });
    const save = form.getByRole('button', { name: 'Save' });
    await form.getByLabel('Inference servers (V2: Triton, KServe, OpenVINO Model Server)').check();
    await server(page, 1).getByLabel('Address').fill(dead);
    await form.getByRole('button', { name: 'Add inference server' }).click();
    await expect(server(page, 2).getByLabel('Address')).toBeFocused();
    await server(page, 2).getByLabel('Address').fill(v2.url);
    await server(page, 2).getByLabel('Token (optional)').fill(TOKEN);
    await form.getByRole('button', { name: 'Remove inference server 1' }).click();
    await expect(form.getByRole('button', { name: 'Add inference server' })).toBeFocused();
    await expect(server(page, 1).getByLabel('Address')).toHaveValue(v2.url);
    await expect(server(page, 2).getByLabel('Address')).toHaveCount(0);
    await save.click();
    await expect(form.getByRole('status')).toHaveText('Settings saved');
    // Saved: the token is never shown again.
    const token = server(page, 1).getByLabel('Token (optional)');
    await expect(token).toHaveValue('[REDACTED]');

    await openAt(page, hsi, '#/operations');
    const panel = page.getByTestId('ops-detector');
    await expect(panel.getByTestId('detector-status')).toContainText(
      'Detecting on inference servers',
    );
    const table = panel.getByRole('table', { name: 'Inference servers' });
    const row = table.getByRole('row', { name: new RegExp(v2.url) });
    await expect(row.getByRole('rowheader')).toHaveText(v2.url);
    await expect(row.getByRole('cell').first()).toHaveText('Up');
    expect(await seriousViolations(page)).toEqual([]);

    // A saved token belongs to its address: another address needs it typed again (or none).
    await openAt(page, hsi, '#/settings');
    await server(page, 1).getByLabel('Address').fill(dead);
    await save.click();
    await expect(token).toHaveAttribute('aria-invalid', 'true');
    await expect(form.getByText('Type the token again')).toBeVisible();
    await token.fill('');
    await save.click();
    await expect(form.getByRole('status')).toHaveText('Settings saved');

    await openAt(page, hsi, '#/operations');
    await expect(panel.getByTestId('detector-status')).toContainText(
      'Inference servers down: detecting on this computer',
    );
    // The servers as last seen stay listed, down, with why.
    const down = table.getByRole('row', { name: new RegExp(dead) });
    await expect(down.getByRole('cell').first()).toHaveText('Down');
    await expect(table.getByRole('row', { name: new RegExp(v2.url) })).toHaveCount(0);
  } finally {
    await v2.close();
  }
});

test('detection server: turned on from Settings, its URLs shown, it answers on the port — and asks for the token once one is set', async ({
  page,
  hsi,
}) => {
  const port = await freePort();
  const ready = `http://127.0.0.1:${port}/v2/health/ready`;
  const statusOf = async (headers: Record<string, string> = {}) =>
    fetch(ready, { headers }).then(
      (r) => r.status,
      () => 0,
    );
  await openAt(page, hsi, '#/settings');
  await page.getByRole('link', { name: 'Detection server' }).click();
  const form = page.getByRole('form', { name: 'Server settings' });
  await expect(page.getByText('The detection server is off.')).toBeVisible();

  await form.getByLabel('Detection server on').check();
  const host = form.getByLabel('Address to listen on');
  await expect(host).toHaveValue('127.0.0.1');
  await host.fill('0.0.0.0');
  const warning = page.getByTestId('detection-server-exposed');
  await expect(warning).toContainText('other machines on your network');
  await expect(warning).toContainText('Set a token');
  expect(await seriousViolations(page)).toEqual([]);
  await host.fill('127.0.0.1');
  await expect(warning).toHaveCount(0);
  await form.getByLabel('Port', { exact: true }).fill(String(port));
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('status')).toHaveText('Detection server settings saved');

  await expect(page.getByRole('textbox', { name: 'V2 base URL' })).toHaveValue(
    `http://127.0.0.1:${port}`,
  );
  await expect(page.getByRole('textbox', { name: 'CodeProject.AI URL' })).toHaveValue(
    `http://127.0.0.1:${port}/v1/vision/detection`,
  );
  await expect(page.getByRole('button', { name: 'Copy v2 base url' })).toBeVisible();
  await expect.poll(() => statusOf(), { timeout: 15_000 }).toBe(200);
  expect(await seriousViolations(page)).toEqual([]);

  await form.getByLabel('Token (optional)').fill('s3cret');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('status')).toHaveText('Detection server settings saved');
  await expect(form.getByLabel('Token (optional)')).toHaveValue('[REDACTED]');
  await expect.poll(() => statusOf(), { timeout: 15_000 }).toBe(401);
  expect(await statusOf({ authorization: 'Bearer s3cret' })).toBe(200);
});
