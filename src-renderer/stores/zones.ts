import { create } from 'zustand';
import type { Zone } from '../../src-shared/domain';
import { api, errorMessage } from '../api';

export interface ZonesStore {
  /** Zones by camera id, for the cameras loaded so far. */
  byCamera: Readonly<Record<string, Zone[]>>;
  errors: Readonly<Record<string, string>>;
  /** Loads the zones of the cameras not loaded (or loading) yet. */
  ensure: (cameraIds: readonly string[]) => void;
  /** Forgets what is loaded (e.g. after a reconnect). */
  reset: () => void;
}

const loading = new Set<string>();
let generation = 0;

/** Zones per camera, loaded on demand (the rules editor's zone picker). */
export const useZones = create<ZonesStore>()((set, get) => ({
  byCamera: {},
  errors: {},
  ensure(cameraIds) {
    const gen = generation;
    for (const cameraId of cameraIds) {
      if (get().byCamera[cameraId] || loading.has(cameraId)) continue;
      loading.add(cameraId);
      api.invoke('zones.list', { cameraId }).then(
        (zones) => {
          loading.delete(cameraId);
          if (gen !== generation) return;
          set((s) => {
            const errors = { ...s.errors };
            delete errors[cameraId];
            return { byCamera: { ...s.byCamera, [cameraId]: zones }, errors };
          });
        },
        (err: unknown) => {
          loading.delete(cameraId);
          if (gen !== generation) return;
          set((s) => ({ errors: { ...s.errors, [cameraId]: errorMessage(err) } }));
        },
      );
    }
  },
  reset() {
    generation++;
    loading.clear();
    set({ byCamera: {}, errors: {} });
  },
}));
