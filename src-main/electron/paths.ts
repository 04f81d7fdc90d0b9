import path from 'node:path';
import type { TrayStatus } from './menus';

/**
 * Where the packaged app keeps its bundled detector model and manifest: electron-builder
 * copies `models/` to `<resources>/models` (extraResources, outside the asar archive, since
 * onnxruntime opens the model by path). In development the app finds `models/` beside
 * package.json itself.
 */
export function bundledModelsDir(isPackaged: boolean, resourcesPath: string): string | undefined {
  return isPackaged ? path.join(resourcesPath, 'models') : undefined;
}

/** The tray icon's file stem for each tray status (build/tray/tray-<stem>.png, and @2x). */
const TRAY_ICON_STEMS = {
  running: 'running',
  paused: 'paused',
  'detector unavailable': 'unavailable',
  'alerts waiting': 'alerts',
} as const satisfies Record<TrayStatus, string>;

/**
 * The tray icon for a status: `<resources>/tray` in the packaged app (electron-builder's
 * extraResources copies build/tray there), `build/tray` beside package.json in development.
 * Electron picks the `@2x` file beside it on high-density screens.
 */
export function trayIconFile(
  status: TrayStatus,
  where: { isPackaged: boolean; resourcesPath: string; appPath: string },
): string {
  const dir = where.isPackaged
    ? path.join(where.resourcesPath, 'tray')
    : path.join(where.appPath, 'build', 'tray');
  return path.join(dir, `tray-${TRAY_ICON_STEMS[status]}.png`);
}
