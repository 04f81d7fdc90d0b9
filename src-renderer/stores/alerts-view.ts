/** The Alerts page's own state: which alerts it shows and the selection for bulk actions. */
import { create } from 'zustand';
import type { AlertView } from '../server-state';
import { toggled } from './selection';

export interface AlertsView {
  view: AlertView;
  selected: ReadonlySet<string>;
  setView: (view: AlertView) => void;
  setSelected: (id: string, selected: boolean) => void;
  selectAll: (ids: readonly string[], selected: boolean) => void;
}

export const useAlertsView = create<AlertsView>()((set) => ({
  view: 'active',
  selected: new Set(),
  setView: (view) => set((s) => (s.view === view ? {} : { view, selected: new Set() })),
  setSelected: (id, selected) =>
    set((s) =>
      s.selected.has(id) === selected ? {} : { selected: toggled(s.selected, id, selected) },
    ),
  selectAll: (ids, selected) => set({ selected: selected ? new Set(ids) : new Set() }),
}));
