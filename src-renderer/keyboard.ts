/** What the renderer's keyboard handling needs to know: typing targets, the platform, the keys to list. */
import { SHORTCUTS, displayAccelerator } from '../src-shared/shortcuts';

/** Keys typed into these go to the control, not to the app's own keys (`?`, ← / →). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !['checkbox', 'button', 'submit', 'reset'].includes(target.type);
  }
  return false;
}

/** Cmd instead of Ctrl: the same test the Electron menu's accelerators make. */
export function isMacPlatform(platform: string): boolean {
  return /Mac|iPhone|iPad/.test(platform);
}

/** The key that opens the shortcuts dialog where no text is being typed. */
export const HELP_KEY = '?';

/**
 * One row of the Keyboard shortcuts dialog: an action and its keys — any one of them (`or`),
 * or one for each half of an "a / b" label (`/`).
 */
export interface ShortcutRow {
  label: string;
  keys: readonly string[];
  joiner: 'or' | '/';
}

/**
 * Every shortcut the renderer handles, as a person reads it on this platform: one row per
 * action (two accelerators of one action share a row), then the keys every page has.
 */
export function shortcutRows(mac: boolean): ShortcutRow[] {
  const rows: (ShortcutRow & { keys: string[] })[] = [];
  for (const s of SHORTCUTS) {
    if (!s.inBrowser) continue;
    const keys = displayAccelerator(s.accelerator, mac);
    const row = rows.find((r) => r.label === s.label);
    if (row) row.keys.push(keys);
    else rows.push({ label: s.label, keys: [keys], joiner: 'or' });
  }
  return [
    ...rows,
    { label: 'Keyboard shortcuts (outside a text field)', keys: [HELP_KEY], joiner: 'or' },
    { label: 'Next / previous control', keys: ['Tab', 'Shift+Tab'], joiner: '/' },
    { label: 'Close a dialog', keys: ['Esc'], joiner: 'or' },
    { label: 'Search now (in the search box)', keys: ['Enter'], joiner: 'or' },
    { label: 'Newer / older event (in an event’s detail)', keys: ['←', '→'], joiner: '/' },
  ];
}

/** The `aria-keyshortcuts` value of accelerators (`CmdOrCtrl+/` → `Control+/`, `Meta+/` on a Mac). */
export function ariaKeyShortcuts(accelerators: readonly string[], mac: boolean): string {
  return accelerators
    .map((a) => a.replace(/\b(CmdOrCtrl|CommandOrControl)\b/i, mac ? 'Meta' : 'Control'))
    .join(' ');
}

const FOCUSABLE = [
  'a[href]',
  'area[href]',
  'button:not([disabled])',
  'input:not([disabled]):not([type="hidden"])',
  'select:not([disabled])',
  'textarea:not([disabled])',
  'summary',
  'iframe',
  '[contenteditable]:not([contenteditable="false"])',
  '[tabindex]',
].join(',');

/** A radio is reached by Tab only as its group's checked one (or the first, when none is). */
function radioInTabOrder(radio: HTMLInputElement, root: HTMLElement): boolean {
  if (radio.checked || !radio.name) return true;
  const group = Array.from(
    root.querySelectorAll<HTMLInputElement>(
      `input[type="radio"][name="${CSS.escape(radio.name)}"]`,
    ),
  );
  return !group.some((r) => r.checked) && group[0] === radio;
}

/** The elements Tab stops at inside `root`, in document order (no positive tabindex is used). */
export function tabStops(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (el) =>
      el.tabIndex >= 0 &&
      !el.closest('[inert]') &&
      el.checkVisibility({ visibilityProperty: true }) &&
      (!(el instanceof HTMLInputElement) || el.type !== 'radio' || radioInTabOrder(el, root)),
  );
}

/**
 * Where Tab (or Shift+Tab) from `active` should wrap to so focus stays in `root`: the first
 * stop when nothing follows, the last when nothing precedes; null when the browser's own move
 * stays inside.
 */
export function tabWrapTarget(
  root: HTMLElement,
  active: Element | null,
  backwards: boolean,
): HTMLElement | null {
  const stops = tabStops(root);
  if (stops.length === 0 || !active || !root.contains(active)) return stops[0] ?? null;
  const follows = (a: Node, b: Node) =>
    a !== b && (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
  if (backwards) {
    return stops.some((el) => follows(el, active)) ? null : stops[stops.length - 1]!;
  }
  return stops.some((el) => follows(active, el)) ? null : stops[0]!;
}
