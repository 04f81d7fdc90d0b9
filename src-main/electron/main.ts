// Electron main process: the thin edge around the same app the headless server runs.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  BrowserWindow,
  Notification,
  app,
  dialog,
  ipcMain,
  net,
  protocol,
  safeStorage,
  session,
  shell,
} from 'electron';
import { randomUUID } from 'node:crypto';
import type { App } from '../app/compose';
import { createApp } from '../app/compose';
import { HTTP_STATUS } from '../../src-shared/errors';
import { respondToError } from '../bridge/errors';
import { mediaRequest } from '../media';
import type { SecretStore } from '../notify';
import { keyFileSecretStore } from '../notify';
import { createLogger } from '../system';
import { forwardPushes, registerIpc } from './ipc';
import { bundledModelsDir } from './paths';
import {
  APP_SCHEME,
  ELECTRON_CSP,
  RENDERER_URL,
  allowNavigation,
  permissionDecision,
  resolveAppFile,
  windowOpenDecision,
  windowOptions,
} from './window';

// Only for failures before the app (and its database-backed logger) exists.
const bootLogger = createLogger();
const rendererDir = path.join(app.getAppPath(), 'dist', 'renderer');
const preloadPath = path.join(import.meta.dirname, 'preload.cjs');
let hsi: App | undefined;
let mainWindow: BrowserWindow | undefined;

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(windowOpenDecision);
    contents.on('will-navigate', (event, url) => {
      if (!allowNavigation(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!allowNavigation(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => {
    void hsi?.close();
  });

  app
    .whenReady()
    .then(start)
    .catch((err: unknown) => {
      bootLogger.fatal({ err }, 'failed to start');
      app.exit(1);
    });
}

async function start(): Promise<void> {
  const dataDir = process.env.HSI_DATA_DIR ?? app.getPath('userData');
  hsi = await createApp({
    dataDir,
    debug: process.argv.includes('--debug'),
    modelsDir: bundledModelsDir(app.isPackaged, process.resourcesPath),
    secretStore: safeStorageSecrets(keyFileSecretStore(dataDir)),
    desktop: {
      async saveAs(_file, suggestedName) {
        const window = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
        const options = { defaultPath: path.join(app.getPath('downloads'), suggestedName) };
        const result = window
          ? await dialog.showSaveDialog(window, options)
          : await dialog.showSaveDialog(options);
        return result.canceled || !result.filePath ? null : result.filePath;
      },
      reveal(file) {
        shell.showItemInFolder(file);
      },
    },
  });

  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    try {
      const media = await mediaRequest(hsi!.media, url);
      if (media) {
        return new Response(new Uint8Array(media.body), {
          headers: { 'content-type': media.contentType, 'x-content-type-options': 'nosniff' },
        });
      }
    } catch (err) {
      const error = respondToError(err, hsi!.logger, {
        correlationId: randomUUID(),
        route: url.pathname,
      });
      return new Response(error.message, { status: HTTP_STATUS[error.code] });
    }
    let file = resolveAppFile(request.url, rendererDir, path.sep);
    if (!file) return new Response('Not found', { status: 404 });
    if (!fs.existsSync(file) && !path.extname(file)) file = path.join(rendererDir, 'index.html');
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    headers.set('content-security-policy', ELECTRON_CSP);
    headers.set('x-content-type-options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });

  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback) =>
    callback(permissionDecision(permission)),
  );
  ses.setPermissionCheckHandler((_contents, permission) => permissionDecision(permission));

  registerIpc(ipcMain, hsi.router);
  // Desktop-channel deliveries become system notifications; clicking one opens the event.
  hsi.bus.on('desktop.notified', ({ title, body, eventId }) => {
    if (!Notification.isSupported()) return;
    const note = new Notification({ title, body });
    note.on('click', () => {
      if (!mainWindow) return;
      mainWindow.show();
      if (eventId)
        void mainWindow.loadURL(`${RENDERER_URL}#/events/${encodeURIComponent(eventId)}`);
    });
    note.show();
  });
  createWindow(hsi);
}

/**
 * Secrets sealed by the OS keychain (safeStorage) when it is available; values sealed by
 * the key file (headless mode on the same data folder) still open.
 */
function safeStorageSecrets(fallback: SecretStore): SecretStore {
  if (!safeStorage.isEncryptionAvailable()) return fallback;
  return {
    encrypt: (plain) => `ss:${safeStorage.encryptString(plain).toString('base64')}`,
    decrypt: (sealed) =>
      sealed.startsWith('ss:')
        ? safeStorage.decryptString(Buffer.from(sealed.slice(3), 'base64'))
        : fallback.decrypt(sealed),
  };
}

function createWindow(current: App): void {
  const win = new BrowserWindow(windowOptions(preloadPath));
  mainWindow = win;
  forwardPushes(current.push, win.webContents, current.connections);
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => (mainWindow = undefined));
  void win.loadURL(RENDERER_URL);
}
