import type { ChangeEventBody } from '../../src/shared/index.js';
import type { ChangeTarget, Store } from '../../src/store/index.js';

/**
 * After a test writes the store directly (to make states the API cannot), announces it on the
 * process's feed as a real write would: the stored config version is bumped (in its own
 * transaction, after the test's write) and the event carries that version, so in-memory views
 * follow and a later real write's event is the next version, not a gap or a repeat.
 */
export async function announceTestWrite(target: ChangeTarget, body: ChangeEventBody): Promise<void> {
  await target.feed.publish({ ...body, version: await bumpTestVersion(target.store) });
}

/** The version bump alone, for a test that publishes later (after closing the store) or counts only the views' reads. */
export function bumpTestVersion(store: Store): Promise<number> {
  return store.transaction((tx) => tx.configVersion.bump());
}
