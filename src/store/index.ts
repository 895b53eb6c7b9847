import { mkdir } from 'node:fs/promises';
import { Kysely, sql, type LogEvent } from 'kysely';
import { StoreError } from '../errors/index.js';
import { createDialect } from './dialect.js';
import { KyselyStore } from './kysely-store.js';
import { migrateToLatest } from './migrate.js';
import { lockInstance, type InstanceLock } from './instance-lock.js';
import type { Database } from './schema.js';
import type { Store } from './store.js';

export type { ConfigVersionStore, SettingsStore, Store, NodeHeartbeat, NodeHeartbeatStore, ChangeLogStore } from './store.js';
export { commitChange, oneChange } from './change-unit.js';
export { withStartupLock } from './instance-lock.js';
export { PgChangeFeed } from './pg-change-feed.js';
export { startLeaderElection, type LeaderElection, type LeaderJob } from './leader-election.js';
export { scanPages } from './scan-store.js';
export type { ScanStore, ScannedTable, SubscriptionKeyRow, UserStateRow, ClientApplicationRow, ProductLinkRow, ProductLinkKey } from './scan-store.js';
export type { Change, ChangeTarget } from './change-unit.js';


export interface OpenStoreOptions {
  /** Created (0700) if missing, whatever the dialect: SQLite keeps its file here, bootstrap its credentials. */
  readonly dataDir: string;
  /** postgres:// or postgresql:// selects PostgreSQL; absent selects SQLite. */
  readonly databaseUrl?: string | undefined;
  /**
   * SQLite: refuse when another process holds the data directory, before migrating it (a newer
   * Portico must not change the schema under a running one). Held until close(). PostgreSQL: many
   * processes share the database (docs/operations.md), so there is nothing to hold.
   */
  readonly exclusive?: boolean;
  /** Sees every statement after it ran (SQL text and parameters): tests count and explain queries with it. */
  readonly onQuery?: (query: ExecutedQuery) => void;
  /**
   * false: do not migrate — for a reader next to the process that holds the store (a gateway
   * worker of `--workers`), which has migrated it already and is its only writer. Default true.
   */
  readonly migrate?: boolean;
}

export interface ExecutedQuery {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

/**
 * Opens the store and migrates it to the latest schema. Throws StoreError STORE_UNAVAILABLE when the
 * database cannot be reached (the message names host:port and the cause, never credentials).
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  await createDataDir(options.dataDir);
  const { name, dialect } = createDialect(options);
  const onQuery = options.onQuery;
  const db = new Kysely<Database>({
    dialect,
    ...(onQuery ? { log: (event: LogEvent) => (event.level === 'query' ? onQuery(event.query) : undefined) } : {}),
  });
  let lock: InstanceLock | undefined;
  try {
    // Reach the server first so an outage reads as STORE_UNAVAILABLE, not as a failed migration.
    await sql`select 1`.execute(db);
    if (options.exclusive && name === 'sqlite') lock = await lockInstance({ dataDir: options.dataDir });
    if (options.migrate !== false) await migrateToLatest(db);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    await lock?.release().catch(() => undefined);
    throw error;
  }
  return new KyselyStore(name, db, lock ? () => lock.release() : undefined);
}

async function createDataDir(dataDir: string): Promise<void> {
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    const reason = (error as { code?: string }).code ?? String(error);
    throw new StoreError('STORE_UNAVAILABLE', `data directory ${dataDir} cannot be created: ${reason}`, { cause: error });
  }
}
