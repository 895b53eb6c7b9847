/**
 * Counts failed client authentications per key (client id, caller address) in fixed windows and
 * says how long to wait once a key is over its limit. Throttling rather than locking out: a lockout
 * would let anyone disable an application by failing on purpose. Memory is bounded.
 */
export class FailureThrottle {
  private readonly windows = new Map<string, { start: number; failures: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 10_000,
  ) {}

  /** Seconds to wait, or undefined when the key may try. */
  retryAfter(key: string): number | undefined {
    const window = this.current(key);
    if (!window || window.failures < this.limit) return undefined;
    return Math.max(1, Math.ceil((window.start + this.windowMs - this.now()) / 1000));
  }

  /** Takes back one failure (an attempt counted up front that then succeeded). */
  forgive(key: string): void {
    const window = this.current(key);
    if (window && window.failures > 0) window.failures--;
  }

  recordFailure(key: string): void {
    const window = this.current(key);
    if (window) {
      window.failures++;
      return;
    }
    if (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value!); // oldest first
    this.windows.set(key, { start: this.now(), failures: 1 });
  }

  private current(key: string): { start: number; failures: number } | undefined {
    const window = this.windows.get(key);
    if (window && this.now() - window.start >= this.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }
}
