/**
 * The Events timeline's own state (what the page is showing, not what the server holds):
 * filters, where the list starts, the selection for bulk review, and whether newer events
 * arrived that the list cannot place itself. The events come from the query cache.
 */
import { create } from 'zustand';
import type { EventFilterForm } from '../event-filters';
import { EMPTY_FILTERS } from '../event-filters';
import type { Selection } from './selection';
import { selectionSlice } from './selection';

export interface EventsView extends Selection {
  filters: EventFilterForm;
  /** The cursor the list starts after; null: it starts at the newest event. */
  start: string | null;
  /** How many newer events are not loaded (0: the list starts at the newest). */
  skipped: number;
  /** Live events arrived that the list cannot place itself (a search, or an older start). */
  hasNew: boolean;

  setFilters: (patch: Partial<EventFilterForm>) => void;
  resetFilters: () => void;
  /** Back to the newest events with the same filters. */
  startOver: () => void;
  /** Lets the loaded events go and continues after `cursor` (past the loaded maximum). */
  continueAfter: (cursor: string, loaded: number) => void;
  unselect: (ids: readonly string[]) => void;
}

const fresh = { start: null, skipped: 0, hasNew: false, selected: new Set<string>() };

export const useEventsView = create<EventsView>()((set) => ({
  filters: EMPTY_FILTERS,
  ...fresh,
  setFilters: (patch) => set((s) => ({ filters: { ...s.filters, ...patch }, ...fresh })),
  resetFilters: () => set({ filters: EMPTY_FILTERS, ...fresh }),
  startOver: () => set({ ...fresh }),
  continueAfter: (cursor, loaded) =>
    set((s) => ({ ...fresh, start: cursor, skipped: s.skipped + loaded })),
  ...selectionSlice(set),
  unselect: (ids) =>
    set((s) => {
      const next = new Set(s.selected);
      for (const id of ids) next.delete(id);
      return { selected: next };
    }),
}));
