/** Toasts in the page: desktop notifications (`notification.desktop`) and the app's own notes. */
import { create } from 'zustand';

/** How long a toast stays (unless the pointer or focus is on it). */
export const TOAST_MS = 8000;
/** The most toasts shown at once; older ones make room. */
const MAX_TOASTS = 5;

/** What a toast says: a desktop notification, or the app's own word on something it did. */
export interface ToastContent {
  title: string;
  body?: string;
  /** A risk level colours the toast; anything else leaves it plain. */
  severity?: string;
  /** Adds an "Open event" link. */
  eventId?: string | null;
  /** Adds a link to somewhere in the app. */
  link?: { href: string; label: string };
}

export interface Toast extends Readonly<ToastContent> {
  id: number;
}

export interface ToastsStore {
  toasts: readonly Toast[];
  show: (toast: ToastContent) => void;
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
