import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Page } from '@playwright/test';
import { Client } from 'basic-ftp';
import type { Settings } from '../../src-shared/settings';
import { freePort } from '../helpers/http';
import { jpeg } from '../helpers/images';
import { fixtureModel } from '../helpers/ingest-app';
import type { FakeLlm } from '../helpers/llm-server';
import { startFakeLlm } from '../helpers/llm-server';
import { DOG_JPG } from '../helpers/shared-assets';
import { tempDir } from '../helpers/temp-app';
import { callApp, openAt } from './app-db';
import { expect, test } from './fixtures';

test.use({ setupDismissed: false });

/** A real photo (or a generated one where the shared photos are absent). */
async function photo(): Promise<Buffer> {
  return fs.existsSync(DOG_JPG) ? fs.readFileSync(DOG_JPG) : await jpeg(320, 240);
}

function stepperButton(page: Page, name: RegExp) {
  return page.getByRole('navigation', { name: 'Setup steps' }).getByRole('button', { name });
}

test('first run: the wizard adds a camera, sees its first snapshot, and finishes on the first event', async ({
  page,
  hsi,
}) => {
  const steps = page.getByRole('navigation', { name: 'Setup steps' });
  const stepButton = (name: RegExp) => steps.getByRole('button', { name });

  // A fresh data dir opens on the wizard.
  await expect(page).toHaveURL(/#\/setup$/);
  await expect(
    page.getByRole('heading', { level: 1, name: 'Set up Home Security Intelligence' }),
  ).toBeVisible();
  await expect(stepButton(/^Cameras/)).toHaveAttribute('aria-current', 'step');

  // Cameras: one with a folder of its own; the exact path is shown to copy.
  const folder = path.join(hsi.dataDir, 'driveway-uploads');
  await page.getByLabel('Camera name').fill('Driveway');
  await page.getByLabel('Folder (optional)').fill(folder);
  await page.getByRole('button', { name: 'Add camera' }).click();
  const folderField = page.getByRole('textbox', { name: 'Upload folder' });
  await expect(folderField).toHaveValue(folder);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy upload folder' }).click();
  await expect(page.getByText(/Upload folder copied|Could not copy/)).toBeVisible();

  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(
    page.getByRole('heading', { level: 2, name: 'Waiting for the first snapshot' }),
  ).toBeFocused();
  await expect(stepButton(/^First snapshot/)).toHaveAttribute('aria-current', 'step');
  const waiting = page.locator('[data-testid^="setup-waiting-"]');
  await expect(waiting).toHaveText(/Driveway: Waiting for the first snapshot…/);

  // A real photo lands in the folder (written aside, then renamed, as a camera's upload would).
  const bytes = await photo();
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, '.upload.tmp'), bytes);
  fs.renameSync(path.join(folder, '.upload.tmp'), path.join(folder, 'MDAlarm_0001.jpg'));
  await expect(waiting).toHaveText(/Driveway: Snapshot received/, { timeout: 20_000 });

  // Detection, risk scoring and notifications are skipped.
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Detection' })).toBeFocused();
  await expect(page.getByTestId('setup-detector-status')).toContainText(/ready/);
  await page.getByRole('button', { name: 'Skip' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Risk scoring' })).toBeFocused();
  await page.getByRole('button', { name: 'Skip' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Notifications' })).toBeFocused();
  await page.getByRole('button', { name: 'Skip' }).click();

  // Finish: a summary, and the first event as soon as it exists.
  await expect(page.getByRole('heading', { level: 2, name: 'All set' })).toBeFocused();
  const summary = page.getByLabel('Setup summary');
  await expect(summary).toContainText('1 camera added: Driveway');
  await expect(summary).toContainText('Snapshot received from Driveway');
  await expect(summary).toContainText('Desktop notifications only');
  const firstEvent = page.getByRole('link', { name: 'Your first event' });
  await expect(firstEvent).toBeVisible({ timeout: 20_000 });
  await expect(firstEvent).toHaveAttribute('href', /^#\/events\/.+/);

  // A closed window resumes where it was; any step can be opened again.
  await openAt(page, hsi, '#/setup');
  await expect(page.getByRole('heading', { level: 2, name: 'All set' })).toBeVisible();
  await stepButton(/^Cameras/).click();
  await expect(stepButton(/^Cameras/)).toHaveAttribute('aria-current', 'step');
  await expect(page.getByRole('heading', { level: 2, name: 'Add your cameras' })).toBeFocused();
  await expect(page.getByRole('textbox', { name: 'Upload folder' })).toHaveValue(folder);
  await stepButton(/^Finish/).click();

  await page.getByRole('button', { name: 'Finish setup' }).click();
  await expect(page).toHaveURL(/#\/dashboard$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();

  // Settings offers it again, from the first step.
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Settings' })
    .click();
  await page.getByRole('link', { name: 'Run setup again' }).click();
  await expect(page).toHaveURL(/#\/setup$/);
  await expect(stepButton(/^Cameras/)).toHaveAttribute('aria-current', 'step');
});

test('first run over FTP: a camera logs in with the shown password and its upload is the first snapshot', async ({
  page,
  hsi,
}) => {
  // Port 2121 may be taken on this machine: the endpoint listens on a free one.
  await callApp(page, hsi, 'system.settings.update', {
    ingest: { ftp: { port: await freePort() } },
  });
  await expect(stepperButton(page, /^Cameras/)).toHaveAttribute('aria-current', 'step');

  await page.getByLabel('Camera name').fill('Porch');
  await page.getByRole('button', { name: 'Add camera' }).click();
  await expect(page.getByRole('list', { name: 'Cameras added' })).toContainText('Porch');

  const ftp = page.getByRole('region', { name: 'Or: upload over FTP' });
  await expect(ftp.getByRole('radio', { name: /This computer only/ })).toBeChecked();
  await ftp.getByRole('button', { name: 'Turn on the FTP endpoint' }).click();
  await expect(ftp.getByTestId('setup-ftp-on')).toContainText('FTP endpoint on: 127.0.0.1:');
  await ftp.getByRole('button', { name: 'Set FTP password for Porch' }).click();

  // The login, each value with its Copy button, read from the page as a person would.
  const value = async (label: string) => {
    await expect(ftp.getByRole('button', { name: `Copy ${label.toLowerCase()}` })).toBeVisible();
    return ftp.getByRole('textbox', { name: label, exact: true }).inputValue();
  };
  const host = await value('Server');
  const port = Number(await value('Port'));
  const user = await value('User');
  const password = await value('Password');
  expect(host).toBe('127.0.0.1');
  expect(user).toBe('porch');
  expect(password).toMatch(/^[A-Za-z0-9]{20}$/);

  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(
    page.getByRole('heading', { level: 2, name: 'Waiting for the first snapshot' }),
  ).toBeFocused();
  const waiting = page.locator('[data-testid^="setup-waiting-"]');
  await expect(waiting).toHaveText(/Porch: Waiting for the first snapshot…/);

  // The camera's upload: a real FTP client with the login shown.
  const client = new Client(10_000);
  try {
    await client.access({ host, port, user, password });
    await client.uploadFrom(Readable.from(await photo()), 'MDAlarm_0001.jpg');
  } finally {
    client.close();
  }
  await expect(waiting).toHaveText(/Porch: Snapshot received/, { timeout: 20_000 });
  await expect(waiting).toHaveClass(/status-line-good/);

  await page.getByRole('button', { name: 'Continue' }).click();
  for (const title of ['Detection', 'Risk scoring', 'Notifications']) {
    await expect(page.getByRole('heading', { level: 2, name: title })).toBeFocused();
    await page.getByRole('button', { name: 'Skip' }).click();
  }
  await expect(page.getByRole('heading', { level: 2, name: 'All set' })).toBeFocused();
  const summary = page.getByLabel('Setup summary');
  await expect(summary).toContainText('1 camera added: Porch');
  await expect(summary).toContainText('Snapshot received from Porch');
});

interface ModelServer {
  /** The models folder `hsi serve` reads models.json from. */
  dir: string;
  /** A model file elsewhere on this computer (the same tiny YOLOX model). */
  ownModel: string;
  /** The server sends half of the downloadable model, then the rest once this is called. */
  release: () => void;
}

const downloadTest = test.extend<{ modelServer: ModelServer }>({
  /**
   * A loopback HTTP server with a real (tiny YOLOX) model, and a manifest listing it with its
   * sha256 and size, plus a model whose address is a closed port (as when offline).
   */
  modelServer: async ({}, use) => {
    const root = tempDir('hsi-e2e-models-');
    const dir = path.join(root, 'models');
    const ownModel = fixtureModel(path.join(root, 'elsewhere'));
    const model = fs.readFileSync(ownModel);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const server = http.createServer((req, res) => {
      if (req.url !== '/e2e_yolox.onnx') {
        res.writeHead(404).end();
        return;
      }
      // The whole file each time (a Range request is answered with all of it, as some do).
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(model.length),
      });
      const half = Math.floor(model.length / 2);
      res.write(model.subarray(0, half));
      void released.then(() => res.end(model.subarray(half)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const closed = await freePort();
    fs.mkdirSync(dir);
    const entry = {
      family: 'yolox',
      classes: 'coco80',
      sha256: createHash('sha256').update(model).digest('hex'),
      bytes: model.length,
      licence: 'Apache-2.0',
    };
    fs.writeFileSync(
      path.join(dir, 'models.json'),
      JSON.stringify({
        models: [
          {
            ...entry,
            name: 'e2e_yolox',
            file: 'e2e_yolox.onnx',
            url: `${url}/e2e_yolox.onnx`,
            default: true,
          },
          {
            ...entry,
            name: 'offline_yolox',
            file: 'offline_yolox.onnx',
            url: `http://127.0.0.1:${closed}/offline_yolox.onnx`,
          },
        ],
      }),
    );
    await use({ dir, ownModel, release });
    release();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(root, { recursive: true, force: true });
  },
  serveArgs: async ({ modelServer }, use) => use(['--models-dir', modelServer.dir]),
});

downloadTest(
  'detection: a model downloads with progress and is used; offline, a model file is chosen instead',
  async ({ page, modelServer }) => {
    await stepperButton(page, /^Detection/).click();
    await expect(page.getByRole('heading', { level: 2, name: 'Detection' })).toBeFocused();
    const status = page.getByTestId('setup-detector-status');
    await expect(status).toContainText(/Detector ready: .* runs on CPU/);

    // The manifest's default is preselected; it is not here yet, so it can be downloaded.
    const downloadable = page.getByRole('radio', { name: /^e2e_yolox / });
    await expect(downloadable).toHaveAccessibleName(
      /^e2e_yolox .*— not installed, can be downloaded · default$/,
    );
    await expect(downloadable).toBeChecked();
    await page.getByRole('button', { name: 'Download e2e_yolox' }).click();

    // Half of it has arrived: the progress bar stands part-way.
    const progress = page.getByRole('progressbar', { name: 'e2e_yolox download progress' });
    await expect(progress).toBeVisible();
    await expect
      .poll(() => progress.evaluate((el) => (el as HTMLProgressElement).value))
      .toBeGreaterThan(0);
    expect(await progress.evaluate((el) => (el as HTMLProgressElement).value)).toBeLessThan(100);
    const download = page.getByTestId('setup-model-download');
    await expect(download).toContainText('Downloading e2e_yolox…');
    await expect(page.getByRole('button', { name: 'Download e2e_yolox' })).toBeDisabled();

    modelServer.release();
    await expect(download).toContainText('Downloaded e2e_yolox');
    await expect(progress).toHaveJSProperty('value', 100);
    await expect(downloadable).toHaveAccessibleName(/^e2e_yolox .*— installed · default$/);
    await page.getByRole('button', { name: 'Use e2e_yolox' }).click();
    await expect(page.getByRole('heading', { level: 2, name: 'Risk scoring' })).toBeFocused();

    // Back on the step: the detector runs the downloaded model.
    await stepperButton(page, /^Detection/).click();
    await expect(status).toContainText('Detector ready: e2e_yolox (yolox) runs on CPU', {
      timeout: 20_000,
    });
    await expect(page.getByRole('radio', { name: /^e2e_yolox .*— in use/ })).toBeChecked();

    // Offline: the download fails with what to do, and the model file section opens.
    await page.getByRole('radio', { name: /^offline_yolox / }).check();
    await page.getByRole('button', { name: 'Download offline_yolox' }).click();
    await expect(page.getByRole('alert')).toContainText(
      /Could not download offline_yolox .*Check the internet connection.*choose a model file you already have/,
    );
    const fileForm = page.getByRole('form', { name: 'Use a model file' });
    await expect(fileForm).toBeVisible();

    const modelFile = fileForm.getByRole('textbox', { name: 'Model file (.onnx)' });
    await modelFile.fill('');
    await fileForm.getByRole('button', { name: 'Use this file' }).click();
    await expect(modelFile).toHaveAccessibleDescription(/Enter the full path of the model file/);
    await modelFile.fill('/models/detector.bin');
    await fileForm.getByRole('button', { name: 'Use this file' }).click();
    await expect(modelFile).toHaveAccessibleDescription(/Choose an \.onnx file/);

    const file = modelServer.ownModel;
    await modelFile.fill(file);
    await fileForm.getByRole('combobox', { name: 'Model family' }).selectOption('YOLOX');
    await fileForm.getByRole('button', { name: 'Use this file' }).click();
    await expect(status).toContainText(`File: ${file}`, { timeout: 20_000 });
    await expect(status).toContainText('Detector ready: fixture-yolox.onnx (yolox) runs on CPU');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByRole('heading', { level: 2, name: 'Risk scoring' })).toBeFocused();

    // Settings shows the same choice, the family beside the model file.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Settings' })
      .click();
    await expect(page.getByLabel('Model file (optional)')).toHaveValue(file);
    await expect(page.getByRole('combobox', { name: 'Model family' })).toHaveValue('yolox');
  },
);

const llmTest = test.extend<{ llm: FakeLlm }>({
  /** An OpenAI-compatible server on loopback, where "Find local servers" looks for Ollama. */
  llm: async ({}, use) => {
    const llm = await startFakeLlm('good');
    llm.script = () => ({ content: 'OK' });
    await use(llm);
    await llm.close();
  },
  serveArgs: async ({ llm }, use) => use(['--llm-port', `Ollama=${new URL(llm.url).port}`]),
});

llmTest(
  'risk scoring: a local server is found, its model answers a test, and it is used',
  async ({ page, hsi, llm }) => {
    await stepperButton(page, /^Risk scoring/).click();
    await expect(page.getByRole('heading', { level: 2, name: 'Risk scoring' })).toBeFocused();

    await page.getByRole('button', { name: 'Find local servers' }).click();
    await expect(page.getByText('Found 1 server.')).toBeVisible();
    await expect(
      page.getByRole('radio', { name: `Ollama at ${llm.url} (2 models)` }),
    ).toBeChecked();
    await expect(page.getByLabel('Server address')).toHaveValue(llm.url);
    const model = page.getByRole('combobox', { name: 'Model' });
    await expect(model.getByRole('option')).toHaveText(['nemotron-mini', 'qwen2.5-vl']);
    await model.selectOption('qwen2.5-vl');

    await page.getByRole('button', { name: 'Test qwen2.5-vl' }).click();
    await expect(page.getByTestId('setup-llm-test')).toHaveText(
      /^qwen2\.5-vl answered "OK" in \d+ ms$/,
    );
    expect(llm.requests.at(-1)?.body.model).toBe('qwen2.5-vl');

    await page.getByRole('button', { name: 'Use qwen2.5-vl' }).click();
    await expect(page.getByRole('heading', { level: 2, name: 'Notifications' })).toBeFocused();
    const settings = await callApp<Settings>(page, hsi, 'system.settings.get', {});
    expect(settings.llm).toMatchObject({ enabled: true, baseUrl: llm.url, model: 'qwen2.5-vl' });
  },
);
