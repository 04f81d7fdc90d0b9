import { useEffect } from 'react';
import type { Shortcut } from '../src-shared/shortcuts';
import { SHORTCUT_EVENT, shortcutById, shortcutFor } from '../src-shared/shortcuts';
import { HELP_KEY, isMacPlatform, isTypingTarget } from './keyboard';
import { useShortcutsDialog } from './stores/shortcuts-dialog';

/** The Events page's search box (EventFilters gives its fields the `event` prefix). */
const SEARCH_ID = 'event-search';
/** Frames to wait for the search box to mount and for an open dialog to close (about a second). */
const SEARCH_FOCUS_FRAMES = 60;

let pendingFocus = 0;

/**
 * Focuses the Events page's search box once it can take focus: the page may still be mounting,
 * or an event's detail closing (a modal dialog keeps focus out of the page until it has gone).
 */
function focusSearch(framesLeft = SEARCH_FOCUS_FRAMES): void {
  cancelAnimationFrame(pendingFocus);
  const input = document.getElementById(SEARCH_ID);
  if (input instanceof HTMLInputElement) {
    input.focus();
    if (document.activeElement === input) {
      input.select();
      return;
    }
  }
  if (framesLeft > 0) pendingFocus = requestAnimationFrame(() => focusSearch(framesLeft - 1));
}

function go(route: string): void {
  const hash = `#/${route}`;
  if (window.location.hash !== hash) window.location.hash = hash;
}

/**
 * The app's keyboard shortcuts (src-shared/shortcuts.ts) in the page, mounted once: Go keys
 * open their page, Search puts focus in the Events search box, F1 / Ctrl+/ and `?` (outside a
 * text field) open the Keyboard shortcuts dialog; the Electron menu's Search and Help items
 * arrive as a window event (SHORTCUT_EVENT) and do the same.
 */
export function useShortcuts(): void {
  useEffect(() => {
    const mac = isMacPlatform(navigator.platform);
    const { show, hide } = useShortcutsDialog.getState();

    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing) return;
      const shortcut = shortcutFor(e, mac);
      if (!shortcut) {
        const plain = !e.ctrlKey && !e.metaKey && !e.altKey;
        if (plain && e.key === HELP_KEY && !isTypingTarget(e.target)) {
          e.preventDefault();
          show();
        }
        return;
      }
      e.preventDefault();
      run(shortcut);
    };
    const run = (shortcut: Shortcut) => {
      if (shortcut.route) {
        hide();
        go(shortcut.route);
      } else if (shortcut.id === 'view.search') {
        hide();
        go('events');
        focusSearch();
      } else if (shortcut.id.startsWith('help.shortcuts')) {
        show();
      }
    };
    // The Electron menu's Search and Keyboard Shortcuts items.
    const onMenu = (e: Event) => {
      const shortcut = shortcutById(String((e as CustomEvent<unknown>).detail));
      if (shortcut) run(shortcut);
    };

    window.addEventListener('keydown', onKey);
    window.addEventListener(SHORTCUT_EVENT, onMenu);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener(SHORTCUT_EVENT, onMenu);
      cancelAnimationFrame(pendingFocus);
    };
  }, []);
}
