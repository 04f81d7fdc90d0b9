/** Export jobs, newest first, live from `export.progress`. */
import { create } from 'zustand';
import type { ChannelInput } from '../../src-shared/contract';
import type { ExportJob, ExportStatus } from '../../src-shared/domain';
import { ApiError, api, errorMessage } from '../api';

/** How many jobs the list loads. */
export const EXPORTS_LIMIT = 100;

export interface ExportsStore {
  items: ExportJob[];
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  reload: () => Promise<void>;
  /** Takes a job from a push or an answer, unless what is shown is already further along. */
  apply: (job: ExportJob) => void;
  /** Starts an export; throws the server's error (a refused search among them). */
  create: (input: ChannelInput<'exports.create'>) => Promise<ExportJob>;
  /** Cancels a pending or running job; throws the server's error. */
  cancel: (id: string) => Promise<void>;
}

export function isActive(status: ExportStatus): boolean {
  return status === 'pending' || status === 'running';
}

const STAGE: Record<ExportStatus, number> = {
  pending: 0,
  running: 1,
  completed: 2,
  failed: 2,
  cancelled: 2,
};

/**
 * Whether `next` is not older than `shown`. Pushes arrive in order, but the answers to
 * `exports.create` and `exports.list` can overtake them: a job never goes back from finished
 * to running, from running to pending, or to less work done.
 */
function isCurrent(next: ExportJob, shown: ExportJob): boolean {
  if (STAGE[shown.status] === 2) return false;
  if (STAGE[next.status] !== STAGE[shown.status]) return STAGE[next.status] > STAGE[shown.status];
  return next.processed >= shown.processed;
}

function newestFirst(a: ExportJob, b: ExportJob): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

let loadSeq = 0;
/** Jobs applied since the last reload began: kept even if that list was read before them. */
let seenSinceReload = new Set<string>();

export const useExports = create<ExportsStore>()((set, get) => ({
  items: [],
  status: 'idle',
  error: null,

  async reload() {
    const seq = ++loadSeq;
    seenSinceReload = new Set();
    set((s) => ({ status: s.status === 'ready' ? 'ready' : 'loading', error: null }));
    try {
      const listed = await api.invoke('exports.list', { limit: EXPORTS_LIMIT });
      if (seq !== loadSeq) return;
      set((s) => {
        const shown = new Map(s.items.map((j) => [j.id, j]));
        const items = listed.map((job) => {
          const before = shown.get(job.id);
          return before && !isCurrent(job, before) ? before : job;
        });
        const listedIds = new Set(listed.map((j) => j.id));
        for (const job of s.items) {
          if (seenSinceReload.has(job.id) && !listedIds.has(job.id)) items.push(job);
        }
        return { items: items.sort(newestFirst), status: 'ready' };
      });
    } catch (err) {
      if (seq !== loadSeq) return;
      set({ status: 'error', error: errorMessage(err) });
    }
  },

  apply(job) {
    seenSinceReload.add(job.id);
    set((s) => {
      const index = s.items.findIndex((j) => j.id === job.id);
      if (index === -1) return { items: [...s.items, job].sort(newestFirst) };
      const shown = s.items[index];
      if (shown && !isCurrent(job, shown)) return {};
      const items = [...s.items];
      items[index] = job;
      return { items };
    });
  },

  async create(input) {
    const job = await api.invoke('exports.create', input);
    get().apply(job);
    return job;
  },

  async cancel(id) {
    try {
      get().apply(await api.invoke('exports.cancel', { id }));
    } catch (err) {
      // Finished meanwhile: show how it ended, then say why it could not be cancelled.
      if (err instanceof ApiError && err.code === 'conflict') {
        await api.invoke('exports.get', { id }).then(get().apply, () => undefined);
      }
      throw err;
    }
  },
}));

/** Keeps the list current from push events; returns the unsubscribe. */
export function startExportsSync(): () => void {
  return api.on('export.progress', (job) => useExports.getState().apply(job));
}
