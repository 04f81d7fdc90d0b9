import { create } from 'zustand';

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

export interface ConnectionStore {
  state: ConnectionState;
  /** Why we cannot connect at all (not a passing outage). */
  problem: 'no-token' | null;
  /** How many times the push channel came back after the first connection; pages reload on it. */
  reconnects: number;
}

export const useConnection = create<ConnectionStore>()(() => ({
  state: 'connecting',
  problem: null,
  reconnects: 0,
}));

export const CONNECTION_LABELS: Record<ConnectionState, string> = {
  connected: 'Connected',
  connecting: 'Connecting…',
  disconnected: 'Disconnected',
};
