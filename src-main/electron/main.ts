// Electron main process: the thin edge around the same app the headless server runs.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  BrowserWindow,
  Menu,
  Notification,
  Tray,
  app,
  dialog,
  ipcMain,
  nativeImage,
  net,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
} from 'electron';
import type { Rectangle } from 'electron';
import { randomUUID } from 'node:crypto';
import type { App } from '../app/compose';
import { createApp } from '../app/compose';
import type { ChannelInput, ChannelName, ChannelOutput, PushType } from '../../src-shared/contract';
import { HTTP_STATUS } from '../../src-shared/errors';
import { SHORTCUT_EVENT } from '../../src-shared/shortcuts';
import { respondToError } from '../bridge/errors';
import { mediaRequest } from '../media';
import type { SecretStore } from '../notify';
import { keyFileSecretStore } from '../notify';
import { DatabaseUnreadableError, restoreLatestBackup } from '../db/backups';
import { createLogger } from '../system';
import { forwardPushes, registerIpc } from './ipc';
import type { SavedWindowState, TrayInput, TrayStatus } from './menus';
import {
  TRAY_ALERT_LIMIT,
  appMenuTemplate,
  attachClicks,
  menuAction,
  parseWindowState,
  trayState,
  closeAction,
  STILL_RUNNING_NOTICE,
  windowStateFor,
} from './menus';
import { bundledModelsDir, trayIconFile } from './paths';
import { RESTORE, unreadableDatabaseDialog } from './recovery';
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
// Held here so the tray is not garbage-collected.
let tray: Tray | undefined;
let scheduleTrayRefresh: () => void = () => undefined;
/** Set once the app is quitting: closing the window then closes it instead of hiding it. */
let quitting = false;
let toldStillRunning = false;

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // A second launch, or a click on the macOS dock icon, brings the (maybe hidden) window back.
  app.on('second-instance', () => {
    if (hsi) showWindow(hsi);
  });
  app.on('activate', () => {
    if (hsi) showWindow(hsi);
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
    quitting = true;
    tray?.destroy();
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
  try {
    hsi = await openApp(dataDir);
  } catch (err) {
    if (!(err instanceof DatabaseUnreadableError)) throw err;
    // A damaged database: offer the latest backup instead of crashing.
    const choice = await dialog.showMessageBox(
      unreadableDatabaseDialog(err.databaseFile, err.reason, err.backups),
    );
    if (err.backups.length === 0 || choice.response !== RESTORE) {
      app.exit(1);
      return;
    }
    await restoreLatestBackup(err.databaseFile);
    hsi = await openApp(dataDir);
  }
  wire(hsi);
}

function openApp(dataDir: string): Promise<App> {
  return createApp({
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
}

/** Serves the renderer and media, sets permissions, IPC, notifications, menus, the window. */
function wire(current: App): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    try {
      const media = await mediaRequest(current.media, url);
      if (media) {
        return new Response(new Uint8Array(media.body), {
          headers: { 'content-type': media.contentType, 'x-content-type-options': 'nosniff' },
        });
      }
    } catch (err) {
      const error = respondToError(err, current.logger, {
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

  registerIpc(ipcMain, current.router);
  // Desktop-channel deliveries become system notifications; clicking one opens the event.
  current.bus.on('desktop.notified', ({ title, body, eventId }) => {
    if (!Notification.isSupported()) return;
    const note = new Notification({ title, body });
    note.on('click', () =>
      showWindow(current, eventId ? `#/events/${encodeURIComponent(eventId)}` : undefined),
    );
    note.show();
  });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(attachClicks(appMenuTemplate(process.platform), onMenu)),
  );
  startTray(current);
  createWindow(current);
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

function createWindow(current: App, hash = ''): BrowserWindow {
  const placement = windowStateFor(readWindowState(), displayWorkAreas());
  const win = new BrowserWindow({ ...windowOptions(preloadPath), ...placement.bounds });
  mainWindow = win;
  forwardPushes(current.push, win.webContents, current.connections);
  rememberWindowState(win);
  win.once('ready-to-show', () => {
    if (placement.maximized) win.maximize();
    win.show();
  });
  win.on('close', (event) => {
    const trayShown = tray !== undefined && !tray.isDestroyed();
    if (closeAction({ quitting, trayShown }) !== 'hide') return;
    event.preventDefault();
    win.hide();
    if (!toldStillRunning && Notification.isSupported()) {
      toldStillRunning = true;
      new Notification(STILL_RUNNING_NOTICE).show();
    }
  });
  win.on('closed', () => (mainWindow = undefined));
  loadRenderer(win, hash);
  return win;
}

function loadRenderer(win: BrowserWindow, hash: string): void {
  win.loadURL(`${RENDERER_URL}${hash}`).catch((err: unknown) => {
    hsi?.logger.warn({ err, hash }, 'window load did not finish');
  });
}

/** The window, created if it was closed, restored and in front. */
function showWindow(current: App, hash?: string): void {
  if (!mainWindow) {
    createWindow(current, hash);
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
  // The page is already there: move it to the route (a reload would drop unsaved edits).
  if (hash !== undefined) void runInPage(`location.hash = ${JSON.stringify(hash)}`);
}

/** Runs a line of script in the window's page once it has loaded (a new window loads first). */
async function runInPage(script: string): Promise<void> {
  const contents = mainWindow?.webContents;
  if (!contents) return;
  try {
    if (contents.isLoading()) {
      await new Promise<void>((resolve) => contents.once('did-finish-load', () => resolve()));
    }
    await contents.executeJavaScript(script);
  } catch (err) {
    hsi?.logger.warn({ err }, 'the page did not take a menu action');
  }
}

/** What a menu or tray item does (the ids and their actions: menus.ts). */
function onMenu(id: string, checked: boolean): void {
  const action = menuAction(id);
  if (!action || !hsi) return;
  switch (action.kind) {
    case 'open':
      showWindow(hsi);
      break;
    case 'navigate':
      showWindow(hsi, action.hash);
      break;
    case 'reload':
      mainWindow?.webContents.reload();
      break;
    case 'page':
      void pageShortcut(action.id);
      break;
    case 'openAtLogin':
      app.setLoginItemSettings({ openAtLogin: checked });
      scheduleTrayRefresh();
      break;
    case 'quit':
      app.quit();
      break;
    case 'pause':
    case 'resume':
      void hsi.router
        .invoke(`ingest.${action.kind}`, {}, { transport: 'internal' })
        .finally(scheduleTrayRefresh);
      break;
  }
}

/** A shortcut the page carries out (Search, Keyboard Shortcuts): sent to it as a window event. */
async function pageShortcut(id: string): Promise<void> {
  if (!hsi) return;
  showWindow(hsi);
  const event = `new CustomEvent(${JSON.stringify(SHORTCUT_EVENT)}, { detail: ${JSON.stringify(id)} })`;
  await runInPage(`window.dispatchEvent(${event})`);
}

// ---------------------------------------------------------------------------------------------
// Tray

/** Pushes after which the tray's status may have changed. */
const TRAY_PUSHES = new Set<PushType>([
  'ingest.status',
  'detector.status',
  'alert.created',
  'alert.updated',
]);

async function call<C extends ChannelName>(
  current: App,
  channel: C,
  input: ChannelInput<C>,
): Promise<ChannelOutput<C> | undefined> {
  const result = await current.router.invoke(channel, input, { transport: 'internal' });
  return result.ok ? (result.data as ChannelOutput<C>) : undefined;
}

async function trayInput(current: App): Promise<TrayInput> {
  const [ingest, detector, alerts] = await Promise.all([
    call(current, 'ingest.status', {}),
    call(current, 'detector.status', {}),
    call(current, 'alerts.list', { status: 'active', limit: TRAY_ALERT_LIMIT }),
  ]);
  return {
    paused: ingest?.paused ?? false,
    detector: detector?.status ?? 'unavailable',
    // One more than the page when there are more: the tray shows "100+".
    activeAlerts: alerts ? alerts.items.length + (alerts.nextCursor ? 1 : 0) : 0,
    openAtLogin: app.getLoginItemSettings().openAtLogin,
  };
}

function trayImage(status: TrayStatus): Electron.NativeImage {
  return nativeImage.createFromPath(
    trayIconFile(status, {
      isPackaged: app.isPackaged,
      resourcesPath: process.resourcesPath,
      appPath: app.getAppPath(),
    }),
  );
}

function startTray(current: App): void {
  const icon = new Tray(trayImage('running'));
  tray = icon;
  // Windows and Linux open the window on a click; macOS shows the menu.
  icon.on('click', () => showWindow(current));
  let shown = '';
  let timer: NodeJS.Timeout | undefined;
  const refresh = async () => {
    const state = trayState(await trayInput(current), {
      // Electron supports login items on macOS and Windows only.
      loginItem: process.platform !== 'linux',
    });
    const key = JSON.stringify(state);
    if (key === shown || icon.isDestroyed()) return;
    shown = key;
    icon.setImage(trayImage(state.status));
    icon.setToolTip(state.tooltip);
    icon.setContextMenu(Menu.buildFromTemplate(attachClicks(state.menu, onMenu)));
  };
  // At most one refresh each half second, however often the pushes come.
  scheduleTrayRefresh = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      refresh().catch((err: unknown) => current.logger.warn({ err }, 'tray refresh failed'));
    }, 500);
  };
  current.push.subscribe((message) => {
    if (TRAY_PUSHES.has(message.type)) scheduleTrayRefresh();
  });
  scheduleTrayRefresh();
}

// ---------------------------------------------------------------------------------------------
// Window placement, remembered in window-state.json

function windowStateFile(): string {
  return path.join(app.getPath('userData'), 'window-state.json');
}

function readWindowState(): SavedWindowState | undefined {
  try {
    return parseWindowState(JSON.parse(fs.readFileSync(windowStateFile(), 'utf8')));
  } catch {
    return undefined;
  }
}

/** The work areas of the connected displays, the primary first. */
function displayWorkAreas(): Rectangle[] {
  const primary = screen.getPrimaryDisplay();
  const others = screen.getAllDisplays().filter((d) => d.id !== primary.id);
  return [primary, ...others].map((d) => d.workArea);
}

function rememberWindowState(win: BrowserWindow): void {
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    clearTimeout(timer);
    timer = undefined;
    if (win.isDestroyed()) return;
    const state: SavedWindowState = { ...win.getNormalBounds(), maximized: win.isMaximized() };
    try {
      fs.writeFileSync(windowStateFile(), JSON.stringify(state));
    } catch (err) {
      hsi?.logger.warn({ err }, 'could not save the window placement');
    }
  };
  const saveSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(save, 500);
  };
  win.on('move', saveSoon);
  win.on('resize', saveSoon);
  win.on('maximize', saveSoon);
  win.on('unmaximize', saveSoon);
  win.on('close', save);
}
