/**
 * SQLite: one Portico process per data directory — its change feed is in-process, so a second
 * process would never hear about revocations made by the first and must not start at all. The
 * lock is an exclusive lock on `<data dir>/portico.lock`, a small SQLite file held in exclusive
 * locking mode. The kernel drops the lock when the process dies, so there is no stale lock and no
 * pid to get wrong (PID 1 in containers, pid reuse).
 * PostgreSQL: many processes (nodes) share one database (the change feed crosses processes,
 * pg-change-feed.ts); only first start is serialised (`withStartupLock`), and jobs that must run
 * once are led by one node (leader-election.ts).
 */
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { StoreError } from '../errors/index.js';

export interface InstanceLock {
  release(): Promise<void>;
}

export interface LockOptions {
  readonly dataDir: string;
}

const LOCK_FILE = 'portico.lock';
const STARTUP_KEY = 'portico-startup'; // hashed to a bigint by PostgreSQL's hashtext()
const NOT_SUPPORTED = 'several processes on one SQLite store are not supported; use PostgreSQL (PORTICO_DATABASE_URL) to run many nodes.';

export async function lockInstance(options: LockOptions): Promise<InstanceLock> {
  return lockDataDir(options.dataDir);
}

async function lockDataDir(dataDir: string): Promise<InstanceLock> {
  const path = join(dataDir, LOCK_FILE);
  closeSync(openSync(path, 'a', 0o600)); // owner-only, like everything in the data directory
  const database = new Database(path, { timeout: 0 });
  try {
    database.pragma('locking_mode = EXCLUSIVE');
    database.exec('BEGIN EXCLUSIVE'); // held until the connection closes or the process ends
  } catch (error) {
    database.close();
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
      throw new StoreError('STORE_UNAVAILABLE', `Another Portico process is using the data directory ${dataDir}. Stop it first, or give this one its own PORTICO_DATA_DIR: ${NOT_SUPPORTED}`);
    }
    throw error;
  }
  return {
    async release() {
      database.exec('ROLLBACK');
      database.close();
    },
  };
}

/**
 * Runs fn while holding a PostgreSQL session advisory lock that every starting node takes (waiting
 * for it): the first start creates the instance once, and the first signing key, even when several
 * nodes start together. Without a database URL (SQLite, one process) fn just runs.
 */
export async function withStartupLock<T>(databaseUrl: string | undefined, fn: () => Promise<T>): Promise<T> {
  if (databaseUrl === undefined) return fn();
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => undefined); // a lost connection fails the query below, or releases the lock
  await client.connect();
  try {
    await client.query('select pg_advisory_lock(hashtext($1))', [STARTUP_KEY]);
    return await fn();
  } finally {
    await client.end().catch(() => undefined); // ending the session releases the lock
  }
}
