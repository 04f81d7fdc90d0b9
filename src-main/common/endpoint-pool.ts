/**
 * Several servers doing the same job (inference servers, LLM replicas): each call goes to the
 * endpoint with the fewest requests in flight (or the first by priority), within its own
 * concurrency limit; a failing endpoint is taken out by its circuit breaker (open after
 * `failuresToOpen` failures in a row, one trial call after `cooldownMs`) and the call is
 * tried on the next one. When none is left the call fails with AllEndpointsFailed.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface EndpointStats {
  key: string;
  state: BreakerState;
  outstanding: number;
  maxConcurrent: number;
  failures: number;
  /** Smoothed latency of successful calls (ms), null before the first. */
  latencyMs: number | null;
  requests: number;
  errors: number;
  lastError: string | null;
}

export class AllEndpointsFailed extends Error {
  constructor(readonly errors: { key: string; message: string }[]) {
    super(
      errors.length
        ? `No endpoint could answer: ${errors.map((e) => `${e.key}: ${e.message}`).join('; ')}`
        : 'No endpoint is available',
    );
    this.name = 'AllEndpointsFailed';
  }
}

/** A failure that says nothing about the endpoint's health (bad input): not retried elsewhere. */
export class CallerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallerError';
  }
}

interface Slot<E> {
  key: string;
  endpoint: E;
  stats: EndpointStats;
  openedAt: number;
  trialInFlight: boolean;
}

export class EndpointPool<E> {
  private readonly slots: Slot<E>[];
  private readonly waiters: (() => void)[] = [];
  private turn = 0;

  constructor(
    endpoints: { key: string; endpoint: E; maxConcurrent: number }[],
    private readonly o: {
      mode?: 'least-outstanding' | 'priority';
      failuresToOpen?: number;
      cooldownMs?: number;
      now?: () => number;
    } = {},
  ) {
    this.slots = endpoints.map((e) => ({
      key: e.key,
      endpoint: e.endpoint,
      openedAt: 0,
      trialInFlight: false,
      stats: {
        key: e.key,
        state: 'closed',
        outstanding: 0,
        maxConcurrent: Math.max(1, e.maxConcurrent),
        failures: 0,
        latencyMs: null,
        requests: 0,
        errors: 0,
        lastError: null,
      },
    }));
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  get size(): number {
    return this.slots.length;
  }

  stats(): EndpointStats[] {
    return this.slots.map((s) => ({ ...s.stats }));
  }

  private usable(s: Slot<E>, reserveTrial: boolean): boolean {
    if (s.stats.state === 'closed') return true;
    if (s.trialInFlight) return false;
    if (this.now() - s.openedAt < (this.o.cooldownMs ?? 10_000)) return false;
    if (reserveTrial) {
      s.stats.state = 'half-open';
      s.trialInFlight = true;
    }
    return true;
  }

  /** The next endpoint to try (not among `tried`), waiting for a free slot if all are busy. */
  private async pick(tried: Set<Slot<E>>): Promise<Slot<E> | undefined> {
    for (;;) {
      const healthy = this.slots.filter((s) => !tried.has(s) && this.usable(s, false));
      if (healthy.length === 0) return undefined;
      const free = healthy.filter((s) => s.stats.outstanding < s.stats.maxConcurrent);
      if (free.length) {
        let chosen: Slot<E>;
        if (this.o.mode === 'priority') {
          chosen = free[0]!;
        } else {
          const least = Math.min(...free.map((s) => s.stats.outstanding));
          const ties = free.filter((s) => s.stats.outstanding === least);
          chosen = ties[this.turn++ % ties.length]!;
        }
        this.usable(chosen, true);
        return chosen;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Runs the call on one endpoint after another until one answers. */
  async run<T>(call: (endpoint: E, key: string) => Promise<T>): Promise<T> {
    const tried = new Set<Slot<E>>();
    const errors: { key: string; message: string }[] = [];
    for (;;) {
      const slot = await this.pick(tried);
      if (!slot) throw new AllEndpointsFailed(errors);
      tried.add(slot);
      const s = slot.stats;
      s.outstanding += 1;
      s.requests += 1;
      const started = this.now();
      try {
        const result = await call(slot.endpoint, slot.key);
        const took = this.now() - started;
        s.latencyMs = s.latencyMs === null ? took : s.latencyMs * 0.8 + took * 0.2;
        this.succeeded(slot);
        return result;
      } catch (err) {
        if (err instanceof CallerError) {
          this.succeeded(slot);
          throw err;
        }
        this.failed(slot, (err as Error).message);
        errors.push({ key: slot.key, message: (err as Error).message });
      } finally {
        s.outstanding -= 1;
        // Every waiter looks again: the endpoint may have opened, leaving them none to wait for.
        for (const wake of this.waiters.splice(0)) wake();
      }
    }
  }

  private succeeded(slot: Slot<E>): void {
    slot.trialInFlight = false;
    slot.stats.failures = 0;
    slot.stats.state = 'closed';
  }

  private failed(slot: Slot<E>, message: string): void {
    const s = slot.stats;
    slot.trialInFlight = false;
    s.errors += 1;
    s.failures += 1;
    s.lastError = message;
    if (s.state === 'half-open' || s.failures >= (this.o.failuresToOpen ?? 3)) {
      s.state = 'open';
      slot.openedAt = this.now();
    }
  }

  /** A health probe's answer: an open endpoint that answers is closed again at once. */
  report(key: string, healthy: boolean, message?: string): void {
    const slot = this.slots.find((s) => s.key === key);
    if (!slot) return;
    if (healthy) {
      if (slot.stats.state !== 'closed') this.succeeded(slot);
    } else if (slot.stats.state === 'closed') {
      slot.stats.lastError = message ?? 'not ready';
      slot.stats.state = 'open';
      slot.openedAt = this.now();
    }
  }

  endpoints(): { key: string; endpoint: E }[] {
    return this.slots.map((s) => ({ key: s.key, endpoint: s.endpoint }));
  }
}
