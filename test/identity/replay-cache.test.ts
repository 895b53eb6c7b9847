/** The in-memory replay cache for client assertion jti values: exact, expiring, bounded per client and in total, fail-closed. */
import { expect, test } from 'vitest';
import { InMemoryReplayCache, ReplayCacheFullError, ReplayLimitError } from '../../src/identity/token/client-auth/replay-cache.js';

test('a jti is accepted once and refused until it expires, then accepted again; clients are apart', async () => {
  let now = 1_000;
  const cache = new InMemoryReplayCache(10, 10, () => now);
  expect(await cache.claim('app', 'jti-1', 2_000)).toBe(true);
  expect(await cache.claim('app', 'jti-1', 2_000)).toBe(false);
  expect(await cache.claim('other', 'jti-1', 2_000)).toBe(true);
  now = 2_000;
  expect(await cache.claim('app', 'jti-1', 3_000)).toBe(true);
  expect(cache.size).toBe(2);
});

test('when full, expired entries make room; with only live entries it refuses rather than forget one', async () => {
  let now = 0;
  const cache = new InMemoryReplayCache(2, 10, () => now);
  await cache.claim('x', 'a', 100);
  await cache.claim('y', 'b', 500);
  now = 200; // 'a' has expired
  expect(await cache.claim('z', 'c', 600)).toBe(true);
  expect(cache.size).toBe(2);
  await expect(cache.claim('z', 'd', 700)).rejects.toBeInstanceOf(ReplayCacheFullError);
  expect(await cache.claim('y', 'b', 700)).toBe(false); // a live entry is never evicted by the flood
});

test('one client flooding valid assertions fills only its own share and blocks only itself', async () => {
  let now = 0;
  const cache = new InMemoryReplayCache(100, 3, () => now);
  for (const jti of ['1', '2', '3']) expect(await cache.claim('flooder', jti, 1_000)).toBe(true);
  await expect(cache.claim('flooder', '4', 1_000)).rejects.toBeInstanceOf(ReplayLimitError);
  expect(await cache.claim('flooder', '1', 1_000)).toBe(false); // still a replay, not a limit
  expect(await cache.claim('honest', '1', 1_000)).toBe(true);
  now = 1_000; // the flood has expired
  expect(await cache.claim('flooder', '4', 2_000)).toBe(true);
  expect(cache.size).toBe(2);
});
