import { describe, expect, it } from 'vitest';
import type { KeyPress } from '../../src-shared/shortcuts';
import { matchesAccelerator, shortcutFor } from '../../src-shared/shortcuts';

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});

describe('keyboard shortcuts', () => {
  it('reads CmdOrCtrl as Ctrl off macOS and Cmd on macOS, and no other modifier', () => {
    expect(matchesAccelerator('CmdOrCtrl+1', press('1', { ctrlKey: true }), false)).toBe(true);
    expect(matchesAccelerator('CmdOrCtrl+1', press('1', { metaKey: true }), false)).toBe(false);
    expect(matchesAccelerator('CmdOrCtrl+1', press('1', { metaKey: true }), true)).toBe(true);
    expect(matchesAccelerator('CmdOrCtrl+1', press('1', { ctrlKey: true }), true)).toBe(false);
    expect(matchesAccelerator('CmdOrCtrl+1', press('1'), false)).toBe(false);
    expect(
      matchesAccelerator('CmdOrCtrl+1', press('1', { ctrlKey: true, altKey: true }), false),
    ).toBe(false);
    expect(matchesAccelerator('CmdOrCtrl+K', press('k', { ctrlKey: true }), false)).toBe(true);
    expect(matchesAccelerator('F1', press('F1'), false)).toBe(true);
    expect(matchesAccelerator('F1', press('F1', { ctrlKey: true }), false)).toBe(false);
  });

  it('finds the renderer shortcut for a key press, leaving the browser its reload', () => {
    expect(shortcutFor(press('2', { ctrlKey: true }), false)?.route).toBe('alerts');
    expect(shortcutFor(press(',', { metaKey: true }), true)?.route).toBe('settings');
    expect(shortcutFor(press('/', { ctrlKey: true }), false)?.id).toBe('help.shortcuts.alt');
    expect(shortcutFor(press('r', { ctrlKey: true }), false)).toBeUndefined();
    expect(shortcutFor(press('x', { ctrlKey: true }), false)).toBeUndefined();
  });
});
