/** openStore: files and permissions, reopening, migrations, concurrent starts, failures. */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, test } from 'vitest';
import { openStore, type Store } from '../../src/store/index.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import { createTestDatabase, describeEachDialect, type TestDatabase, type TestDialect } from '../helpers/databases.js';
import { refusedPort } from '../helpers/refused-port.js';
import { product, user } from './records.js';

/** Every registered migration runs once (counted from the registry, so a new migration needs no edit here). */
const MIGRATION_COUNT = Object.keys(await migrationProvider.getMigrations()).length;

describeEachDialect('openStore', (dialect) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function database(): Promise<TestDatabase> {
    const db = await createTestDatabase(dialect);
    cleanups.push(() => db.drop());
    return db;
  }

  async function open(db: TestDatabase): Promise<Store> {
    const store = await openStore({ dataDir: db.dataDir, databaseUrl: db.databaseUrl });
    cleanups.push(() => store.close());
    return store;
  }

  test('reopening keeps the data and does not run migrations again', async () => {
    const db = await database();
    const first = await openStore({ dataDir: db.dataDir, databaseUrl: db.databaseUrl });
    await first.management.putUser(user());
    await first.settings.putSetting('bootstrapped', 'yes');
    await first.close();
    const second = await open(db);
    expect(await second.management.getUser('u1')).toEqual(user());
    expect(await second.settings.getSetting('bootstrapped')).toBe('yes');
    expect(await executedMigrations(dialect, db)).toBe(MIGRATION_COUNT);
  });

  test('several stores starting at once on one empty database all come up, migrated once', async () => {
    const db = await database();
    const stores = await Promise.all([open(db), open(db), open(db)]);
    await stores[0]!.management.putProduct(product());
    for (const store of stores) expect(await store.management.getProduct('starter')).toEqual(product());
    expect(await executedMigrations(dialect, db)).toBe(MIGRATION_COUNT);
  });

  test('a database that cannot be opened is STORE_UNAVAILABLE', async () => {
    if (dialect === 'sqlite') {
      const base = await mkdtemp(join(tmpdir(), 'portico-test-'));
      cleanups.push(() => rm(base, { recursive: true, force: true }));
      await writeFile(join(base, 'file'), 'not a directory');
      await expect(openStore({ dataDir: join(base, 'file', 'data') })).rejects.toMatchObject({
        name: 'StoreError',
        code: 'STORE_UNAVAILABLE',
      });
    } else {
      const db = await database();
      const url = new URL(db.databaseUrl!);
      url.password = 'Sup3r-Secret';
      url.pathname = '/portico_does_not_exist';
      const error = await openStore({ dataDir: db.dataDir, databaseUrl: url.toString() }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'StoreError', code: 'STORE_UNAVAILABLE' });
      expect((error as Error).message).toContain(`${url.hostname}:${url.port}`);
      expect((error as Error).message).toContain('portico_does_not_exist');
      expect((error as Error).message).not.toContain('Sup3r-Secret');
    }
  });
});

describe('openStore with SQLite', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  test('creates the data directory (0700) and an owner-only portico.db in WAL mode', async () => {
    const base = await mkdtemp(join(tmpdir(), 'portico-test-'));
    dirs.push(base);
    const dataDir = join(base, 'nested', 'data');
    const store = await openStore({ dataDir });
    await store.settings.putSetting('k', 'v');
    await store.close();
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dataDir, 'portico.db'))).mode & 0o777).toBe(0o600);
    const raw = new SqliteDatabase(join(dataDir, 'portico.db'), { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      raw.close();
    }
  });
});

describe('openStore with an unreachable PostgreSQL', () => {
  test.each(['127.0.0.1', 'localhost'])('names %s:port and the cause, never the password', async (host) => {
    const port = await refusedPort();
    const error = await openStore({
      dataDir: tmpdir(),
      databaseUrl: `postgres://portico:Sup3r-Secret@${host}:${port}/portico`,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'StoreError', code: 'STORE_UNAVAILABLE' });
    const message = (error as Error).message;
    expect(message).toContain(`${host}:${port}`);
    expect(message).toContain('ECONNREFUSED');
    expect(message).not.toContain('Sup3r-Secret');
  });
});


async function executedMigrations(dialect: TestDialect, db: TestDatabase): Promise<number> {
  if (dialect === 'sqlite') {
    const raw = new SqliteDatabase(join(db.dataDir, 'portico.db'), { readonly: true });
    try {
      return (raw.prepare('select count(*) as n from kysely_migration').get() as { n: number }).n;
    } finally {
      raw.close();
    }
  }
  const client = new pg.Client({ connectionString: db.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>('select count(*)::int as n from kysely_migration');
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}
