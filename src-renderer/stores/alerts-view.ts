/** The Alerts page's own state: which alerts it shows and the selection for bulk actions. */
import { create } from 'zustand';
import type { AlertView } from '../server-state';

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
    set((s) => {
      if (s.selected.has(id) === selected) return {};
      const next = new Set(s.selected);
      if (selected) next.add(id);
      else next.delete(id);
      return { selected: next };
    }),
  selectAll: (ids, selected) => set({ selected: selected ? new Set(ids) : new Set() }),
}));
