/**
 * The Alerts page's list: which alerts are shown (active or all), the loaded pages (newest
 * first), the selection for bulk actions, and live updates from `alert.created` / `alert.updated`.
 */
import { create } from 'zustand';
import type { Alert } from '../../src-shared/domain';
import { api, errorMessage } from '../api';
import { useActiveAlerts } from './active-alerts';

/** Alerts per `alerts.list` call. */
export const ALERTS_PAGE_SIZE = 50;

export type AlertView = 'active' | 'all';
export type AlertAction = 'acknowledge' | 'dismiss';

export interface AlertsStore {
  view: AlertView;
  items: Alert[];
  nextCursor: string | null;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  loadingMore: boolean;
  loadMoreError: string | null;
  selected: ReadonlySet<string>;

  setView: (view: AlertView) => void;
  reload: () => Promise<void>;
  loadMore: () => Promise<void>;
  apply: (alert: Alert) => void;
  setSelected: (id: string, selected: boolean) => void;
  selectAll: (selected: boolean) => void;
  /** Acknowledges or dismisses one alert; throws the server's error. */
  act: (id: string, action: AlertAction) => Promise<Alert>;
  /** Does it to every selected alert; resolves to how many succeeded and the first error. */
  actOnSelected: (
    action: AlertAction,
  ) => Promise<{ done: number; failed: number; error: string | null }>;
}

/** Newest first, as the server pages them (created time, then id). */
function newestFirst(a: Alert, b: Alert): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** Whether the action changes the alert (acknowledge: active; dismiss: not yet dismissed). */
export function canAct(alert: Alert, action: AlertAction): boolean {
  return action === 'acknowledge' ? alert.status === 'active' : alert.status !== 'dismissed';
}

function belongs(view: AlertView, alert: Alert): boolean {
  return view === 'all' || alert.status === 'active';
}

let listSeq = 0;

export const useAlerts = create<AlertsStore>()((set, get) => ({
  view: 'active',
  items: [],
  nextCursor: null,
  status: 'idle',
  error: null,
  loadingMore: false,
  loadMoreError: null,
  selected: new Set(),

  setView(view) {
    if (view === get().view) return;
    set({ view });
    void get().reload();
  },

  async reload() {
    const seq = ++listSeq;
    const { view } = get();
    set({
      status: 'loading',
      error: null,
      loadingMore: false,
      loadMoreError: null,
      selected: new Set(),
    });
    try {
      const page = await api.invoke('alerts.list', {
        ...(view === 'active' ? { status: 'active' as const } : {}),
        limit: ALERTS_PAGE_SIZE,
      });
      if (seq !== listSeq) return;
      set({ items: page.items, nextCursor: page.nextCursor, status: 'ready' });
    } catch (err) {
      if (seq !== listSeq) return;
      set({ items: [], nextCursor: null, status: 'error', error: errorMessage(err) });
    }
  },

  async loadMore() {
    const s = get();
    if (s.status !== 'ready' || s.loadingMore || s.nextCursor === null) return;
    const seq = listSeq;
    set({ loadingMore: true, loadMoreError: null });
    try {
      const page = await api.invoke('alerts.list', {
        ...(s.view === 'active' ? { status: 'active' as const } : {}),
        cursor: s.nextCursor,
        limit: ALERTS_PAGE_SIZE,
      });
      if (seq !== listSeq) return;
      set((cur) => {
        const have = new Set(cur.items.map((a) => a.id));
        return {
          items: [...cur.items, ...page.items.filter((a) => !have.has(a.id))],
          nextCursor: page.nextCursor,
          loadingMore: false,
        };
      });
    } catch (err) {
      if (seq !== listSeq) return;
      set({ loadingMore: false, loadMoreError: errorMessage(err) });
    }
  },

  apply(alert) {
    set((s) => {
      if (s.status !== 'ready') return {};
      const index = s.items.findIndex((a) => a.id === alert.id);
      if (!belongs(s.view, alert)) {
        if (index === -1) return {};
        const selected = new Set(s.selected);
        selected.delete(alert.id);
        return { items: s.items.filter((a) => a.id !== alert.id), selected };
      }
      if (index !== -1) {
        const items = [...s.items];
        items[index] = alert;
        return { items };
      }
      const last = s.items[s.items.length - 1];
      // Older than everything loaded while more pages remain: a later page brings it.
      if (s.nextCursor !== null && last && newestFirst(alert, last) > 0) return {};
      return { items: [...s.items, alert].sort(newestFirst) };
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

  selectAll(selected) {
    set((s) => ({ selected: selected ? new Set(s.items.map((a) => a.id)) : new Set() }));
  },

  async act(id, action) {
    const alert = await api.invoke(
      action === 'acknowledge' ? 'alerts.acknowledge' : 'alerts.dismiss',
      { id },
    );
    get().apply(alert);
    useActiveAlerts.getState().apply(alert);
    return alert;
  },

  async actOnSelected(action) {
    const { items, selected } = get();
    // Only what the action changes: acknowledge active alerts, dismiss what is not dismissed.
    const ids = items.filter((a) => selected.has(a.id) && canAct(a, action)).map((a) => a.id);
    for (const id of selected) {
      if (!ids.includes(id)) get().setSelected(id, false);
    }
    let done = 0;
    let failed = 0;
    let error: string | null = null;
    // One at a time: the API has no bulk call and this keeps the server's queue short.
    for (const id of ids) {
      try {
        await get().act(id, action);
        done++;
      } catch (err) {
        failed++;
        error ??= errorMessage(err);
      }
      get().setSelected(id, false);
    }
    return { done, failed, error };
  },
}));

/** Keeps the alert list current from push events; returns the unsubscribe. */
export function startAlertsSync(): () => void {
  const offCreated = api.on('alert.created', (alert) => useAlerts.getState().apply(alert));
  const offUpdated = api.on('alert.updated', (alert) => useAlerts.getState().apply(alert));
  return () => {
    offCreated();
    offUpdated();
  };
}
