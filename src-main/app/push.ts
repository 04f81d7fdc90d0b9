import type { PushEvents, PushMessage, PushType } from '../../src-shared/contract';

export type PushListener = (message: PushMessage) => void;

/** Fan-out of push events to every connected renderer (IPC windows, WebSocket clients). */
export class PushBus {
  private readonly listeners = new Set<PushListener>();

  emit<T extends PushType>(type: T, data: PushEvents[T]): void {
    const message = { type, data } as PushMessage;
    for (const listener of this.listeners) listener(message);
  }

  subscribe(listener: PushListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }
}
