/**
 * For migration tests: a fresh database migrated only up to `migratedTo`, seeded with rows as the
 * older schema held them, then opened with openStore (which runs every later migration).
 */
import { Kysely, Migrator } from 'kysely';
import { expect } from 'vitest';
import { openStore, type Store } from '../../src/store/index.js';
import { createDialect } from '../../src/store/dialect.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import { createTestDatabase, type TestDialect } from '../helpers/databases.js';

export async function upgradedStore(
  dialect: TestDialect,
  cleanups: (() => Promise<void>)[],
  migratedTo: string,
  seed: (db: Kysely<any>) => Promise<void>,
): Promise<Store> {
  const database = await createTestDatabase(dialect);
  cleanups.push(() => database.drop());
  const db = new Kysely<any>({ dialect: createDialect({ dataDir: database.dataDir, databaseUrl: database.databaseUrl }).dialect });
  try {
    const before = await new Migrator({ db, provider: migrationProvider }).migrateTo(migratedTo);
    expect(before.error).toBeUndefined();
    await seed(db);
  } finally {
    await db.destroy();
  }
  const store = await openStore({ dataDir: database.dataDir, databaseUrl: database.databaseUrl });
  cleanups.push(() => store.close());
  return store;
}
