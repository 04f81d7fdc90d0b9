/**
 * The tray, the application menu and the remembered window placement as pure data, kept free
 * of runtime Electron imports (like window.ts) so unit tests can assert them without the
 * Electron binary. main.ts builds the real menus from these templates and attaches the clicks.
 */
import type { MenuItemConstructorOptions, Rectangle } from 'electron';
import { windowOptions } from './window';
import { displayAccelerator as displayKeys, shortcutById } from '../../src-shared/shortcuts';

export const PRODUCT_NAME = 'Home Security Intelligence';

// ---------------------------------------------------------------------------------------------
// Tray

export type TrayStatus = 'running' | 'paused' | 'detector unavailable' | 'alerts waiting';

export interface TrayInput {
  /** `ingest.status` → paused. */
  paused: boolean;
  /** `detector.status` → status. */
  detector: 'ready' | 'loading' | 'unavailable';
  /** Active alerts (`alerts.list { status: 'active' }`). */
  activeAlerts: number;
  /** `app.getLoginItemSettings().openAtLogin`. */
  openAtLogin: boolean;
}

export interface TrayOptions {
  /** Show Pause intake / Resume intake (only where the app has a channel for it). */
  intakeControl?: boolean;
  /** Show Start at login (Electron supports login items on macOS and Windows only). */
  loginItem?: boolean;
}

export interface TrayState {
  status: TrayStatus;
  tooltip: string;
  menu: MenuItemConstructorOptions[];
}

export const TRAY_IDS = {
  open: 'tray.open',
  pause: 'tray.pause',
  resume: 'tray.resume',
  status: 'tray.status',
  openAtLogin: 'tray.openAtLogin',
  quit: 'tray.quit',
} as const;

/** Alerts are counted from one page of this size; one more than it reads as "100+". */
export const TRAY_ALERT_LIMIT = 100;

/** The most important state wins: detector unavailable > alerts waiting > paused > running. */
export function trayStatus(input: TrayInput): TrayStatus {
  if (input.detector === 'unavailable') return 'detector unavailable';
  if (input.activeAlerts > 0) return 'alerts waiting';
  if (input.paused) return 'paused';
  return 'running';
}

function alertCount(n: number): string {
  const shown = n > TRAY_ALERT_LIMIT ? `${TRAY_ALERT_LIMIT}+` : String(n);
  return `${shown} ${n === 1 ? 'alert' : 'alerts'} waiting`;
}

function statusText(status: TrayStatus, input: TrayInput): string {
  switch (status) {
    case 'detector unavailable':
      return 'detector unavailable';
    case 'alerts waiting':
      return alertCount(input.activeAlerts);
    case 'paused':
      return 'intake paused';
    case 'running':
      return input.detector === 'loading' ? 'running, detector loading' : 'running';
  }
}

export function trayState(input: TrayInput, options: TrayOptions = {}): TrayState {
  const { intakeControl = true, loginItem = true } = options;
  const status = trayStatus(input);
  const text = statusText(status, input);
  const menu: MenuItemConstructorOptions[] = [{ id: TRAY_IDS.open, label: `Open ${PRODUCT_NAME}` }];
  if (intakeControl) {
    menu.push(
      input.paused
        ? { id: TRAY_IDS.resume, label: 'Resume intake' }
        : { id: TRAY_IDS.pause, label: 'Pause intake' },
    );
  }
  menu.push(
    { type: 'separator' },
    { id: TRAY_IDS.status, label: `Status: ${text}`, enabled: false },
    { type: 'separator' },
  );
  if (loginItem) {
    menu.push({
      id: TRAY_IDS.openAtLogin,
      label: 'Start at login',
      type: 'checkbox',
      checked: input.openAtLogin,
    });
  }
  menu.push({ id: TRAY_IDS.quit, label: 'Quit' });
  return { status, tooltip: `${PRODUCT_NAME} — ${text}`, menu };
}

/**
 * What closing the window does: hide it while the tray icon keeps the app within reach (the
 * cameras are still watched and alerts still raised), or close it when the app is quitting or
 * there is no tray to come back from.
 */
export function closeAction(o: { quitting: boolean; trayShown: boolean }): 'hide' | 'close' {
  return !o.quitting && o.trayShown ? 'hide' : 'close';
}

/** Said once, the first time the window hides to the tray. */
export const STILL_RUNNING_NOTICE = {
  title: `${PRODUCT_NAME} is still running`,
  body: 'It keeps watching your cameras. Open it from the tray icon; choose Quit there to stop it.',
} as const;

// ---------------------------------------------------------------------------------------------
// Application menu

/** Go menu ids → the renderer's hash routes (src-renderer/routes.ts ROUTES). */
const GO_ROUTES = {
  'go.events': 'events',
  'go.alerts': 'alerts',
  'go.cameras': 'cameras',
  'go.analytics': 'analytics',
  'go.operations': 'operations',
  'go.settings': 'settings',
} as const;

export type GoMenuId = keyof typeof GO_ROUTES;

export const MENU_IDS = {
  search: 'view.search',
  refresh: 'view.refresh',
  shortcuts: 'help.shortcuts',
  /** The same action under its second accelerator (a menu item holds one). */
  shortcutsAlt: 'help.shortcuts.alt',
} as const;

/** `go.cameras` → `#/cameras`; undefined for anything that is not a Go item. */
export function routeForMenuId(id: string): string | undefined {
  return Object.hasOwn(GO_ROUTES, id) ? `#/${GO_ROUTES[id as GoMenuId]}` : undefined;
}

export function goMenuIds(): GoMenuId[] {
  return Object.keys(GO_ROUTES) as GoMenuId[];
}

/** The shared shortcut table's accelerator for a menu id (src-shared/shortcuts.ts). */
function accel(id: string): { accelerator?: string } {
  const accelerator = shortcutById(id)?.accelerator;
  return accelerator ? { accelerator } : {};
}

function go(id: GoMenuId, label: string): MenuItemConstructorOptions {
  return { id, label, ...accel(id) };
}

export function appMenuTemplate(platform: NodeJS.Platform): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const menus: MenuItemConstructorOptions[] = [];
  if (mac) {
    menus.push({
      label: PRODUCT_NAME,
      submenu: [
        { role: 'about' },
        { type: 'separator' },
        { role: 'services' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    });
  }
  menus.push(
    { label: 'File', submenu: [mac ? { role: 'close' } : { role: 'quit' }] },
    {
      label: 'Go',
      submenu: [
        go('go.events', 'Events'),
        go('go.alerts', 'Alerts'),
        go('go.cameras', 'Cameras & Zones'),
        go('go.analytics', 'Analytics'),
        go('go.operations', 'Operations'),
        { type: 'separator' },
        go('go.settings', 'Settings'),
      ],
    },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'delete' },
        { type: 'separator' },
        { role: 'selectAll' },
      ],
    },
    {
      label: 'View',
      submenu: [
        { id: MENU_IDS.search, label: 'Search', ...accel(MENU_IDS.search) },
        { id: MENU_IDS.refresh, label: 'Refresh', ...accel(MENU_IDS.refresh) },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
  );
  if (mac) menus.push({ role: 'windowMenu' });
  menus.push({
    label: 'Help',
    ...(mac && { role: 'help' as const }),
    submenu: [
      { id: MENU_IDS.shortcuts, label: 'Keyboard Shortcuts', ...accel(MENU_IDS.shortcuts) },
      {
        id: MENU_IDS.shortcutsAlt,
        label: 'Keyboard Shortcuts',
        ...accel(MENU_IDS.shortcutsAlt),
        visible: false,
        acceleratorWorksWhenHidden: true,
      },
    ],
  });
  return menus;
}

/** Every item of a template, submenus included, depth first. */
export function flattenMenu(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [
    item,
    ...(Array.isArray(item.submenu) ? flattenMenu(item.submenu) : []),
  ]);
}

/** `CmdOrCtrl+1` as a person reads it on this platform. */
export function displayAccelerator(accelerator: string, platform: NodeJS.Platform): string {
  return displayKeys(accelerator, platform === 'darwin');
}

export type MenuAction =
  | { kind: 'navigate'; hash: string }
  | { kind: 'reload' }
  /** Done by the page: the shortcut with this id (src-shared/shortcuts.ts). */
  | { kind: 'page'; id: string }
  | { kind: 'open' }
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'openAtLogin' }
  | { kind: 'quit' };

/** What an item id does; undefined for ids no action is known for. */
export function menuAction(id: string): MenuAction | undefined {
  const hash = routeForMenuId(id);
  if (hash) return { kind: 'navigate', hash };
  switch (id) {
    // The page opens Events and puts focus in its search box.
    case MENU_IDS.search:
      return { kind: 'page', id: MENU_IDS.search };
    case MENU_IDS.refresh:
      return { kind: 'reload' };
    case MENU_IDS.shortcuts:
    case MENU_IDS.shortcutsAlt:
      return { kind: 'page', id: MENU_IDS.shortcuts };
    case TRAY_IDS.open:
      return { kind: 'open' };
    case TRAY_IDS.pause:
      return { kind: 'pause' };
    case TRAY_IDS.resume:
      return { kind: 'resume' };
    case TRAY_IDS.openAtLogin:
      return { kind: 'openAtLogin' };
    case TRAY_IDS.quit:
      return { kind: 'quit' };
    default:
      return undefined;
  }
}

/**
 * A copy of the template where every item with an id (and no role) calls `onClick` with its
 * id and, for checkboxes, its new checked state.
 */
export function attachClicks(
  items: MenuItemConstructorOptions[],
  onClick: (id: string, checked: boolean) => void,
): MenuItemConstructorOptions[] {
  return items.map((item) => {
    const copy: MenuItemConstructorOptions = { ...item };
    if (Array.isArray(item.submenu)) copy.submenu = attachClicks(item.submenu, onClick);
    const id = item.id;
    if (id !== undefined && item.role === undefined) {
      copy.click = (menuItem) => onClick(id, menuItem.checked);
    }
    return copy;
  });
}

// ---------------------------------------------------------------------------------------------
// Window placement

export interface SavedWindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export interface WindowPlacement {
  /** No x/y: Electron centres the window. */
  bounds: { x?: number; y?: number; width: number; height: number };
  maximized: boolean;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The contents of window-state.json when it is usable; undefined otherwise. */
export function parseWindowState(value: unknown): SavedWindowState | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (!finite(v.width) || !finite(v.height) || v.width <= 0 || v.height <= 0) return undefined;
  const state: SavedWindowState = {
    width: v.width,
    height: v.height,
    maximized: v.maximized === true,
  };
  if (finite(v.x) && finite(v.y)) {
    state.x = v.x;
    state.y = v.y;
  }
  return state;
}

function overlap(a: Rectangle, b: Rectangle): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(v, hi));

/**
 * Where to open the window: the saved bounds, moved and shrunk onto the display they overlap
 * most, never below the window's minimum size. Saved bounds on no connected display (a monitor
 * unplugged) keep their size, fitted to the first (primary) work area, and lose x/y so the
 * window opens centred; with nothing saved, the default size, centred.
 *
 * `displays` are the work areas of the connected displays, the primary first.
 */
export function windowStateFor(
  saved: SavedWindowState | undefined,
  displays: readonly Rectangle[],
): WindowPlacement {
  const o = windowOptions('');
  const minWidth = o.minWidth ?? 0;
  const minHeight = o.minHeight ?? 0;
  const defaults = { width: o.width ?? minWidth, height: o.height ?? minHeight };
  const state = parseWindowState(saved);
  if (!state) return { bounds: defaults, maximized: false };

  const fit = (size: number, min: number, room: number | undefined) =>
    Math.round(Math.max(min, room === undefined ? size : Math.min(size, room)));

  const { x, y } = state;
  const target =
    x !== undefined && y !== undefined
      ? displays
          .map((area) => ({
            area,
            shared: overlap(area, { x, y, width: state.width, height: state.height }),
          }))
          .filter((d) => d.shared > 0)
          .sort((a, b) => b.shared - a.shared)[0]?.area
      : undefined;

  if (!target || x === undefined || y === undefined) {
    const primary = displays[0];
    return {
      bounds: {
        width: fit(state.width, minWidth, primary?.width),
        height: fit(state.height, minHeight, primary?.height),
      },
      maximized: state.maximized,
    };
  }

  const width = fit(state.width, minWidth, target.width);
  const height = fit(state.height, minHeight, target.height);
  return {
    bounds: {
      x: Math.round(clamp(x, target.x, Math.max(target.x, target.x + target.width - width))),
      y: Math.round(clamp(y, target.y, Math.max(target.y, target.y + target.height - height))),
      width,
      height,
    },
    maximized: state.maximized,
  };
}
