/**
 * Remembers which client assertions (by client id and `jti`) were already used, until they expire,
 * so a captured assertion cannot be presented again. An interface because a later issue shares it
 * across nodes (PostgreSQL or Redis); on one node the in-memory one below is exact.
 */
export interface AssertionReplayCache {
  /**
   * Records `jti` for `clientId` until `expiresAtMs` and answers true, or answers false when it is
   * already recorded and not yet expired (a replay). Check-and-record is one step, so two
   * concurrent requests with the same assertion cannot both pass. Throws ReplayLimitError when the
   * client has too many live assertions, ReplayCacheFullError when the whole cache is full.
   */
  claim(clientId: string, jti: string, expiresAtMs: number): Promise<boolean>;
}

/**
 * Bounded twice: per client (so one client signing a flood of valid assertions fills only its own
 * share and blocks only itself) and in total. A full share or cache first sweeps expired entries;
 * if it is still full the claim is refused (fail closed) rather than forgetting a live entry,
 * because forgetting would let an old assertion be replayed.
 */
export class InMemoryReplayCache implements AssertionReplayCache {
  private readonly byClient = new Map<string, Map<string, number>>();
  private total = 0;

  constructor(
    private readonly maxEntries = 100_000,
    private readonly maxPerClient = 1_000, // MSAL makes one assertion per 10 minutes per app instance
    private readonly now: () => number = Date.now,
  ) {}

  async claim(clientId: string, jti: string, expiresAtMs: number): Promise<boolean> {
    const at = this.now();
    let entries = this.byClient.get(clientId);
    const seen = entries?.get(jti);
    if (seen !== undefined && seen > at) return false;
    if (seen === undefined) {
      if (entries !== undefined && entries.size >= this.maxPerClient) {
        this.sweepClient(clientId, entries, at);
        if (entries.size >= this.maxPerClient) throw new ReplayLimitError(this.maxPerClient);
      }
      if (this.total >= this.maxEntries) {
        for (const [id, clientEntries] of this.byClient) this.sweepClient(id, clientEntries, at);
        if (this.total >= this.maxEntries) throw new ReplayCacheFullError();
      }
      this.total++;
    }
    if (entries === undefined || !this.byClient.has(clientId)) {
      entries = new Map();
      this.byClient.set(clientId, entries);
    }
    entries.set(jti, expiresAtMs);
    return true;
  }

  get size(): number {
    return this.total;
  }

  private sweepClient(clientId: string, entries: Map<string, number>, at: number): void {
    for (const [jti, expiresAt] of entries) {
      if (expiresAt <= at) {
        entries.delete(jti);
        this.total--;
      }
    }
    if (entries.size === 0) this.byClient.delete(clientId);
  }
}

/** Thrown when the cache cannot record another assertion: the request fails closed (AADSTS50000, logged). */
export class ReplayCacheFullError extends Error {
  constructor() {
    super('the client assertion replay cache is full');
    this.name = 'ReplayCacheFullError';
  }
}

/** Thrown when one client has too many unexpired assertions recorded; only that client is refused. */
export class ReplayLimitError extends Error {
  constructor(readonly limit: number) {
    super(`the client has ${limit} unexpired client assertions recorded`);
    this.name = 'ReplayLimitError';
  }
}
