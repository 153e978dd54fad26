/**
 * Login throttling: failed logins are counted per user name and per client
 * address in a sliding window. Past the limit, further attempts are refused
 * (429 with Retry-After) until the oldest failure leaves the window, so a
 * password cannot be guessed online and one address cannot try many users.
 */

export interface ThrottleLimits {
  /** Failures allowed per user name within the window. */
  perUser: number;
  /** Failures allowed per address within the window. */
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_LIMITS: ThrottleLimits = { perUser: 5, perAddress: 20, windowMs: 15 * 60_000 };

/** Keys kept at most (oldest dropped): an attacker cycling names cannot grow memory without bound. */
const MAX_KEYS = 10_000;

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limits: ThrottleLimits = DEFAULT_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until a login for this user from this address may be tried, or 0. */
  retryAfterMs(username: string, address: string): number {
    return Math.max(this.wait(`u:${username}`, this.limits.perUser), this.wait(`a:${address}`, this.limits.perAddress));
  }

  failed(username: string, address: string): void {
    this.push(`u:${username}`);
    this.push(`a:${address}`);
  }

  /** A successful login clears the user's failures (not the address's). */
  succeeded(username: string): void {
    this.failures.delete(`u:${username}`);
  }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.limits.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }

  private wait(key: string, limit: number): number {
    const list = this.recent(key);
    if (list.length < limit) return 0;
    // Open again when enough failures have left the window.
    const oldestThatMatters = list[list.length - limit] as number;
    return Math.max(1, oldestThatMatters + this.limits.windowMs - this.now());
  }

  private push(key: string): void {
    const list = this.recent(key);
    list.push(this.now());
    this.failures.delete(key);
    this.failures.set(key, list.slice(-100));
    if (this.failures.size > MAX_KEYS) this.failures.delete(this.failures.keys().next().value as string);
  }
}
