/** Migration 0005: identifier URIs already stored fill the new uniqueness index. Migration 0007: list indexes on existing data. */
import { afterEach, expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { upgradedStore } from './migration-harness.js';

describeEachDialect('migration 2026_11_30_0005_list_indexes', (dialect) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  test('existing applications get their identifier URIs indexed; of two sharing one, the older keeps it', async () => {
    const row = (id: string, uris: string[], created: string) => ({
      id, app_id: `app-${id}`, display_name: id, description: null, identifier_uris: JSON.stringify(uris),
      app_roles: '[]', required_resource_access: '[]', requested_access_token_version: 2, created_date_time: created,
    });
    const store = await upgradedStore(dialect, cleanups, '2026_11_30_0004_signing_key_certificates', async (db) => {
      await db.insertInto('applications').values([
        row('newer', ['api://Shared/', 'api://newer'], '2026-01-02T00:00:00.000Z'),
        row('older', ['api://shared', 'API://Older', 'api://older/'], '2026-01-01T00:00:00.000Z'),
        row('none', [], '2026-01-03T00:00:00.000Z'),
      ]).execute();
    });
    expect(await store.directory.findApplicationIdByIdentifierUris(['api://shared'])).toBe('older');
    expect(await store.directory.findApplicationIdByIdentifierUris(['api://older'])).toBe('older');
    expect(await store.directory.findApplicationIdByIdentifierUris(['api://NEWER/'])).toBe('newer');
    expect((await store.directory.getApplication('newer'))?.identifierUris).toEqual(['api://Shared/', 'api://newer']);

    // The newer application still takes updates that leave its URIs alone (a role grant changes its
    // requiredResourceAccess); a change onto a URI another application holds names that application.
    const newer = (await store.directory.getApplication('newer'))!;
    const access = [{ resourceAppId: 'app-older', resourceAccess: [{ id: 'role', type: 'Role' as const }] }];
    await store.directory.updateApplication({ ...newer, requiredResourceAccess: access });
    expect((await store.directory.getApplication('newer'))?.requiredResourceAccess).toEqual(access);
    await expect(store.directory.updateApplication({ ...newer, identifierUris: ['api://newer', 'api://older'] })).rejects.toMatchObject({
      code: 'STORE_CONFLICT',
      message: "identifier URI 'api://older' is held by application older",
    });
    expect((await store.directory.getApplication('newer'))?.identifierUris).toEqual(['api://Shared/', 'api://newer']);
    await store.directory.updateApplication({ ...newer, identifierUris: ['api://renamed'] });
    expect(await store.directory.findApplicationIdByIdentifierUris(['api://renamed', 'api://newer'])).toBe('newer');
    expect(await store.directory.findApplicationIdByIdentifierUris(['api://newer'])).toBeUndefined();
  });
});

describeEachDialect('migration 2026_11_30_0007_list_indexes', (dialect) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  test('a store with data upgrades; its lists filter and page as before', async () => {
    const store = await upgradedStore(dialect, cleanups, '2026_11_30_0006_config_version', async (db) => {
      await db.insertInto('applications').values(['b', 'a'].map((id, i) => ({
        id, app_id: `app-${id}`, display_name: 'Same Name', description: null, identifier_uris: '[]',
        app_roles: '[]', required_resource_access: '[]', requested_access_token_version: 2, created_date_time: `2026-01-0${i + 1}T00:00:00.000Z`,
      }))).execute();
      await db.insertInto('client_applications').values({
        id: 'ca', display_name: 'Alice App', description: null, owner_id: 'Alice', state: 'active',
        entra_application_id: 'app-a', entra_object_id: 'a', entra_service_principal_id: 'sp-a', created_date: '2026-01-01T00:00:00.000Z',
      }).execute();
    });
    expect((await store.directory.pageApplications({ top: 5, filter: { displayName: 'same name' } })).map((a) => a.id)).toEqual(['b', 'a']);
    expect((await store.management.listClientApplications({ ownerId: 'alice', displayName: 'ALICE APP' })).map((c) => c.id)).toEqual(['ca']);
  });
});
