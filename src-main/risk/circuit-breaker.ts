import type { CircuitBreakerPolicy } from 'cockatiel';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
} from 'cockatiel';

import type { BreakerSnapshot } from '../../src-shared/domain';
import { withoutCorrelation } from '../common/correlation';

export type { BreakerSnapshot };
export type BreakerState = BreakerSnapshot['state'];

/** The breaker refused the call (open, or a trial call is already out). */
export class CircuitOpenError extends Error {
  constructor(name: string) {
    super(`The ${name} circuit breaker is open`);
    this.name = 'CircuitOpenError';
  }
}

/**
 * Closed: calls go through. After `threshold` failures in a row: open (calls refused) for
 * `cooldownMs`; then half-open: the next call is a trial whose outcome closes or re-opens it.
 * cockatiel's breaker does the work; this adds what the app reports (state with a due trial
 * shown as half-open, failures, when it opened) and tells `onChange` as soon as a trial is
 * due, so listeners need not poll.
 */
export class CircuitBreaker {
  private readonly policy: CircuitBreakerPolicy;
  private failures = 0;
  private openedAt: number | null = null;
  private trialTimer?: NodeJS.Timeout;

  constructor(
    readonly name: string,
    threshold = 3,
    private readonly cooldownMs = 30_000,
    private readonly onChange: (snapshot: BreakerSnapshot) => void = () => undefined,
  ) {
    this.policy = circuitBreaker(handleAll, {
      halfOpenAfter: cooldownMs,
      breaker: new ConsecutiveBreaker(threshold),
    });
    this.policy.onFailure(() => (this.failures += 1));
    this.policy.onSuccess(() => (this.failures = 0));
    this.policy.onBreak(() => {
      this.openedAt = Date.now();
      clearTimeout(this.trialTimer);
      this.trialTimer = withoutCorrelation(() =>
        setTimeout(() => this.onChange(this.snapshot()), cooldownMs),
      );
      this.trialTimer.unref();
      this.onChange(this.snapshot());
    });
    this.policy.onReset(() => {
      this.openedAt = null;
      clearTimeout(this.trialTimer);
      this.onChange(this.snapshot());
    });
  }

  get state(): BreakerState {
    switch (this.policy.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half-open';
      default:
        return this.openedAt !== null && Date.now() - this.openedAt >= this.cooldownMs
          ? 'half-open'
          : 'open';
    }
  }

  /** Runs `fn` unless the breaker is open; its failure counts towards opening it. */
  async execute<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await this.policy.execute(fn);
    } catch (err) {
      if (err instanceof BrokenCircuitError) throw new CircuitOpenError(this.name);
      throw err;
    }
  }

  snapshot(): BreakerSnapshot {
    const { openedAt } = this;
    return {
      name: this.name,
      state: this.state,
      failures: this.failures,
      openedAt: openedAt === null ? null : new Date(openedAt).toISOString(),
      nextTrialAt: openedAt === null ? null : new Date(openedAt + this.cooldownMs).toISOString(),
    };
  }

  close(): void {
    clearTimeout(this.trialTimer);
  }
}
