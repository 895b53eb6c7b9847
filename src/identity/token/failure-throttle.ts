interface Window {
  readonly start: number;
  failures: number;
}

/**
 * Counts failed client authentications per key (client id, caller address) in fixed windows and
 * says how long to wait once a key is over its limit. Throttling rather than locking out: a lockout
 * would let anyone disable an application by failing on purpose.
 *
 * Memory is bounded at `maxKeys`, and the bookkeeping follows one rule: unrelated traffic never
 * lifts a throttle.
 * - Callers record failures only for clients that exist (see authenticate-client), so unknown
 *   client ids never take a slot, and a key whose failures are all forgiven is dropped at once.
 * - A full table makes room by dropping windows that have ended (they are at the front: a window
 *   is inserted when it starts), then the oldest key still under the limit. A throttled key
 *   (limit reached, window running) is never dropped to make room.
 * - When every slot holds a throttled key, a new key's failure is not recorded: recording it
 *   would mean unthrottling someone. That key is then as unprotected as without a throttle, which
 *   is acceptable because the throttle limits load, not guessing (secrets are 256-bit random), and
 *   reaching that state takes `limit × maxKeys` failures of existing clients within one window;
 *   slots free up as windows end.
 */
export class FailureThrottle {
  private readonly windows = new Map<string, Window>();
  /** While the table is full of throttled keys, nothing can be freed before this time (ms). */
  private fullUntil = 0;

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

  /** Takes back one failure (an attempt counted up front that then did not fail). */
  forgive(key: string): void {
    const window = this.current(key);
    if (!window) return;
    if (window.failures > 1) {
      window.failures--;
      return;
    }
    this.windows.delete(key);
    this.fullUntil = 0; // a slot is free again
  }

  recordFailure(key: string): void {
    const window = this.current(key);
    if (window) {
      window.failures++;
      return;
    }
    if (this.windows.size >= this.maxKeys && !this.makeRoom()) return; // see the class comment
    this.windows.set(key, { start: this.now(), failures: 1 });
  }

  /** Number of keys tracked (for tests and metrics). */
  get size(): number {
    return this.windows.size;
  }

  private makeRoom(): boolean {
    const now = this.now();
    if (now < this.fullUntil) return false;
    for (const [key, window] of this.windows) {
      if (now - window.start < this.windowMs) break;
      this.windows.delete(key);
    }
    if (this.windows.size < this.maxKeys) return true;
    for (const [key, window] of this.windows) {
      if (window.failures < this.limit) {
        this.windows.delete(key);
        return true;
      }
    }
    // Every key is throttled; the oldest window ends first.
    const oldest = this.windows.values().next().value;
    this.fullUntil = oldest ? oldest.start + this.windowMs : 0;
    return false;
  }

  private current(key: string): Window | undefined {
    const window = this.windows.get(key);
    if (window && this.now() - window.start >= this.windowMs) {
      this.windows.delete(key);
      this.fullUntil = 0;
      return undefined;
    }
    return window;
  }
}
