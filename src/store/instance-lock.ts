/**
 * One Portico process per store, until the change feed crosses processes: a second process would
 * never hear about revocations made by the first, so it must not start at all.
 * SQLite: an exclusive lock on `<data dir>/portico.lock`, a small SQLite file held in exclusive
 * locking mode. The kernel drops the lock when the process dies, so there is no stale lock and no
 * pid to get wrong (PID 1 in containers, pid reuse).
 * PostgreSQL: a session advisory lock on a connection of its own; losing that connection loses
 * the lock, which `onLost` reports.
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
  readonly databaseUrl?: string | undefined;
  /** Called once if the lock is lost while held (PostgreSQL connection dropped). */
  readonly onLost?: (error: Error) => void;
}

const LOCK_FILE = 'portico.lock';
const ADVISORY_KEY = 'portico-instance'; // hashed to a bigint by PostgreSQL's hashtext()
const NOT_SUPPORTED = 'several processes on one store are not supported yet.';

export async function lockInstance(options: LockOptions): Promise<InstanceLock> {
  return options.databaseUrl === undefined ? lockDataDir(options.dataDir) : lockDatabase(options.databaseUrl, options.onLost);
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

async function lockDatabase(databaseUrl: string, onLost: LockOptions['onLost']): Promise<InstanceLock> {
  const client = new pg.Client({ connectionString: databaseUrl });
  let released = false;
  let reported = false;
  const lost = (error: Error): void => {
    if (released || reported) return;
    reported = true;
    onLost?.(error);
  };
  client.on('error', lost);
  client.on('end', () => lost(new Error('the connection holding the PostgreSQL lock closed')));
  await client.connect();
  const result = await client.query<{ locked: boolean }>('select pg_try_advisory_lock(hashtext($1)) as locked', [ADVISORY_KEY]);
  if (!result.rows[0]?.locked) {
    released = true; // never held: closing is not a loss
    await client.end();
    throw new StoreError(
      'STORE_UNAVAILABLE',
      `Another Portico process is using this PostgreSQL database. Stop it first, or point this one at another database: ${NOT_SUPPORTED}`,
    );
  }
  return {
    async release() {
      released = true;
      await client.end();
    },
  };
}
