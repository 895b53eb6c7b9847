import type { RateCounterStore } from './rate-counter-store.js';

/** A store whose take answers at once (the in-memory one). */
export interface SyncCounterStore extends RateCounterStore {
  take(key: string, limit: number, periodMs: number, now: number): number;
}

/**
 * Without shared counters, each of N counting processes (gateway nodes × workers) allows its share
 * of a limit: floor(limit / N), at least 1. Across all of them at most N × share ≤ limit calls are
 * counted in a window (when limit ≥ N), so the limit is never exceeded by splitting; a caller whose
 * calls all reach one process gets only its share. Synchronous, like the store it wraps.
 */
export class SplitCounterStore implements RateCounterStore {
  constructor(
    private readonly inner: SyncCounterStore,
    /** How many processes count apart (read per call: it may follow the live nodes). */
    private readonly processes: () => number,
  ) {}

  take(key: string, limit: number, periodMs: number, now: number): number {
    return this.inner.take(key, shareOf(limit, this.processes()), periodMs, now);
  }
}

/** One process's share of `limit` when `processes` count apart. */
export function shareOf(limit: number, processes: number): number {
  return processes <= 1 ? limit : Math.max(1, Math.floor(limit / processes));
}
