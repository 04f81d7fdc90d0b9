import { describe, expect, it, vi } from 'vitest';
import {
  MENU_IDS,
  TRAY_IDS,
  appMenuTemplate,
  closeAction,
  attachClicks,
  displayAccelerator,
  flattenMenu,
  goMenuIds,
  menuAction,
  parseWindowState,
  routeForMenuId,
  trayState,
  windowStateFor,
} from '../../src-main/electron/menus';
import type { TrayInput } from '../../src-main/electron/menus';
import { SHORTCUTS } from '../../src-shared/shortcuts';
import { windowOptions } from '../../src-main/electron/window';
import { ROUTES, routeFromHash } from '../../src-renderer/routes';

/** Electron's MenuItemConstructorOptions (only src-main/electron may import electron). */
type MenuItemConstructorOptions = ReturnType<typeof appMenuTemplate>[number];

const calm: TrayInput = { paused: false, detector: 'ready', activeAlerts: 0, openAtLogin: false };
const PLATFORMS: NodeJS.Platform[] = ['darwin', 'win32', 'linux'];

const ids = (items: MenuItemConstructorOptions[]) =>
  flattenMenu(items).flatMap((i) => (i.id ? [i.id] : []));

describe('tray', () => {
  it('shows the most important status: detector unavailable > alerts waiting > paused > running', () => {
    expect(trayState(calm).status).toBe('running');
    expect(trayState({ ...calm, detector: 'loading' }).status).toBe('running');
    expect(trayState({ ...calm, paused: true }).status).toBe('paused');
    expect(trayState({ ...calm, paused: true, activeAlerts: 2 }).status).toBe('alerts waiting');
    expect(
      trayState({ ...calm, paused: true, activeAlerts: 2, detector: 'unavailable' }).status,
    ).toBe('detector unavailable');
    expect(trayState({ ...calm, detector: 'unavailable' }).status).toBe('detector unavailable');
  });

  it('says it in the tooltip and in a disabled status line', () => {
    const cases: [TrayInput, string][] = [
      [calm, 'running'],
      [{ ...calm, detector: 'loading' }, 'running, detector loading'],
      [{ ...calm, paused: true }, 'intake paused'],
      [{ ...calm, activeAlerts: 1 }, '1 alert waiting'],
      [{ ...calm, activeAlerts: 3 }, '3 alerts waiting'],
      [{ ...calm, activeAlerts: 101 }, '100+ alerts waiting'],
      [{ ...calm, detector: 'unavailable', activeAlerts: 3 }, 'detector unavailable'],
    ];
    for (const [input, text] of cases) {
      const state = trayState(input);
      expect(state.tooltip).toBe(`Home Security Intelligence — ${text}`);
      const line = state.menu.find((i) => i.id === TRAY_IDS.status);
      expect(line).toMatchObject({ label: `Status: ${text}`, enabled: false });
    }
  });

  it('has Open, Pause intake, the status, Start at login (off by default) and Quit, in that order', () => {
    expect(ids(trayState(calm).menu)).toEqual([
      TRAY_IDS.open,
      TRAY_IDS.pause,
      TRAY_IDS.status,
      TRAY_IDS.openAtLogin,
      TRAY_IDS.quit,
    ]);
    const login = trayState(calm).menu.find((i) => i.id === TRAY_IDS.openAtLogin);
    expect(login).toMatchObject({ type: 'checkbox', checked: false, label: 'Start at login' });
    expect(
      trayState({ ...calm, openAtLogin: true }).menu.find((i) => i.id === TRAY_IDS.openAtLogin),
    ).toMatchObject({ checked: true });
    expect(trayState(calm).menu.find((i) => i.id === TRAY_IDS.quit)?.label).toBe('Quit');
  });

  it('flips Pause intake to Resume intake while paused', () => {
    const running = trayState(calm).menu;
    expect(running.find((i) => i.id === TRAY_IDS.pause)?.label).toBe('Pause intake');
    expect(running.some((i) => i.id === TRAY_IDS.resume)).toBe(false);
    const paused = trayState({ ...calm, paused: true }).menu;
    expect(paused.find((i) => i.id === TRAY_IDS.resume)?.label).toBe('Resume intake');
    expect(paused.some((i) => i.id === TRAY_IDS.pause)).toBe(false);
  });

  it('leaves out the intake and login items where the platform or the app has no way to apply them', () => {
    expect(ids(trayState(calm, { intakeControl: false, loginItem: false }).menu)).toEqual([
      TRAY_IDS.open,
      TRAY_IDS.status,
      TRAY_IDS.quit,
    ]);
  });
});

/** Accelerators Electron gives the roles this template uses (so none is taken twice). */
function roleAccelerator(role: string, platform: NodeJS.Platform): string | undefined {
  const mac = platform === 'darwin';
  const table: Record<string, string | undefined> = {
    undo: 'CmdOrCtrl+Z',
    redo: mac ? 'Shift+CmdOrCtrl+Z' : platform === 'win32' ? 'Control+Y' : 'Shift+CmdOrCtrl+Z',
    cut: 'CmdOrCtrl+X',
    copy: 'CmdOrCtrl+C',
    paste: 'CmdOrCtrl+V',
    selectAll: 'CmdOrCtrl+A',
    togglefullscreen: mac ? 'Control+Command+F' : 'F11',
    quit: mac ? 'CommandOrControl+Q' : platform === 'win32' ? undefined : 'CommandOrControl+Q',
    close: 'CommandOrControl+W',
    hide: 'Command+H',
    hideOthers: 'Command+Alt+H',
    minimize: 'CommandOrControl+M',
  };
  return table[role];
}

/** One spelling per key combination on a platform. */
function normalise(accelerator: string, platform: NodeJS.Platform): string {
  const mac = platform === 'darwin';
  const keys = accelerator.split('+').map((k) => {
    const key = k.toLowerCase();
    if (key === 'cmdorctrl' || key === 'commandorcontrol') return mac ? 'cmd' : 'ctrl';
    if (key === 'command') return 'cmd';
    if (key === 'control') return 'ctrl';
    if (key === 'option') return 'alt';
    return key;
  });
  const main = keys.pop()!;
  return [...keys.sort(), main].join('+');
}

describe('application menu', () => {
  it('has File, Go, Edit, View and Help; on macOS the app menu comes first', () => {
    for (const platform of ['win32', 'linux'] as const) {
      expect(appMenuTemplate(platform).map((m) => m.label)).toEqual([
        'File',
        'Go',
        'Edit',
        'View',
        'Help',
      ]);
      expect(appMenuTemplate(platform)[0]!.submenu as MenuItemConstructorOptions[]).toContainEqual({
        role: 'quit',
      });
    }
    const mac = appMenuTemplate('darwin');
    expect(mac[0]!.label).toBe('Home Security Intelligence');
    const appRoles = (mac[0]!.submenu as MenuItemConstructorOptions[]).map((i) => i.role);
    expect(appRoles).toEqual(expect.arrayContaining(['about', 'hide', 'hideOthers', 'quit']));
    expect(mac.slice(1).map((m) => m.label ?? m.role)).toEqual([
      'File',
      'Go',
      'Edit',
      'View',
      'windowMenu',
      'Help',
    ]);
    // Quit lives in the app menu on macOS, and only there.
    expect(flattenMenu(mac).filter((i) => i.role === 'quit')).toHaveLength(1);
  });

  it('names its actions by id, with the documented shortcuts', () => {
    for (const platform of PLATFORMS) {
      const items = flattenMenu(appMenuTemplate(platform));
      const byId = (id: string) => items.find((i) => i.id === id);
      expect(byId('go.events')).toMatchObject({ label: 'Events', accelerator: 'CmdOrCtrl+1' });
      expect(byId('go.alerts')).toMatchObject({ label: 'Alerts', accelerator: 'CmdOrCtrl+2' });
      expect(byId('go.cameras')?.accelerator).toBe('CmdOrCtrl+3');
      expect(byId('go.analytics')?.label).toBe('Analytics');
      expect(byId('go.operations')?.label).toBe('Operations');
      expect(byId('go.settings')).toMatchObject({ label: 'Settings', accelerator: 'CmdOrCtrl+,' });
      expect(byId(MENU_IDS.search)).toMatchObject({ label: 'Search', accelerator: 'CmdOrCtrl+K' });
      expect(byId(MENU_IDS.refresh)).toMatchObject({ accelerator: 'CmdOrCtrl+R' });
      expect(byId(MENU_IDS.shortcuts)).toMatchObject({ accelerator: 'F1' });
      expect(byId(MENU_IDS.shortcutsAlt)).toMatchObject({ accelerator: 'CmdOrCtrl+/' });
      expect(items.some((i) => i.role === 'togglefullscreen')).toBe(true);
      for (const role of ['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll'])
        expect(items.some((i) => i.role === role)).toBe(true);
      // Data only: the clicks are attached in main.ts.
      expect(items.some((i) => 'click' in i)).toBe(false);
    }
  });

  it('gives every item a distinct id and every shortcut to one item only, role defaults included', () => {
    for (const platform of PLATFORMS) {
      const items = flattenMenu(appMenuTemplate(platform));
      const menuIds = ids(appMenuTemplate(platform));
      expect(new Set(menuIds).size, platform).toBe(menuIds.length);
      const shortcuts = items.flatMap((i) => {
        const acc =
          i.accelerator !== undefined
            ? String(i.accelerator)
            : i.role
              ? roleAccelerator(i.role, platform)
              : undefined;
        return acc ? [normalise(acc, platform)] : [];
      });
      expect(shortcuts.length).toBeGreaterThan(10);
      const dupes = shortcuts.filter((s, i) => shortcuts.indexOf(s) !== i);
      expect(dupes, platform).toEqual([]);
    }
  });

  it('maps every Go item to an existing renderer route', () => {
    const routeIds = ROUTES.map((r) => r.id as string);
    const goIds = ids(appMenuTemplate('linux')).filter((id) => id.startsWith('go.'));
    expect([...goIds].sort()).toEqual([...goMenuIds()].sort());
    for (const id of goIds) {
      const hash = routeForMenuId(id);
      expect(hash, id).toMatch(/^#\/[a-z]+$/);
      const route = routeFromHash(hash!);
      expect(routeIds).toContain(hash!.slice(2));
      expect(route.id, id).toBe(hash!.slice(2));
    }
    expect(routeForMenuId('go.cameras')).toBe('#/cameras');
    expect(routeForMenuId('view.search')).toBeUndefined();
    expect(routeForMenuId('toString')).toBeUndefined();
  });

  it('knows what every id of both menus does', () => {
    for (const platform of PLATFORMS) {
      for (const id of ids(appMenuTemplate(platform))) expect(menuAction(id), id).toBeDefined();
    }
    for (const id of [...ids(trayState(calm).menu), TRAY_IDS.resume]) {
      if (id !== TRAY_IDS.status) expect(menuAction(id), id).toBeDefined();
    }
    expect(menuAction('go.alerts')).toEqual({ kind: 'navigate', hash: '#/alerts' });
    expect(menuAction(MENU_IDS.search)).toEqual({ kind: 'page', id: 'view.search' });
    expect(menuAction(MENU_IDS.refresh)).toEqual({ kind: 'reload' });
    expect(menuAction(MENU_IDS.shortcutsAlt)).toEqual({ kind: 'page', id: 'help.shortcuts' });
    expect(menuAction(TRAY_IDS.quit)).toEqual({ kind: 'quit' });
    expect(menuAction('nope')).toBeUndefined();
  });

  it('attaches a click to each item with an id (not to roles), passing the checked state', () => {
    const onClick = vi.fn();
    const template = [
      { label: 'Go', submenu: [{ id: 'go.events', label: 'Events' }, { role: 'copy' as const }] },
      { id: TRAY_IDS.openAtLogin, type: 'checkbox' as const, checked: false },
    ];
    const withClicks = attachClicks(template, onClick);
    const [events, copy] = withClicks[0]!.submenu as MenuItemConstructorOptions[];
    expect(copy!.click).toBeUndefined();
    type Click = (item: { checked: boolean }) => void;
    (events!.click as unknown as Click)({ checked: false });
    (withClicks[1]!.click as unknown as Click)({ checked: true });
    expect(onClick.mock.calls).toEqual([
      ['go.events', false],
      [TRAY_IDS.openAtLogin, true],
    ]);
    // The data it was given is left as it was.
    expect('click' in template[1]!).toBe(false);
  });

  it('takes every accelerator of its own items from the shared shortcut table', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      const own = flattenMenu(appMenuTemplate(platform)).filter((i) => i.id && i.accelerator);
      expect(own.map((i) => [i.id, i.accelerator])).toEqual(
        SHORTCUTS.map((s) => [s.id, s.accelerator]),
      );
    }
    // The dialog shows them as a person reads them on each platform.
    expect(displayAccelerator('CmdOrCtrl+1', 'darwin')).toBe('Cmd+1');
    expect(displayAccelerator('CmdOrCtrl+1', 'win32')).toBe('Ctrl+1');
  });
});

describe('closing the window', () => {
  it('hides it to the tray while the app runs on, and closes it when quitting or without a tray', () => {
    expect(closeAction({ quitting: false, trayShown: true })).toBe('hide');
    expect(closeAction({ quitting: true, trayShown: true })).toBe('close');
    expect(closeAction({ quitting: false, trayShown: false })).toBe('close');
  });
});

describe('remembered window placement', () => {
  const o = windowOptions('');
  const primary = { x: 0, y: 0, width: 1920, height: 1040 };
  const right = { x: 1920, y: 0, width: 2560, height: 1400 };

  it('opens at the default size, centred, when nothing was saved', () => {
    expect(windowStateFor(undefined, [primary])).toEqual({
      bounds: { width: o.width, height: o.height },
      maximized: false,
    });
    expect(windowStateFor(undefined, [])).toEqual({
      bounds: { width: o.width, height: o.height },
      maximized: false,
    });
  });

  it('reopens where it was on a connected display, maximized or not', () => {
    const saved = { x: 2100, y: 100, width: 1400, height: 900, maximized: true };
    expect(windowStateFor(saved, [primary, right])).toEqual({
      bounds: { x: 2100, y: 100, width: 1400, height: 900 },
      maximized: true,
    });
  });

  it('recovers when the display it was on is gone: saved size, fitted, centred on the primary', () => {
    const saved = { x: 2100, y: 100, width: 2400, height: 1300, maximized: false };
    const placement = windowStateFor(saved, [primary]);
    expect(placement.bounds.x).toBeUndefined();
    expect(placement.bounds.y).toBeUndefined();
    expect(placement.bounds).toEqual({ width: 1920, height: 1040 });
    expect(placement.maximized).toBe(false);
    const smaller = windowStateFor({ ...saved, width: 1000, height: 700 }, [primary]);
    expect(smaller.bounds).toEqual({ width: 1000, height: 700 });
  });

  it('pulls a window hanging off the edge back inside the display it overlaps most', () => {
    const saved = { x: 1800, y: -50, width: 1200, height: 800, maximized: false };
    // 1200 wide from x=1800: 120 px on the primary, 1080 on the right display.
    expect(windowStateFor(saved, [primary, right]).bounds).toEqual({
      x: 1920,
      y: 0,
      width: 1200,
      height: 800,
    });
    const bottomRight = { x: 1700, y: 900, width: 1000, height: 700, maximized: false };
    expect(windowStateFor(bottomRight, [primary]).bounds).toEqual({
      x: 920,
      y: 340,
      width: 1000,
      height: 700,
    });
  });

  it('is never smaller than the window minimum, nor larger than the display allows', () => {
    const tiny = { x: 10, y: 10, width: 200, height: 100, maximized: false };
    expect(windowStateFor(tiny, [primary]).bounds).toEqual({
      x: 10,
      y: 10,
      width: o.minWidth,
      height: o.minHeight,
    });
    const huge = { x: 0, y: 0, width: 5000, height: 3000, maximized: false };
    expect(windowStateFor(huge, [primary]).bounds).toEqual({ x: 0, y: 0, ...size(primary) });
    // A display smaller than the minimum: the minimum wins, at the display's corner.
    const small = { x: 0, y: 0, width: 800, height: 500 };
    expect(windowStateFor(tiny, [small]).bounds).toEqual({
      x: 0,
      y: 0,
      width: o.minWidth,
      height: o.minHeight,
    });
  });

  it('reads only a usable window-state.json', () => {
    expect(parseWindowState({ x: 1, y: 2, width: 1000, height: 700, maximized: true })).toEqual({
      x: 1,
      y: 2,
      width: 1000,
      height: 700,
      maximized: true,
    });
    expect(parseWindowState({ width: 1000, height: 700 })).toEqual({
      width: 1000,
      height: 700,
      maximized: false,
    });
    for (const bad of [null, 'x', 3, {}, { width: -1, height: 700 }, { width: 'a', height: 1 }])
      expect(parseWindowState(bad)).toBeUndefined();
    expect(parseWindowState({ x: Number.NaN, y: 0, width: 1000, height: 700 })).toEqual({
      width: 1000,
      height: 700,
      maximized: false,
    });
  });
});

function size(r: { width: number; height: number }) {
  return { width: r.width, height: r.height };
}
