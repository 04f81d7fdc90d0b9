/**
 * The app's keyboard shortcuts, one table for both edges: the Electron menu takes them as
 * accelerators, the renderer handles the same keys in a browser and lists them in its
 * Keyboard Shortcuts dialog. Accelerators use Electron's syntax (`CmdOrCtrl+1`).
 */
export interface Shortcut {
  /** Menu item id (the Electron menu's click handler maps it to an action). */
  id: string;
  label: string;
  accelerator: string;
  /** A Go shortcut: the renderer route it opens (`#/<route>`). */
  route?: string;
  /** Handled by the renderer in a browser too (the browser keeps Ctrl+R for itself). */
  inBrowser: boolean;
}

export const SHORTCUTS: readonly Shortcut[] = [
  {
    id: 'go.events',
    label: 'Go to Events',
    accelerator: 'CmdOrCtrl+1',
    route: 'events',
    inBrowser: true,
  },
  {
    id: 'go.alerts',
    label: 'Go to Alerts',
    accelerator: 'CmdOrCtrl+2',
    route: 'alerts',
    inBrowser: true,
  },
  {
    id: 'go.cameras',
    label: 'Go to Cameras & Zones',
    accelerator: 'CmdOrCtrl+3',
    route: 'cameras',
    inBrowser: true,
  },
  {
    id: 'go.settings',
    label: 'Go to Settings',
    accelerator: 'CmdOrCtrl+,',
    route: 'settings',
    inBrowser: true,
  },
  { id: 'view.search', label: 'Search events', accelerator: 'CmdOrCtrl+K', inBrowser: true },
  { id: 'view.refresh', label: 'Refresh', accelerator: 'CmdOrCtrl+R', inBrowser: false },
  { id: 'help.shortcuts', label: 'Keyboard shortcuts', accelerator: 'F1', inBrowser: true },
  {
    id: 'help.shortcuts.alt',
    label: 'Keyboard shortcuts',
    accelerator: 'CmdOrCtrl+/',
    inBrowser: true,
  },
];

export function shortcutById(id: string): Shortcut | undefined {
  return SHORTCUTS.find((s) => s.id === id);
}

/** `CmdOrCtrl+1` as a person reads it on this platform (`Ctrl+1`, `Cmd+1`). */
export function displayAccelerator(accelerator: string, mac: boolean): string {
  return accelerator
    .split('+')
    .map((key) => (/^(CmdOrCtrl|CommandOrControl)$/i.test(key) ? (mac ? 'Cmd' : 'Ctrl') : key))
    .join('+');
}

/** The key facts of a keydown, as the DOM and Electron's `before-input-event` both give them. */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

/**
 * Whether a key press is the accelerator: `CmdOrCtrl` is Cmd on macOS and Ctrl elsewhere;
 * no other modifier may be held (Shift is allowed where the key itself needs it, as for `?`).
 */
export function matchesAccelerator(accelerator: string, press: KeyPress, mac: boolean): boolean {
  const parts = accelerator.split('+');
  const key = parts.pop()!;
  const wantsCmdOrCtrl = parts.some((p) => /^(CmdOrCtrl|CommandOrControl)$/i.test(p));
  const primary = mac ? press.metaKey : press.ctrlKey;
  const other = mac ? press.ctrlKey : press.metaKey;
  if (primary !== wantsCmdOrCtrl || other || press.altKey) return false;
  return press.key.toLowerCase() === key.toLowerCase();
}

/** The shortcut a key press triggers in the renderer, if any. */
export function shortcutFor(press: KeyPress, mac: boolean): Shortcut | undefined {
  return SHORTCUTS.find((s) => s.inBrowser && matchesAccelerator(s.accelerator, press, mac));
}

/**
 * The window event (a CustomEvent whose detail is a shortcut id) the Electron menu sends for
 * the items the page carries out itself: Search (focus the search box), Keyboard Shortcuts.
 */
export const SHORTCUT_EVENT = 'hsi:shortcut';
