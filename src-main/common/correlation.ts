import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The correlation id of the work in progress: a channel call's, or an ingested image's as it
 * travels to its batch, event, alerts and deliveries. Every log line carries it (the logger's
 * mixin reads it here), so one id finds the whole story in the logs.
 */
const store = new AsyncLocalStorage<string>();

export function withCorrelation<T>(correlationId: string | null | undefined, fn: () => T): T {
  return correlationId ? store.run(correlationId, fn) : fn();
}

export function currentCorrelationId(): string | undefined {
  return store.getStore();
}
