/** The in-memory replay cache for client assertion jti values: exact, expiring, bounded, fail-closed. */
import { expect, test } from 'vitest';
import { InMemoryReplayCache, ReplayCacheFullError } from '../../src/identity/token/client-auth/replay-cache.js';

test('a key is accepted once and refused until it expires, then accepted again', async () => {
  let now = 1_000;
  const cache = new InMemoryReplayCache(10, () => now);
  expect(await cache.claim('app:jti-1', 2_000)).toBe(true);
  expect(await cache.claim('app:jti-1', 2_000)).toBe(false);
  expect(await cache.claim('other:jti-1', 2_000)).toBe(true);
  now = 2_000;
  expect(await cache.claim('app:jti-1', 3_000)).toBe(true);
});

test('when full, expired entries make room; with only live entries it refuses rather than forget one', async () => {
  let now = 0;
  const cache = new InMemoryReplayCache(2, () => now);
  await cache.claim('a', 100);
  await cache.claim('b', 500);
  now = 200; // 'a' has expired
  expect(await cache.claim('c', 600)).toBe(true);
  expect(cache.size).toBe(2);
  await expect(cache.claim('d', 700)).rejects.toBeInstanceOf(ReplayCacheFullError);
  expect(await cache.claim('b', 700)).toBe(false); // a live entry is never evicted by the flood
});
