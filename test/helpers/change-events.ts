import type { ChangeEventBody, ChangeFeed } from '../../src/shared/index.js';

/**
 * After a test writes the store directly (to make states the API cannot), announces it on the
 * process's feed as a real write would, with the next version, so in-memory views follow.
 */
export async function announceTestWrite(feed: ChangeFeed, body: ChangeEventBody): Promise<void> {
  await feed.publish({ ...body, version: feed.currentVersion + 1 });
}
