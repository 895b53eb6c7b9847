/** Gives each test a fresh, migrated store of one dialect, closed and dropped afterwards. */
import { afterEach, beforeEach } from 'vitest';
import { openStore, type Store } from '../../src/store/index.js';
import { createTestDatabase, type TestDatabase, type TestDialect } from '../helpers/databases.js';

export interface StoreContext {
  readonly store: Store;
  readonly database: TestDatabase;
}

export function useFreshStore(dialect: TestDialect): () => StoreContext {
  let context: StoreContext | undefined;
  beforeEach(async () => {
    const database = await createTestDatabase(dialect);
    const store = await openStore({ dataDir: database.dataDir, databaseUrl: database.databaseUrl });
    context = { store, database };
  });
  afterEach(async () => {
    const current = context;
    context = undefined;
    if (current === undefined) return;
    await current.store.close();
    await current.database.drop();
  });
  return () => {
    if (context === undefined) throw new Error('the store exists only inside a test');
    return context;
  };
}
