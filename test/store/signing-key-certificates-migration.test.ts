/** Migration 0004: keys made before certificates survive it unchanged, with no certificate. */
import { Kysely, Migrator } from 'kysely';
import { afterEach, expect, test } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { createDialect } from '../../src/store/dialect.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/databases.js';

describeEachDialect('migration 2026_11_30_0004_signing_key_certificates', (dialect) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  test('an existing key keeps its kid and dates and gets a null certificate', async () => {
    const database: TestDatabase = await createTestDatabase(dialect);
    cleanups.push(() => database.drop());
    const db = new Kysely<any>({ dialect: createDialect({ dataDir: database.dataDir, databaseUrl: database.databaseUrl }).dialect });
    const before = await new Migrator({ db, provider: migrationProvider }).migrateTo('2026_11_26_0002_case_insensitive_names');
    expect(before.error).toBeUndefined();
    const legacy = {
      kid: 'x'.repeat(43),
      private_key_encrypted: 'sealed',
      public_jwk: '{"kty":"RSA","n":"AQAB","e":"AQAB"}',
      created_at: '2026-01-01T00:00:00.000Z',
      activates_at: '2026-01-01T00:00:00.000Z',
      retires_at: null,
    };
    await db.insertInto('signing_keys').values(legacy).execute();
    await db.destroy();

    const store = await openStore({ dataDir: database.dataDir, databaseUrl: database.databaseUrl });
    cleanups.push(() => store.close());
    expect(await store.directory.listSigningKeys()).toEqual([{
      kid: legacy.kid,
      privateKeyEncrypted: 'sealed',
      publicJwk: legacy.public_jwk,
      createdAt: legacy.created_at,
      activatesAt: legacy.activates_at,
      retiresAt: null,
      certificate: null,
    }]);
  });
});
