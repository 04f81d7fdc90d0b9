/** Desktop notifications shown as toasts in the page (`notification.desktop`). */
import { create } from 'zustand';
import type { PushEvents } from '../../src-shared/contract';
import { api } from '../api';

/** How long a toast stays (unless the pointer or focus is on it). */
export const TOAST_MS = 8000;
/** The most toasts shown at once; older ones make room. */
const MAX_TOASTS = 5;

export interface Toast extends Readonly<PushEvents['notification.desktop']> {
  id: number;
}

export interface ToastsStore {
  toasts: readonly Toast[];
  show: (toast: PushEvents['notification.desktop']) => void;
  dismiss: (id: number) => void;
}

let nextId = 1;

export const useToasts = create<ToastsStore>()((set) => ({
  toasts: [],
  show(toast) {
    const id = nextId++;
    set((s) => ({ toasts: [...s.toasts, { ...toast, id }].slice(-MAX_TOASTS) }));
  },
  dismiss(id) {
    set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
  },
}));

/** Shows every desktop notification as a toast; returns the unsubscribe. */
export function startDesktopToasts(): () => void {
  return api.on('notification.desktop', (data) => useToasts.getState().show(data));
}
