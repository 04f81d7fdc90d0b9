/** The number of active alerts for the sidebar badge: one load, then push events. */
import { create } from 'zustand';
import type { Alert } from '../../src-shared/domain';
import { api } from '../api';

/** The most the badge counts (one `alerts.list` page). */
export const ACTIVE_ALERTS_LIMIT = 500;

export interface ActiveAlertsStore {
  ids: ReadonlySet<string>;
  /** The load hit the limit: there may be more than counted. */
  capped: boolean;
  load: () => Promise<void>;
  apply: (alert: Alert) => void;
}

let loadSeq = 0;
/** Pushes that arrive while a load is in flight, replayed over its result. */
let pending: Alert[] | null = null;

function withAlert(ids: ReadonlySet<string>, alert: Alert): ReadonlySet<string> {
  const active = alert.status === 'active';
  if (ids.has(alert.id) === active) return ids;
  const next = new Set(ids);
  if (active) next.add(alert.id);
  else next.delete(alert.id);
  return next;
}

export const useActiveAlerts = create<ActiveAlertsStore>()((set) => ({
  ids: new Set(),
  capped: false,
  async load() {
    const seq = ++loadSeq;
    pending = [];
    try {
      const page = await api.invoke('alerts.list', {
        status: 'active',
        limit: ACTIVE_ALERTS_LIMIT,
      });
      if (seq !== loadSeq) return;
      let ids: ReadonlySet<string> = new Set(page.items.map((a) => a.id));
      for (const alert of pending) ids = withAlert(ids, alert);
      set({ ids, capped: page.nextCursor !== null });
    } catch {
      // The badge is a hint: keep what we had; the next reconnect loads again.
    } finally {
      if (seq === loadSeq) pending = null;
    }
  },
  apply(alert) {
    pending?.push(alert);
    set((s) => {
      const ids = withAlert(s.ids, alert);
      return ids === s.ids ? {} : { ids };
    });
  },
}));

/** Keeps the count current from push events; returns the unsubscribe. */
export function startActiveAlertsSync(): () => void {
  const apply = (alert: Alert) => useActiveAlerts.getState().apply(alert);
  const offCreated = api.on('alert.created', apply);
  const offUpdated = api.on('alert.updated', apply);
  return () => {
    offCreated();
    offUpdated();
  };
}
