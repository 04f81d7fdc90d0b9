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

/**
 * Runs `fn` outside any correlation: for timers, loops and servers that live on after the call
 * that started them (they would otherwise log under that call's id forever).
 */
export function withoutCorrelation<T>(fn: () => T): T {
  return store.exit(fn);
}

export function currentCorrelationId(): string | undefined {
  return store.getStore();
}
