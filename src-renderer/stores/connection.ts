import { create } from 'zustand';

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

export interface ConnectionStore {
  state: ConnectionState;
  /** Why we cannot connect at all (not a passing outage). */
  problem: 'no-token' | null;
}

export const useConnection = create<ConnectionStore>()(() => ({
  state: 'connecting',
  problem: null,
}));

export const CONNECTION_LABELS: Record<ConnectionState, string> = {
  connected: 'Connected',
  connecting: 'Connecting…',
  disconnected: 'Disconnected',
};
