import { create } from 'zustand';
import type { NotificationChannel } from '../../src-shared/domain';
import { api, errorMessage } from '../api';

export interface ChannelsStore {
  channels: NotificationChannel[];
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  load: () => Promise<void>;
  upsert: (channel: NotificationChannel) => void;
  remove: (id: string) => void;
}

function byName(a: NotificationChannel, b: NotificationChannel): number {
  return (
    a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }) || a.id.localeCompare(b.id)
  );
}

let loadSeq = 0;

/**
 * The notification channels (sorted by name; secrets come back as "[REDACTED]"), shared by
 * the rules editor, the delivery log and the notification preferences.
 */
export const useChannels = create<ChannelsStore>()((set) => ({
  channels: [],
  status: 'idle',
  error: null,
  async load() {
    const seq = ++loadSeq;
    set((s) => ({ status: s.status === 'ready' ? 'ready' : 'loading' }));
    try {
      const channels = await api.invoke('notify.channels.list', {});
      if (seq !== loadSeq) return;
      set({ channels: [...channels].sort(byName), status: 'ready', error: null });
    } catch (err) {
      if (seq !== loadSeq) return;
      set({ status: 'error', error: errorMessage(err) });
    }
  },
  upsert(channel) {
    set((s) => ({
      channels: [...s.channels.filter((c) => c.id !== channel.id), channel].sort(byName),
    }));
  },
  remove(id) {
    set((s) => ({ channels: s.channels.filter((c) => c.id !== id) }));
  },
}));

/** The name of a channel by id, or the id when it is not (or no longer) known. */
export function channelName(channels: readonly NotificationChannel[], id: string): string {
  return channels.find((c) => c.id === id)?.name ?? id;
}
