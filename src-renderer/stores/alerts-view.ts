/** The Alerts page's own state: which alerts it shows and the selection for bulk actions. */
import { create } from 'zustand';
import type { AlertView } from '../server-state';
import type { Selection } from './selection';
import { selectionSlice } from './selection';

export interface AlertsView extends Selection {
  view: AlertView;
  setView: (view: AlertView) => void;
}

export const useAlertsView = create<AlertsView>()((set) => ({
  view: 'active',
  setView: (view) => set((s) => (s.view === view ? {} : { view, selected: new Set() })),
  ...selectionSlice(set),
}));
