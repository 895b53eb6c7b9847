/**
 * Fail closed: when a change cannot be applied to the gateway's snapshot and rebuilding it from the
 * store fails too, the gateway may still hold what was just revoked, so it refuses every request
 * (503, Retry-After) and its health probe says not ready, instead of serving the stale view.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { bumpTestVersion } from '../helpers/change-events.js';
import { api, openHarness, operation, subscription, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await openHarness({
    seed: async (store, echoUrl) => {
      await store.management.putApi(api('open', 'open', `${echoUrl}/api`, { subscriptionRequired: false }));
      await store.management.putOperation(operation('open', 'get', 'GET', '/resource'));
      await store.management.putSubscription(subscription('sub-1', '/'));
    },
  });
});
afterAll(async () => {
  await h?.close().catch(() => undefined); // the store is already closed
});

test('a change that cannot be applied while the store is down makes the gateway refuse requests with 503', async () => {
  expect((await h.call('GET', '/open/resource')).status).toBe(200);
  const version = await bumpTestVersion(h.store); // the write committed, then the store goes away:
  await h.store.close(); // the incremental step and the rebuild both fail
  await h.feed.publish({ type: 'subscription.deleted', subscriptionId: 'sub-1', version });

  const refused = await h.call('GET', '/open/resource');
  expect(refused.status).toBe(503);
  expect(refused.headers['retry-after']).toBe('1');
  expect(refused.json()).toEqual({ statusCode: 503, message: 'Service unavailable: the gateway could not bring its configuration up to date. Try again shortly.' });
  expect((await h.call('GET', '/status-0123456789abcdef')).status).toBe(503);
});
