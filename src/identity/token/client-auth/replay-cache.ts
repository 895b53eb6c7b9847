/**
 * Remembers which client assertions (by client id and `jti`) were already used, until they expire,
 * so a captured assertion cannot be presented again. An interface because a later issue shares it
 * across nodes (PostgreSQL or Redis); on one node the in-memory one below is exact.
 */
export interface AssertionReplayCache {
  /**
   * Records `key` until `expiresAtMs` and answers true, or answers false when it is already
   * recorded and not yet expired (a replay). Check-and-record is one step, so two concurrent
   * requests with the same assertion cannot both pass.
   */
  claim(key: string, expiresAtMs: number): Promise<boolean>;
}

/**
 * Bounded: at most `maxEntries` live entries. When full, expired entries are swept; if it is still
 * full the claim is refused (fail closed) rather than forgetting a live entry, because forgetting
 * would let an old assertion be replayed. Assertions live at most about an hour, so the bound is
 * only reached under a flood of valid, distinct assertions.
 */
export class InMemoryReplayCache implements AssertionReplayCache {
  private readonly entries = new Map<string, number>();

  constructor(
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(key: string, expiresAtMs: number): Promise<boolean> {
    const at = this.now();
    const seen = this.entries.get(key);
    if (seen !== undefined && seen > at) return false;
    if (seen === undefined && this.entries.size >= this.maxEntries) {
      this.sweep(at);
      if (this.entries.size >= this.maxEntries) throw new ReplayCacheFullError();
    }
    this.entries.set(key, expiresAtMs);
    return true;
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(at: number): void {
    for (const [key, expiresAt] of this.entries) if (expiresAt <= at) this.entries.delete(key);
  }
}

/** Thrown when the cache cannot record another assertion: the request fails closed (AADSTS50000, logged). */
export class ReplayCacheFullError extends Error {
  constructor() {
    super('the client assertion replay cache is full');
    this.name = 'ReplayCacheFullError';
  }
}
