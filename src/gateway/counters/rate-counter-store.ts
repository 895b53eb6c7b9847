/**
 * Where rate-limit and quota counts live. The policies see only this: one node keeps them in memory
 * (InMemoryCounterStore); many nodes will share them (e.g. Redis, design §7) through another
 * implementation, returning a promise, without a change to the policies.
 *
 * A window starts with the first call of a key and lasts `periodMs`; within it at most `limit` calls
 * are counted. Refused calls are not counted.
 */
export interface RateCounterStore {
  /**
   * Counts one call for `key` if the window has room. Returns 0 when the call was counted, or the
   * milliseconds until the window ends (> 0) when it is full. A number, not an object, so the hot
   * path allocates nothing.
   */
  take(key: string, limit: number, periodMs: number, now: number): number | Promise<number>;
}
