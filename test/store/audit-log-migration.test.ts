/** Migration 0011: a store with data upgrades; the management plane's directory applications are backfilled as the managed identity's, others stay without a creator. */
import { afterEach, expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { upgradedStore } from './migration-harness.js';

describeEachDialect('migration 2026_11_30_0011_audit_log', (dialect) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  test('applications a client application or a product references become the managed identity\'s; the audit log starts empty', async () => {
    const store = await upgradedStore(dialect, cleanups, '2026_11_30_0007_list_indexes', async (db) => {
      await db.insertInto('applications').values(['client', 'backend', 'other'].map((id) => ({
        id, app_id: `app-${id}`, display_name: id, description: null, identifier_uris: '[]',
        app_roles: '[]', required_resource_access: '[]', requested_access_token_version: 2, created_date_time: '2026-01-01T00:00:00.000Z',
      }))).execute();
      await db.insertInto('client_applications').values({
        id: 'ca', display_name: 'App', description: null, owner_id: 'alice', state: 'active',
        entra_application_id: 'app-client', entra_object_id: 'client', entra_service_principal_id: 'sp-client', created_date: '2026-01-01T00:00:00.000Z',
      }).execute();
      await db.insertInto('products').values({
        id: 'gold', display_name: 'Gold', description: null, terms: null, subscription_required: 1, approval_required: 0, subscriptions_limit: null,
        state: 'published', authentication_type: '["application-token"]', entra_application_id: 'app-backend', entra_audience: 'app-backend',
      }).execute();
      await db.insertInto('settings').values({ key: 'instance', value: JSON.stringify({ managedIdentityPrincipalId: 'MI-PRINCIPAL' }) }).execute();
    });
    expect((await store.directory.listApplicationsCreatedBy('mi-principal')).map((a) => a.id).sort()).toEqual(['backend', 'client']);
    expect((await store.directory.getApplication('other'))?.createdBy).toBeUndefined();
    expect(await store.audit.list({}, { top: 10 })).toEqual([]);
  });
});
