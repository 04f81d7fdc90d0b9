/**
 * Pure security policy for the Electron window, kept free of runtime Electron imports so
 * unit tests can assert it without the Electron binary.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import { rendererCsp } from '../common/csp';

export const APP_SCHEME = 'app';
export const APP_HOST = 'hsi';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const RENDERER_URL = `${APP_ORIGIN}/index.html`;

export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 600,
    show: false,
    backgroundColor: '#0d1117',
    title: 'Home Security Intelligence',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

/** Only the app's own pages; everything else (http, file, other schemes) is refused. */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/** Navigation away from the app is denied; in-app hash changes are fine. */
export function allowNavigation(url: string): boolean {
  return isAppUrl(url);
}

/** New windows are always denied (links to the outside are opened by the OS, if at all). */
export function windowOpenDecision(): { action: 'deny' } {
  return { action: 'deny' };
}

/** Every permission request (camera, mic, geolocation, notifications…) is denied. */
export function permissionDecision(_permission: string): boolean {
  return false;
}

/** An IPC call is honoured only from the app's own top-level frame. */
export function isTrustedSender(frameUrl: string | undefined, isMainFrame: boolean): boolean {
  return isMainFrame && frameUrl !== undefined && isAppUrl(frameUrl);
}

export const ELECTRON_CSP = rendererCsp();

/** Maps an app:// URL to a file below the renderer folder, refusing traversal. */
export function resolveAppFile(url: string, rendererDir: string, sep = '/'): string | undefined {
  if (!isAppUrl(url)) return undefined;
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url).pathname);
  } catch {
    return undefined;
  }
  if (pathname.includes('\0')) return undefined;
  const parts: string[] = [];
  for (const part of pathname.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' || part.includes('\\')) return undefined;
    parts.push(part);
  }
  if (parts.length === 0) parts.push('index.html');
  return [rendererDir.replace(/[\\/]+$/, ''), ...parts].join(sep);
}
