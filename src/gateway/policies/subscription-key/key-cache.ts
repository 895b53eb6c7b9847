import { sha256 } from '../../../shared/crypto.js';
import { subscriptionByKeyHash, type Snapshot, type SubscriptionEntry } from '../../snapshot.js';

const DEFAULT_MAX_ENTRIES = 10_000; // keys remembered; the oldest go first

/**
 * Finds the subscription of a presented key without hashing it on every request: SHA-256 of the
 * key (a few µs, the largest cost of a key call in the profile) runs once per key and key set;
 * later calls with the same key are one `Map` lookup.
 *
 * Only keys that matched a subscription are remembered (a flood of wrong keys cannot fill it), at
 * most `maxEntries`, and all of them are forgotten as soon as the snapshot's key set changes (any
 * subscription written, a key regenerated, a subscription deleted): a raw key is held in memory
 * only while the snapshot holds its digest, so it never outlives the key set it belongs to. The
 * entry returned is the one of that key set; state, expiry and owner are checked by the caller on
 * every request, as before.
 */
export class SubscriptionKeyCache {
  private readonly entries = new Map<string, SubscriptionEntry>();
  /** The key set (`snapshot.subscriptionsByKeyHash`, immutable) the entries were found in. */
  private keySet: Snapshot['subscriptionsByKeyHash'] | undefined = undefined;

  constructor(private readonly maxEntries: number = DEFAULT_MAX_ENTRIES) {}

  lookup(snapshot: Snapshot, key: string): SubscriptionEntry | undefined {
    if (snapshot.subscriptionsByKeyHash !== this.keySet) {
      this.entries.clear();
      this.keySet = snapshot.subscriptionsByKeyHash;
    }
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const found = subscriptionByKeyHash(snapshot, sha256(key));
    if (found === undefined) return undefined;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, found);
    return found;
  }

  /** How many keys are remembered (tests). */
  get size(): number {
    return this.entries.size;
  }
}
