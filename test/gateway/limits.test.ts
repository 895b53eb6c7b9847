/**
 * Product limits in the gateway, on a real store and gateway: each product counts apart for the same
 * client application and for keys, a policy change reaches the gateway through the change feed, and
 * the quota counts are written to the store on demand (the periodic flush's work).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { announceTestWrite } from '../helpers/change-events.js';
import { api, backendApp, clientApp, openHarness, operation, product, signToken, subscription, user, type Harness } from './harness.js';

const AUD_A = '44444444-0000-0000-0000-00000000000a';
const AUD_B = '44444444-0000-0000-0000-00000000000b';
const CLIENT = '55555555-0000-0000-0000-000000000001';
const limits = (inbound: string) => ({ format: 'xml' as const, value: `<policies><inbound>${inbound}<base /></inbound></policies>` });

describe('product limits in the gateway', () => {
  let h: Harness;

  async function seed(store: Store, echoUrl: string): Promise<void> {
    const m = store.management;
    await m.putUser(user('owner'));
    for (const [id, path] of [['a-api', 'a'], ['b-api', 'b']] as const) {
      await m.putApi(api(id, path, echoUrl));
      await m.putOperation(operation(id, `${id}-get`, 'GET', '/resource'));
    }
    await store.directory.insertApplication(backendApp(AUD_A, 'Product.A.All'));
    await store.directory.insertApplication(backendApp(AUD_B, 'Product.B.All'));
    const both = ['subscription-key', 'application-token'] as const;
    await m.putProduct(product('a', 'A', { authenticationType: [...both], entraAudience: AUD_A, entraApplicationId: AUD_A }));
    await m.putProduct(product('b', 'B', { authenticationType: [...both], entraAudience: AUD_B, entraApplicationId: AUD_B }));
    await m.addProductApi('a', 'a-api');
    await m.addProductApi('b', 'b-api');
    await m.putProductPolicy({ productId: 'a', ...limits('<rate-limit calls="2" renewal-period="300" />') });
    await m.putProductPolicy({ productId: 'b', ...limits('<rate-limit calls="2" renewal-period="300" /><quota calls="3" renewal-period="86400" />') });
    await m.putClientApplication(clientApp('app', CLIENT, 'owner'));
    await m.putProductLink({ id: 'link-a', clientApplicationId: 'app', productId: 'a', appRoleAssignmentId: null, state: 'active' });
    await m.putProductLink({ id: 'link-b', clientApplicationId: 'app', productId: 'b', appRoleAssignmentId: null, state: 'active' });
    await m.putSubscription(subscription('sub-b', '/products/b'));
    await m.putSubscription(subscription('sub-b2', '/products/b'));
  }

  beforeAll(async () => {
    h = await openHarness({ seed });
  });
  afterAll(async () => {
    await h?.close();
  });

  const statuses = async (path: string, headers: Record<string, string>, times: number): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < times; i++) out.push((await h.call('GET', path, headers)).status);
    return out;
  };

  it('counts one client application apart in each product', async () => {
    const tokenA = await signToken(h.signingKey, { aud: AUD_A, azp: CLIENT, roles: ['Product.A.All'] });
    const tokenB = await signToken(h.signingKey, { aud: AUD_B, azp: CLIENT, roles: ['Product.B.All'] });
    expect(await statuses('/a/resource', { authorization: `Bearer ${tokenA}` }, 3)).toEqual([200, 200, 429]);
    expect(await statuses('/b/resource', { authorization: `Bearer ${tokenB}` }, 3)).toEqual([200, 200, 429]);
  });

  it('counts keys per subscription, and quota after rate limit (a refused call uses no quota)', async () => {
    // sub-b: 2 calls pass the rate limit (quota 2 of 3 used), the 3rd is refused by the rate limit.
    expect(await statuses('/b/resource', { 'ocp-apim-subscription-key': 'sub-b-primary' }, 3)).toEqual([200, 200, 429]);
    // The secondary key is the same subscription: same count.
    expect(await statuses('/b/resource', { 'ocp-apim-subscription-key': 'sub-b-secondary' }, 1)).toEqual([429]);
    expect(await statuses('/b/resource', { 'ocp-apim-subscription-key': 'sub-b2-primary' }, 1)).toEqual([200]);
  });

  it('follows a policy change through the change feed, and writes quota counts to the store', async () => {
    await h.store.management.putProductPolicy({ productId: 'b', ...limits('<quota calls="3" renewal-period="86400" />') });
    await announceTestWrite(h, { type: 'product.updated', productId: 'b' });
    // No rate limit any more: sub-b's 3rd counted call uses its quota up, the 4th is refused by it.
    const after = await statuses('/b/resource', { 'ocp-apim-subscription-key': 'sub-b-primary' }, 2);
    expect(after).toEqual([200, 403]);
    await h.gateway.flushQuotaCounters();
    const stored = await h.store.quotaCounters.listQuotaCounters(Date.now());
    expect(stored.map((c) => [c.key, c.count]).sort()).toEqual([
      ['b/clientApplications/app', 2],
      ['b/subscriptions/sub-b', 3],
      ['b/subscriptions/sub-b2', 1],
    ]);
  });
});
