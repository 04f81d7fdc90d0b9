/**
 * The Events timeline: filters, the loaded pages (newest first), stats, the selection for bulk
 * review, and live updates from `event.created` / `event.updated`.
 */
import { create } from 'zustand';
import type { EventFilter } from '../../src-shared/contract';
import type { EventStats, SecurityEvent } from '../../src-shared/domain';
import { ApiError, api, errorMessage } from '../api';
import type { EventFilterForm } from '../event-filters';
import { EMPTY_FILTERS, compareNewestFirst, matchesFilter, toEventFilter } from '../event-filters';
import { searchErrorFrom } from '../form-errors';

/** Events per `events.list` call. */
export const PAGE_SIZE = 100;
/** The most events kept loaded at once; past it the list offers to continue with older ones. */
export const MAX_LOADED = 5000;
/** Ids per `events.bulkUpdate` call (the API's limit). */
const BULK_CHUNK = 500;

export type EventsStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface EventsStore {
  filters: EventFilterForm;
  items: SecurityEvent[];
  nextCursor: string | null;
  status: EventsStatus;
  /** Why the list could not be loaded (not a search problem). */
  error: string | null;
  /** The server refused the search text (e.g. an unbalanced quote). */
  searchError: string | null;
  loadingMore: boolean;
  loadMoreError: string | null;
  /** How many newer events were dropped to continue with older ones (0: the list starts at the newest). */
  skipped: number;
  /** Bumped whenever the list starts over (the view scrolls back to the top). */
  generation: number;
  stats: EventStats | null;
  statsError: string | null;
  /** Live events arrived that the list cannot place itself (a search is active). */
  hasNew: boolean;
  selected: ReadonlySet<string>;

  setFilters: (patch: Partial<EventFilterForm>) => void;
  resetFilters: () => void;
  reload: () => Promise<void>;
  loadMore: () => Promise<void>;
  /** Drops what is loaded and continues with the next older page (past MAX_LOADED). */
  loadOlder: () => Promise<void>;
  loadStats: () => Promise<void>;
  applyCreated: (event: SecurityEvent) => void;
  applyUpdated: (event: SecurityEvent) => void;
  setSelected: (id: string, selected: boolean) => void;
  selectAllLoaded: (selected: boolean) => void;
  /** Marks the selected events reviewed; resolves to how many the server updated. */
  markSelectedReviewed: () => Promise<number>;
}

let listSeq = 0;
let statsSeq = 0;

function searchProblem(err: unknown, filter: EventFilter): string | null {
  if (!(err instanceof ApiError) || err.code !== 'invalid_input' || !filter.q) return null;
  return searchErrorFrom(err) ?? `This search is not valid: ${err.message}`;
}

function bumpStats(stats: EventStats | null, event: SecurityEvent, by: 1 | -1): EventStats | null {
  if (!stats) return stats;
  return {
    ...stats,
    total: Math.max(0, stats.total + by),
    byRiskLevel: {
      ...stats.byRiskLevel,
      [event.riskLevel]: Math.max(0, stats.byRiskLevel[event.riskLevel] + by),
    },
  };
}

export const useEvents = create<EventsStore>()((set, get) => {
  /** Loads one page after `cursor` into a fresh list (skipped: events before it). */
  const startList = async (cursor: string | undefined, skipped: number): Promise<void> => {
    const seq = ++listSeq;
    const filter = toEventFilter(get().filters);
    set((s) => ({
      items: [],
      nextCursor: null,
      status: 'loading',
      error: null,
      searchError: null,
      loadingMore: false,
      loadMoreError: null,
      skipped,
      hasNew: false,
      selected: new Set(),
      generation: s.generation + 1,
    }));
    try {
      const page = await api.invoke('events.list', { ...filter, cursor, limit: PAGE_SIZE });
      if (seq !== listSeq) return;
      set({ items: page.items, nextCursor: page.nextCursor, status: 'ready' });
    } catch (err) {
      if (seq !== listSeq) return;
      const problem = searchProblem(err, filter);
      if (problem) set({ status: 'ready', searchError: problem });
      else set({ status: 'error', error: errorMessage(err) });
    }
  };

  return {
    filters: EMPTY_FILTERS,
    items: [],
    nextCursor: null,
    status: 'idle',
    error: null,
    searchError: null,
    loadingMore: false,
    loadMoreError: null,
    skipped: 0,
    generation: 0,
    stats: null,
    statsError: null,
    hasNew: false,
    selected: new Set(),

    setFilters(patch) {
      set((s) => ({ filters: { ...s.filters, ...patch } }));
      void get().reload();
    },

    resetFilters() {
      set({ filters: EMPTY_FILTERS });
      void get().reload();
    },

    async reload() {
      await Promise.all([startList(undefined, 0), get().loadStats()]);
    },

    async loadMore() {
      const s = get();
      if (s.status !== 'ready' || s.loadingMore || s.nextCursor === null) return;
      if (s.items.length >= MAX_LOADED) return;
      const seq = listSeq;
      const cursor = s.nextCursor;
      const filter = toEventFilter(s.filters);
      set({ loadingMore: true, loadMoreError: null });
      try {
        const page = await api.invoke('events.list', { ...filter, cursor, limit: PAGE_SIZE });
        if (seq !== listSeq) return;
        set((cur) => {
          const have = new Set(cur.items.map((e) => e.id));
          return {
            items: [...cur.items, ...page.items.filter((e) => !have.has(e.id))],
            nextCursor: page.nextCursor,
            loadingMore: false,
          };
        });
      } catch (err) {
        if (seq !== listSeq) return;
        set({ loadingMore: false, loadMoreError: errorMessage(err) });
      }
    },

    async loadOlder() {
      const s = get();
      if (s.nextCursor === null) return;
      await startList(s.nextCursor, s.skipped + s.items.length);
    },

    async loadStats() {
      const seq = ++statsSeq;
      const filter = toEventFilter(get().filters);
      try {
        const stats = await api.invoke('events.stats', filter);
        if (seq !== statsSeq) return;
        set({ stats, statsError: null });
      } catch (err) {
        if (seq !== statsSeq) return;
        // A refused search is reported once, by the list, under the search box.
        set({ stats: null, statsError: searchProblem(err, filter) ? null : errorMessage(err) });
      }
    },

    applyCreated(event) {
      const s = get();
      if (s.items.some((e) => e.id === event.id)) {
        get().applyUpdated(event);
        return;
      }
      if (s.status !== 'ready' || s.searchError) return;
      const filter = toEventFilter(s.filters);
      if (filter.q) {
        set({ hasNew: true });
        return;
      }
      if (!matchesFilter(event, filter)) return;
      // The stats count every match, loaded or not.
      const stats = bumpStats(s.stats, event, 1);
      if (s.skipped > 0) {
        set({ stats, hasNew: true });
        return;
      }
      const at = s.items.findIndex((e) => compareNewestFirst(event, e) < 0);
      if (at === -1 && s.nextCursor !== null) {
        // Older than everything loaded: a later page brings it.
        set({ stats });
        return;
      }
      const items = [...s.items];
      items.splice(at === -1 ? items.length : at, 0, event);
      set({ items, stats });
    },

    applyUpdated(event) {
      set((s) => {
        const index = s.items.findIndex((e) => e.id === event.id);
        if (index === -1) return {};
        const old = s.items[index];
        const items = [...s.items];
        items[index] = event;
        let stats = s.stats;
        if (old && old.riskLevel !== event.riskLevel) {
          stats = bumpStats(bumpStats(stats, old, -1), event, 1);
        }
        return { items, stats };
      });
    },

    setSelected(id, selected) {
      set((s) => {
        if (s.selected.has(id) === selected) return {};
        const next = new Set(s.selected);
        if (selected) next.add(id);
        else next.delete(id);
        return { selected: next };
      });
    },

    selectAllLoaded(selected) {
      set((s) => ({ selected: selected ? new Set(s.items.map((e) => e.id)) : new Set() }));
    },

    async markSelectedReviewed() {
      const ids = [...get().selected];
      let updated = 0;
      for (let i = 0; i < ids.length; i += BULK_CHUNK) {
        const chunk = ids.slice(i, i + BULK_CHUNK);
        const result = await api.invoke('events.bulkUpdate', { ids: chunk, reviewed: true });
        updated += result.updated;
        const done = new Set(chunk);
        set((s) => {
          const selected = new Set(s.selected);
          for (const id of chunk) selected.delete(id);
          return {
            items: s.items.map((e) =>
              done.has(e.id) && !e.reviewed ? { ...e, reviewed: true } : e,
            ),
            selected,
          };
        });
      }
      void get().loadStats();
      return updated;
    },
  };
});

/** Keeps the timeline current from push events; returns the unsubscribe. */
export function startEventsSync(): () => void {
  const offCreated = api.on('event.created', (event) => useEvents.getState().applyCreated(event));
  const offUpdated = api.on('event.updated', (event) => useEvents.getState().applyUpdated(event));
  return () => {
    offCreated();
    offUpdated();
  };
}
