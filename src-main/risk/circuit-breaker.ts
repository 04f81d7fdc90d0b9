export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerSnapshot {
  name: string;
  state: BreakerState;
  failures: number;
  openedAt: string | null;
}

/**
 * Closed: calls go through. After `threshold` failures in a row: open (calls refused) for
 * `cooldownMs`; then half-open: one trial call, whose outcome closes or re-opens it.
 */
export class CircuitBreaker {
  private stateValue: BreakerState = 'closed';
  private failures = 0;
  private openedAt: number | null = null;
  private trialInFlight = false;

  constructor(
    readonly name: string,
    private readonly threshold = 3,
    private readonly cooldownMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): BreakerState {
    if (
      this.stateValue === 'open' &&
      this.openedAt !== null &&
      this.now() - this.openedAt >= this.cooldownMs
    ) {
      this.stateValue = 'half-open';
    }
    return this.stateValue;
  }

  /** Whether a call may go out now (a half-open breaker lets exactly one through). */
  tryAcquire(): boolean {
    const s = this.state;
    if (s === 'closed') return true;
    if (s === 'half-open' && !this.trialInFlight) {
      this.trialInFlight = true;
      return true;
    }
    return false;
  }

  success(): void {
    this.stateValue = 'closed';
    this.failures = 0;
    this.openedAt = null;
    this.trialInFlight = false;
  }

  failure(): void {
    this.trialInFlight = false;
    this.failures += 1;
    if (this.stateValue === 'half-open' || this.failures >= this.threshold) {
      this.stateValue = 'open';
      this.openedAt = this.now();
    }
  }

  snapshot(): BreakerSnapshot {
    return {
      name: this.name,
      state: this.state,
      failures: this.failures,
      openedAt: this.openedAt === null ? null : new Date(this.openedAt).toISOString(),
    };
  }
}
