/** Whether the Keyboard shortcuts dialog is open (keys, the sidebar and the Help menu open it). */
import { create } from 'zustand';

export interface ShortcutsDialogStore {
  open: boolean;
  show: () => void;
  hide: () => void;
}

export const useShortcutsDialog = create<ShortcutsDialogStore>()((set) => ({
  open: false,
  show: () => set({ open: true }),
  hide: () => set({ open: false }),
}));
