import { describe, expect, it } from 'vitest';
import { SHORTCUTS } from '../../src-shared/shortcuts';
import { ariaKeyShortcuts, isMacPlatform, shortcutRows } from '../../src-renderer/keyboard';

describe('the Keyboard shortcuts list', () => {
  it('has one row per action, its accelerators together, in the platform’s words', () => {
    const rows = shortcutRows(false);
    const labels = rows.map((r) => r.label);
    expect(new Set(labels).size).toBe(labels.length);
    expect(rows.find((r) => r.label === 'Go to Alerts')?.keys).toEqual(['Ctrl+2']);
    expect(rows.find((r) => r.label === 'Keyboard shortcuts')?.keys).toEqual(['F1', 'Ctrl+/']);
    expect(shortcutRows(true).find((r) => r.label === 'Search events')?.keys).toEqual(['Cmd+K']);
  });

  it('lists every shortcut the page handles and none it leaves to the browser', () => {
    const labels = new Set(shortcutRows(false).map((r) => r.label));
    for (const s of SHORTCUTS) expect(labels.has(s.label), s.id).toBe(s.inBrowser);
  });

  it('adds the keys every page has: ?, Tab, Esc and Enter', () => {
    const keys = shortcutRows(false).flatMap((r) => r.keys);
    expect(keys).toEqual(expect.arrayContaining(['?', 'Tab', 'Shift+Tab', 'Esc', 'Enter']));
  });
});

describe('platform keys', () => {
  it('reads a Mac from navigator.platform', () => {
    expect(isMacPlatform('MacIntel')).toBe(true);
    expect(isMacPlatform('iPad')).toBe(true);
    expect(isMacPlatform('Linux x86_64')).toBe(false);
    expect(isMacPlatform('Win32')).toBe(false);
  });

  it('writes aria-keyshortcuts with Control, or Meta on a Mac', () => {
    expect(ariaKeyShortcuts(['F1', 'CmdOrCtrl+/'], false)).toBe('F1 Control+/');
    expect(ariaKeyShortcuts(['F1', 'CmdOrCtrl+/'], true)).toBe('F1 Meta+/');
  });
});
