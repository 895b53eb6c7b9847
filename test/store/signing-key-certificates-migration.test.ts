/** Migration 0004: keys made before certificates survive it unchanged, with no certificate. */
import { afterEach, expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { upgradedStore } from './migration-harness.js';

describeEachDialect('migration 2026_11_30_0004_signing_key_certificates', (dialect) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  test('an existing key keeps its kid and dates and gets a null certificate', async () => {
    const legacy = {
      kid: 'x'.repeat(43),
      private_key_encrypted: 'sealed',
      public_jwk: '{"kty":"RSA","n":"AQAB","e":"AQAB"}',
      created_at: '2026-01-01T00:00:00.000Z',
      activates_at: '2026-01-01T00:00:00.000Z',
      retires_at: null,
    };
    const store = await upgradedStore(dialect, cleanups, '2026_11_26_0002_case_insensitive_names', async (db) => {
      await db.insertInto('signing_keys').values(legacy).execute();
    });
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
