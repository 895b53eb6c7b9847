import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceTestWrite, bumpTestVersion } from '../helpers/change-events.js';
import type { ChangeEventBody } from '../../src/shared/change-events.js';
import { sha256 } from '../../src/shared/crypto.js';
import type { Store } from '../../src/store/store.js';
import { api, backendApp, clientApp, openHarness, operation, product, signToken, subscription, user, type Harness } from './harness.js';

// The gateway applies a change event by re-reading only the rows it names (snapshot-events.ts),
// and rebuilds in full only at start, on a version gap and for the rare events that ask for it.

const AUD = '44444444-0000-0000-0000-000000000001';
const ROLE = 'Product.Tokens.All';

/** Two APIs (one for keys, one for tokens) and `n` users, subscriptions, client apps and links. */
function seedWith(n: number) {
  return async (store: Store, echoUrl: string): Promise<void> => {
    const m = store.management;
    await m.putApi(api('key-api', 'key', echoUrl));
    await m.putApi(api('tok-api', 'tok', echoUrl));
    await m.putOperation(operation('key-api', 'key-get', 'GET', '/resource'));
    await m.putOperation(operation('tok-api', 'tok-get', 'GET', '/resource'));
    await m.putProduct(product('starter', 'Starter'));
    await store.directory.insertApplication(backendApp(AUD, ROLE));
    await m.putProduct(product('tokens', 'Tokens', { authenticationType: ['application-token'], entraAudience: AUD, entraApplicationId: AUD }));
    await m.addProductApi('starter', 'key-api');
    await m.addProductApi('tokens', 'tok-api');
    const names = [...Array.from({ length: n }, (_, i) => String(i)), 'a', 'b'];
    for (const name of names) {
      await m.putUser(user(`u-${name}`));
      await m.putSubscription(subscription(`sub-${name}`, '/products/starter', { ownerId: `u-${name}` }));
      await m.putClientApplication(clientApp(`app-${name}`, `client-${name}`, `u-${name}`));
      await m.putProductLink({ id: `link-${name}`, clientApplicationId: `app-${name}`, productId: 'tokens', appRoleAssignmentId: null, state: 'active' });
    }
  };
}

const ids = (name: string) => ({ clientApplicationId: `app-${name}`, entraApplicationId: `client-${name}`, entraObjectId: null, entraServicePrincipalId: null });

describe('incremental gateway snapshot', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness({ seed: seedWith(10) });
  });
  afterAll(async () => {
    await h?.close();
  });

  const keyStatus = async (key: string): Promise<number> => (await h.call('GET', '/key/resource', { 'ocp-apim-subscription-key': key })).status;
  const tokenStatus = async (name: string): Promise<number> =>
    (await h.call('GET', '/tok/resource', { authorization: `Bearer ${await signToken(h.signingKey, { aud: AUD, azp: `client-${name}`, roles: [ROLE] })}` })).status;

  it('starts with one full build and serves what it read', async () => {
    expect(h.gateway.fullBuilds).toBe(1);
    expect(await keyStatus('sub-a-primary')).toBe(200);
    expect(await tokenStatus('a')).toBe(200);
  });

  it('subscription.updated re-reads only the subscription it names', async () => {
    const builds = h.gateway.fullBuilds;
    const a = (await h.store.management.getSubscription('sub-a'))!;
    const b = (await h.store.management.getSubscription('sub-b'))!;
    await h.store.management.putSubscription({ ...a, state: 'cancelled' });
    await h.store.management.putSubscription({ ...b, state: 'cancelled' });
    await announceTestWrite(h, { type: 'subscription.updated', subscriptionId: 'sub-a' });
    expect(await keyStatus('sub-a-primary')).toBe(401);
    expect(await keyStatus('sub-a-secondary')).toBe(401);
    expect(await keyStatus('sub-b-primary')).toBe(200); // changed in the store, not announced: not re-read
    await h.store.management.putSubscription(a);
    await h.store.management.putSubscription(b);
    await announceTestWrite(h, { type: 'subscription.updated', subscriptionId: 'SUB-A' }); // ids are case-insensitive
    expect(await keyStatus('sub-a-primary')).toBe(200);
    expect(h.gateway.fullBuilds).toBe(builds);
    expect(h.gateway.snapshotVersion).toBe(h.feed.currentVersion);
  });

  it('subscription.keyRegenerated drops the old key and takes the new one', async () => {
    const builds = h.gateway.fullBuilds;
    const a = (await h.store.management.getSubscription('sub-a'))!;
    await h.store.management.putSubscription({ ...a, primaryKeyHash: sha256('sub-a-new-primary') });
    await announceTestWrite(h, { type: 'subscription.keyRegenerated', subscriptionId: 'sub-a', key: 'primary' });
    expect(await keyStatus('sub-a-primary')).toBe(401);
    expect(await keyStatus('sub-a-new-primary')).toBe(200);
    expect(await keyStatus('sub-a-secondary')).toBe(200);
    await h.store.management.putSubscription(a);
    await announceTestWrite(h, { type: 'subscription.keyRegenerated', subscriptionId: 'sub-a', key: 'primary' });
    expect(await keyStatus('sub-a-new-primary')).toBe(401);
    expect(await keyStatus('sub-a-primary')).toBe(200);
    expect(h.gateway.fullBuilds).toBe(builds);
  });

  it('subscription.created and subscription.deleted add and remove exactly that subscription', async () => {
    const builds = h.gateway.fullBuilds;
    await h.store.management.putSubscription(subscription('sub-new', '/products/starter'));
    expect(await keyStatus('sub-new-primary')).toBe(401);
    await announceTestWrite(h, { type: 'subscription.created', subscriptionId: 'sub-new' });
    expect(await keyStatus('sub-new-primary')).toBe(200);
    await h.store.management.deleteSubscription('sub-new');
    await announceTestWrite(h, { type: 'subscription.deleted', subscriptionId: 'sub-new' });
    expect(await keyStatus('sub-new-primary')).toBe(401);
    expect(await keyStatus('sub-new-secondary')).toBe(401);
    expect(await keyStatus('sub-a-primary')).toBe(200);
    expect(h.gateway.fullBuilds).toBe(builds);
  });

  it("user.stateChanged re-reads only that user's state", async () => {
    const builds = h.gateway.fullBuilds;
    const ua = (await h.store.management.getUser('u-a'))!;
    const ub = (await h.store.management.getUser('u-b'))!;
    await h.store.management.putUser({ ...ua, state: 'blocked' });
    await h.store.management.putUser({ ...ub, state: 'blocked' });
    await announceTestWrite(h, { type: 'user.stateChanged', userId: 'u-a', state: 'blocked' });
    expect(await tokenStatus('a')).toBe(401);
    expect(await keyStatus('sub-a-primary')).toBe(401);
    expect(await tokenStatus('b')).toBe(200);
    expect(await keyStatus('sub-b-primary')).toBe(200);
    await h.store.management.putUser(ua);
    await h.store.management.putUser(ub);
    await announceTestWrite(h, { type: 'user.stateChanged', userId: 'u-a', state: 'active' });
    expect(await tokenStatus('a')).toBe(200);
    expect(h.gateway.fullBuilds).toBe(builds);
  });

  it('user.deleted drops the user and the subscriptions it names', async () => {
    const builds = h.gateway.fullBuilds;
    await h.store.management.putUser(user('u-gone'));
    await announceTestWrite(h, { type: 'user.created', userId: 'u-gone' });
    await h.store.management.putSubscription(subscription('sub-gone', '/products/starter', { ownerId: 'u-gone' }));
    await announceTestWrite(h, { type: 'subscription.created', subscriptionId: 'sub-gone' });
    expect(await keyStatus('sub-gone-primary')).toBe(200);
    await h.store.management.deleteSubscription('sub-gone');
    await h.store.management.deleteUser('u-gone');
    await announceTestWrite(h, { type: 'user.deleted', userId: 'u-gone', subscriptionIds: ['sub-gone'] });
    expect(await keyStatus('sub-gone-primary')).toBe(401);
    expect(h.gateway.fullBuilds).toBe(builds);
  });

  it("productLink.deleted and productLink.created re-read only that client application's links", async () => {
    const builds = h.gateway.fullBuilds;
    await h.store.management.deleteProductLink('app-a', 'link-a');
    await h.store.management.deleteProductLink('app-b', 'link-b');
    await announceTestWrite(h, { type: 'productLink.deleted', productLinkId: 'link-a', productId: 'tokens', ...ids('a') });
    expect(await tokenStatus('a')).toBe(401);
    expect(await tokenStatus('b')).toBe(200); // its link went in the store, unannounced: not re-read
    for (const name of ['a', 'b']) {
      await h.store.management.putProductLink({ id: `link-${name}`, clientApplicationId: `app-${name}`, productId: 'tokens', appRoleAssignmentId: null, state: 'active' });
      await announceTestWrite(h, { type: 'productLink.created', productLinkId: `link-${name}`, productId: 'tokens', ...ids(name) });
    }
    expect(await tokenStatus('a')).toBe(200);
    expect(h.gateway.fullBuilds).toBe(builds);
  });

  it('clientApplication.created, updated and deleted change exactly that client application', async () => {
    const builds = h.gateway.fullBuilds;
    await h.store.management.putClientApplication(clientApp('app-new', 'client-new', 'u-a'));
    await h.store.management.putProductLink({ id: 'link-new', clientApplicationId: 'app-new', productId: 'tokens', appRoleAssignmentId: null, state: 'active' });
    expect(await tokenStatus('new')).toBe(401);
    await announceTestWrite(h, { type: 'clientApplication.created', ...ids('new') });
    expect(await tokenStatus('new')).toBe(200);

    await h.store.management.putClientApplication(clientApp('app-new', 'client-new', 'u-a', { state: 'pending' }));
    await h.store.management.putClientApplication(clientApp('app-b', 'client-b', 'u-b', { state: 'pending' }));
    await announceTestWrite(h, { type: 'clientApplication.updated', ...ids('new') });
    expect(await tokenStatus('new')).toBe(401);
    expect(await tokenStatus('b')).toBe(200); // not announced
    await h.store.management.putClientApplication(clientApp('app-b', 'client-b', 'u-b'));
    await announceTestWrite(h, { type: 'clientApplication.updated', ...ids('b') });

    await h.store.management.deleteProductLink('app-new', 'link-new');
    await h.store.management.deleteClientApplication('app-new');
    await announceTestWrite(h, { type: 'clientApplication.deleted', ...ids('new') });
    expect(await tokenStatus('new')).toBe(401);
    expect(await tokenStatus('a')).toBe(200);
    expect(h.gateway.fullBuilds).toBe(builds);
  });

  it('ignores directory events the gateway does not read, but follows their version', async () => {
    const builds = h.gateway.fullBuilds;
    await announceTestWrite(h, { type: 'application.credentialAdded', applicationObjectId: 'app-a-object', keyIds: ['k'] });
    await announceTestWrite(h, { type: 'application.created', applicationObjectId: 'x-object', appId: 'not-a-backend-app', changedObjectIds: ['x-object'] });
    expect(h.gateway.fullBuilds).toBe(builds);
    expect(h.gateway.snapshotVersion).toBe(h.feed.currentVersion);
  });

  it('rebuilds in full on a version gap, and skips events a build already read past', async () => {
    const builds = h.gateway.fullBuilds;
    const a = (await h.store.management.getSubscription('sub-a'))!;
    const b = (await h.store.management.getSubscription('sub-b'))!;
    await h.store.management.putSubscription({ ...a, state: 'suspended' });
    await h.store.management.putSubscription({ ...b, state: 'suspended' });
    // Two writes' versions, the first never announced: its event was never seen, so nothing can be trusted.
    await bumpTestVersion(h.store);
    const gapVersion = await bumpTestVersion(h.store);
    await h.feed.publish({ type: 'subscription.updated', subscriptionId: 'sub-a', version: gapVersion });
    expect(h.gateway.fullBuilds).toBe(builds + 1);
    expect(h.gateway.snapshotVersion).toBe(gapVersion);
    expect(await keyStatus('sub-a-primary')).toBe(401);
    expect(await keyStatus('sub-b-primary')).toBe(401); // the full build read it too

    await h.store.management.putSubscription(a);
    await h.feed.publish({ type: 'subscription.updated', subscriptionId: 'sub-b', version: gapVersion - 1 }); // late: already reflected
    expect(h.gateway.fullBuilds).toBe(builds + 1);
    expect(await keyStatus('sub-a-primary')).toBe(401);

    await h.store.management.putSubscription(b);
    await announceTestWrite(h, { type: 'subscription.updated', subscriptionId: 'sub-a' });
    await announceTestWrite(h, { type: 'subscription.updated', subscriptionId: 'sub-b' });
    expect(await keyStatus('sub-a-primary')).toBe(200);
    expect(await keyStatus('sub-b-primary')).toBe(200);
    expect(h.gateway.fullBuilds).toBe(builds + 1);
  });

  it('re-reads only the small catalog for product, API and operation events', async () => {
    const builds = h.gateway.fullBuilds;
    const b = (await h.store.management.getSubscription('sub-b'))!;
    await h.store.management.putSubscription({ ...b, state: 'cancelled' }); // not announced: must stay unread
    await h.store.management.putApi(api('late-api', 'late', h.echoUrl));
    await announceTestWrite(h, { type: 'api.created', apiId: 'late-api' });
    await h.store.management.putOperation(operation('late-api', 'late-get', 'GET', '/resource'));
    await announceTestWrite(h, { type: 'operation.created', apiId: 'late-api', operationId: 'late-get' });
    expect((await h.call('GET', '/late/resource', { 'ocp-apim-subscription-key': 'sub-a-primary' })).status).toBe(401); // in no product yet
    await h.store.management.addProductApi('starter', 'late-api');
    await announceTestWrite(h, { type: 'product.apiAdded', productId: 'starter', apiId: 'late-api' });
    expect((await h.call('GET', '/late/resource', { 'ocp-apim-subscription-key': 'sub-a-primary' })).status).toBe(200);
    expect(await keyStatus('sub-b-primary')).toBe(200);
    expect(h.gateway.fullBuilds).toBe(builds);
    await h.store.management.putSubscription(b);
  });

  it('rebuilds in full for an event that does not say precisely what changed', async () => {
    const builds = h.gateway.fullBuilds;
    await announceTestWrite(h, { type: 'directory.changed', changedObjectIds: ['x'] });
    expect(h.gateway.fullBuilds).toBe(builds + 1);
    expect(h.gateway.snapshotVersion).toBe(h.feed.currentVersion);
    expect(await tokenStatus('a')).toBe(200);
    expect(await keyStatus('sub-b-primary')).toBe(200);
  });
});

describe('store work per applied event', () => {
  /** Writes each change straight to the store, then counts the queries its announcement causes. */
  async function queriesPerEvent(n: number): Promise<{ perEvent: Record<string, number>; fullBuildsDuring: number }> {
    let queries = 0;
    const h = await openHarness({ seed: seedWith(n), onQuery: () => void queries++ });
    try {
      const m = h.store.management;
      const perEvent: Record<string, number> = {};
      const announce = async (label: string, body: ChangeEventBody): Promise<void> => {
        const version = await bumpTestVersion(h.store); // the write's own statement, not the views'
        queries = 0;
        await h.feed.publish({ ...body, version });
        perEvent[label] = queries;
      };
      const builds = h.gateway.fullBuilds;
      const a = (await m.getSubscription('sub-a'))!;
      await m.putSubscription({ ...a, state: 'suspended' });
      await announce('subscription.updated', { type: 'subscription.updated', subscriptionId: 'sub-a' });
      await m.putSubscription({ ...a, secondaryKeyHash: sha256('other') });
      await announce('subscription.keyRegenerated', { type: 'subscription.keyRegenerated', subscriptionId: 'sub-a', key: 'secondary' });
      await m.deleteSubscription('sub-b');
      await announce('subscription.deleted', { type: 'subscription.deleted', subscriptionId: 'sub-b' });
      await m.putUser(user('u-a', 'blocked'));
      await announce('user.stateChanged', { type: 'user.stateChanged', userId: 'u-a', state: 'blocked' });
      await m.putClientApplication(clientApp('app-c', 'client-c', 'u-a'));
      await announce('clientApplication.created', { type: 'clientApplication.created', ...ids('c') });
      await m.putProductLink({ id: 'link-c', clientApplicationId: 'app-c', productId: 'tokens', appRoleAssignmentId: null, state: 'active' });
      await announce('productLink.created', { type: 'productLink.created', productLinkId: 'link-c', productId: 'tokens', ...ids('c') });
      await m.deleteProductLink('app-a', 'link-a');
      await announce('productLink.deleted', { type: 'productLink.deleted', productLinkId: 'link-a', productId: 'tokens', ...ids('a') });
      await m.putProduct(product('starter', 'Starter', { description: 'changed' }));
      await announce('product.updated', { type: 'product.updated', productId: 'starter' });
      await m.putOperation(operation('key-api', 'key-post', 'POST', '/resource'));
      await announce('operation.created', { type: 'operation.created', apiId: 'key-api', operationId: 'key-post' });
      await m.putUser(user('u-a', 'active'));
      await m.putSubscription({ ...a, state: 'active' });
      await announce('batch.imported', { type: 'batch.imported', userIds: ['u-a'], clientApplications: [ids('c')], subscriptionIds: ['sub-a'] });
      expect(h.gateway.snapshotVersion).toBe(h.feed.currentVersion);
      return { perEvent, fullBuildsDuring: h.gateway.fullBuilds - builds };
    } finally {
      await h.close();
    }
  }

  it('is the same with 10 and with 1,000 subscriptions, users and client applications, and never a full build', async () => {
    const small = await queriesPerEvent(10);
    const large = await queriesPerEvent(1_000);
    expect(small.fullBuildsDuring).toBe(0);
    expect(large.fullBuildsDuring).toBe(0);
    expect(large.perEvent).toEqual(small.perEvent);
    // By key: one read per subscription or user, the record and its links per client application.
    expect(small.perEvent).toEqual({
      'subscription.updated': 1,
      'subscription.keyRegenerated': 1,
      'subscription.deleted': 1,
      'user.stateChanged': 1,
      'clientApplication.created': 2,
      'productLink.created': 2,
      'productLink.deleted': 2,
      // The catalog: APIs, operations, products, product-API pairs, product policies, and the one backend app.
      'product.updated': 6,
      'operation.created': 6,
      // Lists of keys: the users, the subscriptions, the client applications and their links.
      'batch.imported': 4,
    });
  }, 120_000);
});

describe('start', () => {
  it("begins at the store's version when writes went past this feed (first start), so the next event is no gap", async () => {
    const h = await openHarness({
      seed: async (store, echoUrl) => {
        await seedWith(1)(store, echoUrl);
        for (let i = 0; i < 3; i++) await store.transaction((tx) => tx.configVersion.bump());
      },
    });
    try {
      const stored = await h.store.configVersion.current();
      expect(stored).toBeGreaterThan(h.feed.currentVersion);
      expect(h.gateway.snapshotVersion).toBe(stored);
      const a = (await h.store.management.getSubscription('sub-a'))!;
      await h.store.management.putSubscription({ ...a, state: 'cancelled' });
      await h.feed.publish({ type: 'subscription.updated', subscriptionId: 'sub-a', version: stored + 1 });
      expect((await h.call('GET', '/key/resource', { 'ocp-apim-subscription-key': 'sub-a-primary' })).status).toBe(401);
      expect(h.gateway.fullBuilds).toBe(1);
    } finally {
      await h.close();
    }
  });
});
