/**
 * Migration 0008: a store made before product policies gets Starter's policy (so its 5 calls a
 * minute are enforced after the upgrade too), keeps its subscriptions with no expiration date, and
 * stores policies and quota counters.
 */
import { afterEach, expect, test } from 'vitest';
import { parseProductPolicy } from '../../src/gateway/index.js';
import { describeEachDialect } from '../helpers/databases.js';
import { upgradedStore } from './migration-harness.js';

const product = (id: string) => ({
  id,
  display_name: id,
  description: null,
  terms: null,
  subscription_required: 1,
  approval_required: 0,
  subscriptions_limit: 1,
  state: 'published',
  authentication_type: '[]',
  entra_application_id: null,
  entra_audience: null,
});

describeEachDialect('migration 2026_11_30_0008_product_policies', (dialect) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  test("Starter gets APIM's default policy; other products none; subscriptions do not expire", async () => {
    const store = await upgradedStore(dialect, cleanups, '2026_11_30_0006_config_version', async (db) => {
      await db.insertInto('products').values([product('starter'), product('unlimited')]).execute();
      await db
        .insertInto('subscriptions')
        .values({
          id: 'master', display_name: 'm', owner_id: null, scope: '/', state: 'active', primary_key_hash: 'p', secondary_key_hash: 's',
          primary_key_encrypted: 'x', secondary_key_encrypted: 'y', allow_tracing: 0, state_comment: null, created_date: '2026-01-01T00:00:00.000Z',
        })
        .execute();
    });
    const starter = await store.management.getProductPolicy('STARTER');
    expect(starter?.productId).toBe('starter');
    expect(parseProductPolicy(starter!.value)).toEqual({ rateLimit: { calls: 5, renewalPeriod: 60, failMode: 'open' }, quota: { calls: 100, renewalPeriod: 604800, failMode: 'open' } });
    expect(await store.management.getProductPolicy('unlimited')).toBeUndefined();
    expect((await store.management.getSubscription('master'))?.expirationDate).toBeUndefined();

    // Deleting the product deletes its policy.
    await store.management.deleteProduct('starter');
    expect(await store.management.listProductPolicies()).toEqual([]);

    // Counts add up, whichever process or node writes: into the stored window while it runs.
    const ends = 2_000_000_000_000;
    await store.quotaCounters.addQuotaCounts([{ key: 'unlimited/subscriptions/a', count: 3, resetsAt: ends }, { key: 'old', count: 1, resetsAt: 1 }], 0);
    await Promise.all([
      store.quotaCounters.addQuotaCounts([{ key: 'unlimited/subscriptions/a', count: 4, resetsAt: ends + 5 }], 500), // another node's window: joins the stored one
      store.quotaCounters.addQuotaCounts([{ key: 'unlimited/subscriptions/a', count: 2, resetsAt: ends }], 500),
    ]);
    expect(await store.quotaCounters.listQuotaCounters(1_000)).toEqual([{ key: 'unlimited/subscriptions/a', count: 9, resetsAt: ends }]);
    // Once the stored window has ended, the next calls start a new one.
    await store.quotaCounters.addQuotaCounts([{ key: 'old', count: 2, resetsAt: 5_000 }], 1_000);
    expect((await store.quotaCounters.listQuotaCounters(1_000)).find((counter) => counter.key === 'old')).toEqual({ key: 'old', count: 2, resetsAt: 5_000 });
    await store.quotaCounters.deleteQuotaCountersResetBefore(6_000);
    expect(await store.quotaCounters.listQuotaCounters(0)).toHaveLength(1);
  });
});
