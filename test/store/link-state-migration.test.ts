/**
 * Migration 0014: product links made before approvals existed were granted at once, so they are
 * `active`; subscriptions gain APIM's audit dates, an active one starting at its creation date.
 */
import { afterEach, expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { upgradedStore } from './migration-harness.js';

const subscription = (id: string, state: string) => ({
  id, display_name: id, owner_id: null, scope: '/', state, primary_key_hash: `p-${id}`, secondary_key_hash: `s-${id}`,
  primary_key_encrypted: 'x', secondary_key_encrypted: 'y', allow_tracing: 0, state_comment: null, created_date: '2026-01-01T00:00:00.000Z', expiration_date: null,
});

describeEachDialect('migration 2026_11_30_0014_link_state', (dialect) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  test('existing links become active; active subscriptions start at their creation date', async () => {
    const store = await upgradedStore(dialect, cleanups, '2026_11_30_0008_product_policies', async (db) => {
      await db.insertInto('users').values({ id: 'dev', email: 'dev@example.com', email_lower: 'dev@example.com', first_name: 'D', last_name: 'T', state: 'active', note: null, password_hash: null, registration_date: '2026-01-01T00:00:00.000Z' }).execute();
      await db.insertInto('products').values({
        id: 'gold', display_name: 'Gold', description: null, terms: null, subscription_required: 1, approval_required: 1, subscriptions_limit: 1,
        state: 'published', authentication_type: '["application-token"]', entra_application_id: 'backend', entra_audience: 'backend',
      }).execute();
      await db.insertInto('client_applications').values({
        id: 'app', display_name: 'App', description: null, owner_id: 'dev', state: 'active', entra_application_id: 'client', entra_object_id: 'obj', entra_service_principal_id: 'sp', created_date: '2026-01-01T00:00:00.000Z',
      }).execute();
      await db.insertInto('product_links').values({ client_application_id: 'app', id: 'gold', product_id: 'gold', app_role_assignment_id: 'assignment' }).execute();
      await db.insertInto('subscriptions').values([subscription('on', 'active'), subscription('asked', 'submitted')]).execute();
    });
    expect(await store.management.listProductLinks({ clientApplicationId: 'app' })).toEqual([
      { id: 'gold', clientApplicationId: 'app', productId: 'gold', appRoleAssignmentId: 'assignment', state: 'active' },
    ]);
    const on = await store.management.getSubscription('on');
    expect([on?.startDate, on?.endDate, on?.notificationDate]).toEqual(['2026-01-01T00:00:00.000Z', undefined, undefined]);
    const asked = await store.management.getSubscription('asked');
    expect([asked?.startDate, asked?.endDate]).toEqual([undefined, undefined]);
  });
});
