/**
 * Brute-force protection for the FTP intake: failed logins are counted per user name and per
 * client address over a sliding window; past the limit, that user (or address) is locked out
 * for a while and every login it tries is refused without checking the password.
 *
 * A camera must not be locked out by someone guessing its password from elsewhere: an
 * address that logged in as a user lately still gets in as that user while the user is
 * locked (unless the address itself is locked).
 */

export interface LockoutOptions {
  /** Failed logins within `windowMs` that lock (default 5). */
  maxFailures: number;
  /** How far back failures count (default 15 minutes). */
  windowMs: number;
  /** How long a lock lasts (default 15 minutes). */
  lockMs: number;
  /** How long a successful login keeps its address trusted for that user (default 24 hours). */
  trustMs: number;
  /** Most users, addresses and trusted pairs remembered each (the oldest are forgotten). */
  maxTracked: number;
  now: () => number;
}

export const DEFAULT_LOCKOUT: LockoutOptions = {
  maxFailures: 5,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  trustMs: 24 * 3600_000,
  maxTracked: 10_000,
  now: () => Date.now(),
};

export type LockScope = 'user' | 'address';

export interface Lock {
  scope: LockScope;
  /** When the lock ends (ms since the epoch). */
  until: number;
}

interface Tracked {
  /** Times of the failures inside the window, oldest first. */
  failures: number[];
  lockedUntil: number;
}

/**
 * A map that forgets its oldest entries past `max` (insertion order, refreshed on write) —
 * except those `keep` says must stay (a lock in force), up to twice `max`: flooding it with
 * new names must not lift a real lock.
 */
function remember<V>(
  map: Map<string, V>,
  key: string,
  value: V,
  max: number,
  keep: (v: V) => boolean = () => false,
): void {
  map.delete(key);
  map.set(key, value);
  if (map.size <= max) return;
  for (const [k, v] of map) {
    if (map.size <= max) break;
    if (!keep(v) || map.size > 2 * max) map.delete(k);
  }
}

export class LoginLockout {
  private readonly o: LockoutOptions;
  private readonly users = new Map<string, Tracked>();
  private readonly addresses = new Map<string, Tracked>();
  /** "user\0address" → last successful login. */
  private readonly trusted = new Map<string, number>();

  constructor(options: Partial<LockoutOptions> = {}) {
    this.o = { ...DEFAULT_LOCKOUT, ...options };
  }

  /** Logins being checked now, per `a:<address>` and `u:<user>`. */
  private readonly pending = new Map<string, number>();

  /**
   * The lock that refuses this login now, if any (the address's first). Logins still being
   * checked count as failures here, so guesses sent at once get no more than one by one.
   */
  locked(user: string, address: string): Lock | undefined {
    const now = this.o.now();
    const recent = (t: Tracked | undefined) =>
      t ? t.failures.filter((at) => now - at < this.o.windowMs).length : 0;
    const byAddress = this.addresses.get(address);
    if (byAddress && byAddress.lockedUntil > now) {
      return { scope: 'address', until: byAddress.lockedUntil };
    }
    const trusted = this.isTrusted(user, address, now);
    const byUser = this.users.get(user);
    if (byUser && byUser.lockedUntil > now && !trusted) {
      return { scope: 'user', until: byUser.lockedUntil };
    }
    const max = this.o.maxFailures;
    if (recent(byAddress) + (this.pending.get(`a:${address}`) ?? 0) >= max) {
      return { scope: 'address', until: now };
    }
    if (!trusted && recent(byUser) + (this.pending.get(`u:${user}`) ?? 0) >= max) {
      return { scope: 'user', until: now };
    }
    return undefined;
  }

  /** A login being checked (its password); call the result when it is decided. */
  attempt(user: string, address: string): () => void {
    const keys = [`a:${address}`, `u:${user}`];
    for (const k of keys) this.pending.set(k, (this.pending.get(k) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      for (const k of keys) {
        const n = (this.pending.get(k) ?? 1) - 1;
        if (n > 0) this.pending.set(k, n);
        else this.pending.delete(k);
      }
    };
  }

  /**
   * Counts a failed login; returns the locks it started (none while they are already on).
   * A trusted address's failures count against the user like any other.
   */
  failed(user: string, address: string): (Lock & { failures: number })[] {
    const started: (Lock & { failures: number })[] = [];
    for (const [scope, map, key] of [
      ['address', this.addresses, address],
      ['user', this.users, user],
    ] as const) {
      const lock = this.count(map, key);
      if (lock) started.push({ scope, ...lock });
    }
    return started;
  }

  /**
   * A successful login: the address is trusted for the user. Failures are not forgotten (a
   * password that works for one camera must not buy guesses at another's).
   */
  succeeded(user: string, address: string): void {
    remember(this.trusted, `${user}\0${address}`, this.o.now(), this.o.maxTracked);
  }

  private isTrusted(user: string, address: string, now: number): boolean {
    const at = this.trusted.get(`${user}\0${address}`);
    return at !== undefined && now - at < this.o.trustMs;
  }

  private count(
    map: Map<string, Tracked>,
    key: string,
  ): { until: number; failures: number } | undefined {
    const now = this.o.now();
    const tracked = map.get(key) ?? { failures: [], lockedUntil: 0 };
    tracked.failures = tracked.failures.filter((at) => now - at < this.o.windowMs);
    tracked.failures.push(now);
    const startsLock = tracked.lockedUntil <= now && tracked.failures.length >= this.o.maxFailures;
    if (startsLock) {
      tracked.lockedUntil = now + this.o.lockMs;
      tracked.failures = [];
    }
    remember(map, key, tracked, this.o.maxTracked, (t) => t.lockedUntil > now);
    return startsLock ? { until: tracked.lockedUntil, failures: this.o.maxFailures } : undefined;
  }
}
