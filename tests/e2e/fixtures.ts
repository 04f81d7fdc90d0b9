/**
 * Launcher fixture: the Electron app when an Electron binary is present (ELECTRON_PATH or
 * node_modules/electron/dist), otherwise Debian Chromium against `hsi serve` on a temp data
 * dir. Either way a test gets a `page` showing the app and the `dataDir` behind it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, ElectronApplication, Page } from '@playwright/test';
import { _electron, chromium, test as base } from '@playwright/test';
import { findElectronBinary } from '../../scripts/electron-binary';
import type { ServeProcess } from '../helpers/serve-process';
import { startServe } from '../helpers/serve-process';
import { tempDir } from '../helpers/temp-app';
import { fixtureModel } from '../helpers/ingest-app';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** Quick intake for tests: a short stability wait, small files accepted. */
const E2E_SETTINGS = { ingest: { stabilitySeconds: 0.3, minBytes: 1000 } };

let modelPath: string | undefined;
/** The tiny fixture detector (a person and a car on every image), written once per run. */
function fixtureModelPath(): string {
  modelPath ??= fixtureModel();
  return modelPath;
}

export interface HsiLaunch {
  mode: 'electron' | 'browser';
  dataDir: string;
  /** Browser mode: the tokenised URL `hsi serve` printed (open it again to come back). */
  entryUrl?: string;
}

/** Where the renderer keeps "setup finished or left" (`src-renderer/setup-state.ts`). */
const SETUP_DISMISSED_KEY = 'hsi.setup.dismissed';

export const test = base.extend<
  { hsi: HsiLaunch; page: Page; setupDismissed: boolean; serveArgs: string[] },
  { browserInstance?: Browser }
>({
  /**
   * A fresh data dir would open on the first-run wizard; specs start on their own pages unless
   * they ask for it (`test.use({ setupDismissed: false })`). Browser mode only.
   */
  setupDismissed: [true, { option: true }],

  /** More `hsi serve` flags (`--models-dir`, `--llm-port`); browser mode only. */
  serveArgs: [[], { option: true }],

  browserInstance: [
    async ({}, use) => {
      if (findElectronBinary()) {
        await use(undefined);
        return;
      }
      if (!fs.existsSync(CHROMIUM)) {
        throw new Error(
          `No Electron binary and no Chromium at ${CHROMIUM}: apt-get install -y chromium`,
        );
      }
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      await use(browser);
      await browser.close();
    },
    { scope: 'worker' },
  ],

  hsi: async ({ serveArgs }, use) => {
    const dataDir = tempDir('hsi-e2e-');
    if (findElectronBinary()) {
      await use({ mode: 'electron', dataDir });
    } else {
      const settingsFile = path.join(dataDir, 'e2e-settings.json');
      fs.writeFileSync(
        settingsFile,
        JSON.stringify({ ...E2E_SETTINGS, detector: { modelPath: fixtureModelPath() } }),
      );
      const serve: ServeProcess = await startServe(
        ['--data-dir', dataDir, '--port', '0', '--settings', settingsFile, ...serveArgs],
        { HSI_MODEL_PATH: fixtureModelPath() },
      );
      await use({ mode: 'browser', dataDir, entryUrl: `${serve.url}/?token=${serve.token}` });
      const code = await serve.stop();
      if (code !== 0) throw new Error(`hsi serve exited with ${code}: ${serve.stderr()}`);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  },

  page: async ({ hsi, browserInstance, setupDismissed }, use) => {
    const electronPath = findElectronBinary();
    if (electronPath) {
      const built = spawnSync('npm', ['run', '--silent', 'build:main'], { cwd: ROOT });
      if (built.status !== 0) throw new Error(`build:main failed: ${String(built.stderr)}`);
      const app: ElectronApplication = await _electron.launch({
        executablePath: electronPath,
        args: [ROOT],
        env: {
          ...process.env,
          HSI_DATA_DIR: hsi.dataDir,
          HSI_LOG_LEVEL: 'warn',
          HSI_MODEL_PATH: fixtureModelPath(),
        },
      });
      const page = await app.firstWindow();
      await use(page);
      await app.close();
      return;
    }
    const context = await browserInstance!.newContext();
    if (setupDismissed) {
      await context.addInitScript((key) => localStorage.setItem(key, '1'), SETUP_DISMISSED_KEY);
    }
    const page = await context.newPage();
    await page.goto(hsi.entryUrl!);
    await use(page);
    await context.close();
  },
});

export { expect } from '@playwright/test';
