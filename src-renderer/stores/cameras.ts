import { create } from 'zustand';
import type { Camera } from '../../src-shared/domain';
import { api, errorMessage } from '../api';

export interface CamerasStore {
  cameras: Camera[];
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  load(): Promise<void>;
  upsert(camera: Camera): void;
  remove(id: string): void;
}

function byName(a: Camera, b: Camera): number {
  return (
    a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }) || a.id.localeCompare(b.id)
  );
}

let loadSeq = 0;

export const useCameras = create<CamerasStore>()((set) => ({
  cameras: [],
  status: 'idle',
  error: null,
  async load() {
    const seq = ++loadSeq;
    set((s) => ({ status: s.status === 'ready' ? 'ready' : 'loading' }));
    try {
      const cameras = await api.invoke('cameras.list', {});
      if (seq !== loadSeq) return;
      set({ cameras: [...cameras].sort(byName), status: 'ready', error: null });
    } catch (err) {
      if (seq !== loadSeq) return;
      set({ status: 'error', error: errorMessage(err) });
    }
  },
  upsert(camera) {
    set((s) => ({
      cameras: [...s.cameras.filter((c) => c.id !== camera.id), camera].sort(byName),
    }));
  },
  remove(id) {
    set((s) => ({ cameras: s.cameras.filter((c) => c.id !== id) }));
  },
}));

/** Keeps the camera store current from push events; returns the unsubscribe. */
export function startCameraSync(): () => void {
  const offStatus = api.on('camera.status', (camera) => useCameras.getState().upsert(camera));
  const offDeleted = api.on('camera.deleted', ({ id }) => useCameras.getState().remove(id));
  return () => {
    offStatus();
    offDeleted();
  };
}
