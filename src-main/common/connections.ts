import type { ConnectionInfo } from '../../src-shared/domain';

export type { ConnectionInfo };

/** One connection's counters, kept by the transport that serves it. */
export interface ConnectionHandle {
  sent(): void;
  dropped(): void;
  close(): void;
}

/** The connected renderers of every transport (IPC windows, WebSocket clients). */
export class ConnectionRegistry {
  private readonly open = new Map<number, ConnectionInfo>();
  private next = 1;

  add(kind: ConnectionInfo['kind'], origin: string | null): ConnectionHandle {
    const info: ConnectionInfo = {
      id: this.next++,
      kind,
      origin,
      connectedSince: new Date().toISOString(),
      sent: 0,
      dropped: 0,
    };
    this.open.set(info.id, info);
    return {
      sent: () => void (info.sent += 1),
      dropped: () => void (info.dropped += 1),
      close: () => void this.open.delete(info.id),
    };
  }

  list(): ConnectionInfo[] {
    return [...this.open.values()].map((c) => ({ ...c }));
  }
}
