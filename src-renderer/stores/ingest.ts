import { create } from 'zustand';
import type { DetectorStatus, IngestStatus } from '../../src-shared/domain';
import { api, errorMessage } from '../api';

export interface IngestStore {
  /** Queue and throughput counters; null until first loaded. */
  ingest: IngestStatus | null;
  /** The object detector's state; null until first loaded. */
  detector: DetectorStatus | null;
  error: string | null;
  load(): Promise<void>;
}

let loadSeq = 0;

export const useIngest = create<IngestStore>()((set) => ({
  ingest: null,
  detector: null,
  error: null,
  async load() {
    const seq = ++loadSeq;
    try {
      const [ingest, detector] = await Promise.all([
        api.invoke('ingest.status', {}),
        api.invoke('detector.status', {}),
      ]);
      if (seq !== loadSeq) return;
      set({ ingest, detector, error: null });
    } catch (err) {
      if (seq !== loadSeq) return;
      set({ error: errorMessage(err) });
    }
  },
}));

/** Keeps ingest and detector status current from push events; returns the unsubscribe. */
export function startIngestSync(): () => void {
  const offIngest = api.on('ingest.status', (ingest) => useIngest.setState({ ingest }));
  const offDetector = api.on('detector.status', (detector) => useIngest.setState({ detector }));
  return () => {
    offIngest();
    offDetector();
  };
}
