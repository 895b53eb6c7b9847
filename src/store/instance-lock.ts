/**
 * One Portico process per store, until the change feed crosses processes: a second process would
 * never hear about revocations made by the first, so it must not start at all.
 * SQLite: a pid file in the data directory (a stale one, whose process is gone, is taken over).
 * PostgreSQL: a session advisory lock held on a connection of its own.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { StoreError } from '../errors/index.js';

export interface InstanceLock {
  release(): Promise<void>;
}

const LOCK_FILE = 'portico.pid';
const ADVISORY_KEY = 'portico-instance'; // hashed to a bigint by PostgreSQL's hashtext()

export async function lockInstance(options: { dataDir: string; databaseUrl?: string | undefined }): Promise<InstanceLock> {
  return options.databaseUrl === undefined ? lockDataDir(options.dataDir) : lockDatabase(options.databaseUrl);
}

async function lockDataDir(dataDir: string): Promise<InstanceLock> {
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return { release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
      throw new StoreError(
        'STORE_UNAVAILABLE',
        `Another Portico process (pid ${holder}) is using the data directory ${dataDir}. Stop it first, or give this one its own PORTICO_DATA_DIR: ` +
          'several processes on one store are not supported yet.',
      );
    }
    await rm(path, { force: true }); // left behind by a process that is gone
  }
  throw new StoreError('STORE_UNAVAILABLE', `Could not take the lock file ${path}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function lockDatabase(databaseUrl: string): Promise<InstanceLock> {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => undefined); // a dropped lock connection is noticed by the store's own pool
  await client.connect();
  const result = await client.query<{ locked: boolean }>('select pg_try_advisory_lock(hashtext($1)) as locked', [ADVISORY_KEY]);
  if (!result.rows[0]?.locked) {
    await client.end();
    throw new StoreError(
      'STORE_UNAVAILABLE',
      'Another Portico process is using this PostgreSQL database. Stop it first, or point this one at another database: several processes on one store are not supported yet.',
    );
  }
  return { release: () => client.end() };
}
