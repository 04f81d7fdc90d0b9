/** The delivery log: the newest deliveries (optionally one status), live from `delivery.updated`. */
import { create } from 'zustand';
import type { Delivery, DeliveryStatus } from '../../src-shared/domain';
import { api, errorMessage } from '../api';

/** How many deliveries the log shows. */
export const DELIVERIES_LIMIT = 100;

export interface DeliveriesStore {
  statusFilter: DeliveryStatus | null;
  items: Delivery[];
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  setStatusFilter: (status: DeliveryStatus | null) => void;
  reload: () => Promise<void>;
  apply: (delivery: Delivery) => void;
  /** Queues a failed or dead delivery again; throws the server's error. */
  retry: (id: string) => Promise<void>;
}

function newestFirst(a: Delivery, b: Delivery): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

let loadSeq = 0;

export const useDeliveries = create<DeliveriesStore>()((set, get) => ({
  statusFilter: null,
  items: [],
  status: 'idle',
  error: null,

  setStatusFilter(statusFilter) {
    if (statusFilter === get().statusFilter) return;
    set({ statusFilter });
    void get().reload();
  },

  async reload() {
    const seq = ++loadSeq;
    const { statusFilter } = get();
    set((s) => ({ status: s.status === 'ready' ? 'ready' : 'loading', error: null }));
    try {
      const items = await api.invoke('notify.deliveries.list', {
        ...(statusFilter ? { status: statusFilter } : {}),
        limit: DELIVERIES_LIMIT,
      });
      if (seq !== loadSeq) return;
      set({ items: [...items].sort(newestFirst), status: 'ready' });
    } catch (err) {
      if (seq !== loadSeq) return;
      set({ status: 'error', error: errorMessage(err) });
    }
  },

  apply(delivery) {
    set((s) => {
      if (s.status !== 'ready') return {};
      const others = s.items.filter((d) => d.id !== delivery.id);
      const shown = s.statusFilter === null || delivery.status === s.statusFilter;
      if (!shown) return others.length === s.items.length ? {} : { items: others };
      const known = others.length !== s.items.length;
      const last = s.items[s.items.length - 1];
      // A new delivery older than everything shown of a full log stays out of it.
      if (!known && s.items.length >= DELIVERIES_LIMIT && last && newestFirst(delivery, last) > 0) {
        return {};
      }
      const items = [...others, delivery].sort(newestFirst);
      return { items: items.slice(0, Math.max(DELIVERIES_LIMIT, s.items.length)) };
    });
  },

  async retry(id) {
    const delivery = await api.invoke('notify.deliveries.retry', { id });
    get().apply(delivery);
  },
}));

/** Keeps the log current from push events; returns the unsubscribe. */
export function startDeliveriesSync(): () => void {
  return api.on('delivery.updated', (delivery) => useDeliveries.getState().apply(delivery));
}
