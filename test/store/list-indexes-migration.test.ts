/** Migration 0005: identifier URIs already stored fill the new uniqueness index. */
import { Kysely, Migrator } from 'kysely';
import { afterEach, expect, test } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { createDialect } from '../../src/store/dialect.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/databases.js';

describeEachDialect('migration 2026_11_30_0005_list_indexes', (dialect) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  test('existing applications get their identifier URIs indexed; of two sharing one, the older keeps it', async () => {
    const database: TestDatabase = await createTestDatabase(dialect);
    cleanups.push(() => database.drop());
    const db = new Kysely<any>({ dialect: createDialect({ dataDir: database.dataDir, databaseUrl: database.databaseUrl }).dialect });
    const before = await new Migrator({ db, provider: migrationProvider }).migrateTo('2026_11_30_0004_signing_key_certificates');
    expect(before.error).toBeUndefined();
    const row = (id: string, uris: string[], created: string) => ({
      id, app_id: `app-${id}`, display_name: id, description: null, identifier_uris: JSON.stringify(uris),
      app_roles: '[]', required_resource_access: '[]', requested_access_token_version: 2, created_date_time: created,
    });
    await db.insertInto('applications').values([
      row('newer', ['api://Shared/', 'api://newer'], '2026-01-02T00:00:00.000Z'),
      row('older', ['api://shared', 'API://Older', 'api://older/'], '2026-01-01T00:00:00.000Z'),
      row('none', [], '2026-01-03T00:00:00.000Z'),
    ]).execute();
    await db.destroy();

    const store = await openStore({ dataDir: database.dataDir, databaseUrl: database.databaseUrl });
    cleanups.push(() => store.close());
    expect(await store.directory.findApplicationIdByIdentifierUris(['api://shared'])).toBe('older');
    expect(await store.directory.findApplicationIdByIdentifierUris(['api://older'])).toBe('older');
    expect(await store.directory.findApplicationIdByIdentifierUris(['api://NEWER/'])).toBe('newer');
    expect((await store.directory.getApplication('newer'))?.identifierUris).toEqual(['api://Shared/', 'api://newer']);
  });
});
