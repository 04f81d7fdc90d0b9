/**
 * The Operations page's own state: the range of the machine charts and the window of the
 * pipeline latency, kept while the person moves around the app.
 */
import { create } from 'zustand';
import type { MachineRange } from '../operations-data';

export interface OperationsView {
  machineRange: MachineRange;
  /** Seconds back from now. */
  pipelineWindow: number;
  setMachineRange: (range: MachineRange) => void;
  setPipelineWindow: (seconds: number) => void;
}

export const useOperationsView = create<OperationsView>()((set) => ({
  machineRange: 'hour',
  pipelineWindow: 3600,
  setMachineRange: (machineRange) => set({ machineRange }),
  setPipelineWindow: (pipelineWindow) => set({ pipelineWindow }),
}));
