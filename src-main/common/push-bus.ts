import type { PushEvents, PushMessage, PushType } from '../../src-shared/contract';

export type PushListener = (message: PushMessage) => void;

/**
 * Fan-out of push events to every connected renderer (IPC windows, WebSocket clients). A
 * listener that throws (a closed socket) does not stop the others.
 */
export class PushBus {
  private readonly listeners = new Set<PushListener>();

  constructor(private readonly onListenerError: (err: unknown) => void = () => undefined) {}

  emit<T extends PushType>(type: T, data: PushEvents[T]): void {
    const message = { type, data } as PushMessage;
    for (const listener of [...this.listeners]) {
      try {
        listener(message);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  subscribe(listener: PushListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }
}
