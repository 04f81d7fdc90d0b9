import { create } from 'zustand';
import type { CameraSnapshot } from '../../src-shared/domain';
import { api, errorMessage } from '../api';

export interface SnapshotsStore {
  /** The latest processed image per camera id. */
  byCamera: Partial<Record<string, CameraSnapshot>>;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  load(): Promise<void>;
}

let loadSeq = 0;

export const useSnapshots = create<SnapshotsStore>()((set) => ({
  byCamera: {},
  status: 'idle',
  error: null,
  async load() {
    const seq = ++loadSeq;
    set((s) => ({ status: s.status === 'ready' ? 'ready' : 'loading' }));
    try {
      const list = await api.invoke('cameras.snapshots', {});
      if (seq !== loadSeq) return;
      const byCamera: Record<string, CameraSnapshot> = {};
      for (const snapshot of list) byCamera[snapshot.cameraId] = snapshot;
      set({ byCamera, status: 'ready', error: null });
    } catch (err) {
      if (seq !== loadSeq) return;
      set({ status: 'error', error: errorMessage(err) });
    }
  },
}));

/** Pushes can come many times a second; reload at most this often. */
const REFRESH_DELAY_MS = 300;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;

function refreshSoon(): void {
  // Nothing shows snapshots yet: the first page that does loads them.
  if (useSnapshots.getState().status === 'idle' || refreshTimer !== undefined) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = undefined;
    void useSnapshots.getState().load();
  }, REFRESH_DELAY_MS);
}

/**
 * Refreshes the latest snapshots when a camera's image was processed (`detections.created`
 * comes for every image, with or without detections) or a camera changed; returns the
 * unsubscribe.
 */
export function startSnapshotSync(): () => void {
  const offCreated = api.on('detections.created', refreshSoon);
  const offStatus = api.on('camera.status', refreshSoon);
  const offDeleted = api.on('camera.deleted', ({ id }) => {
    useSnapshots.setState((s) => {
      const { [id]: _removed, ...rest } = s.byCamera;
      return { byCamera: rest };
    });
  });
  return () => {
    offCreated();
    offStatus();
    offDeleted();
    clearTimeout(refreshTimer);
    refreshTimer = undefined;
  };
}
