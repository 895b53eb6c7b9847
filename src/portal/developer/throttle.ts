/**
 * Failed sign-ins counted per key (an account's email, a client address) in fixed windows.
 * Throttling rather than locking out: a lockout would let anyone lock a developer out on purpose.
 * Memory is bounded: when full, windows that ended go first, then the oldest entry.
 */
export class SignInThrottle {
  private readonly windows = new Map<string, { start: number; failures: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 10_000,
  ) {}

  /** Seconds to wait, or undefined when the key may try now. */
  retryAfter(key: string): number | undefined {
    const window = this.current(key);
    if (!window || window.failures < this.limit) return undefined;
    return Math.max(1, Math.ceil((window.start + this.windowMs - this.now()) / 1000));
  }

  recordFailure(key: string): void {
    const window = this.current(key);
    if (window) {
      window.failures++;
      return;
    }
    if (this.windows.size >= this.maxKeys) this.makeRoom();
    this.windows.set(key, { start: this.now(), failures: 1 });
  }

  /** A successful sign-in clears the account's count (not the address's: one good password must not unlock guessing others). */
  clear(key: string): void {
    this.windows.delete(key);
  }

  private current(key: string): { start: number; failures: number } | undefined {
    const window = this.windows.get(key);
    if (window && this.now() - window.start >= this.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  private makeRoom(): void {
    const at = this.now();
    for (const [key, window] of this.windows) if (at - window.start >= this.windowMs) this.windows.delete(key);
    if (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value!);
  }
}
