/**
 * Test databases for every dialect. SQLite always runs; PostgreSQL runs when
 * PORTICO_TEST_DATABASE_URL points at a server we may create databases on (.ci/run starts one).
 * Suites that need a database use describeEachDialect so their titles say "[sqlite]" / "[postgres]"
 * and a skipped PostgreSQL run is visible (CI fails when any "[postgres]" test is skipped).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, test } from 'vitest';

export type TestDialect = 'sqlite' | 'postgres';

export const POSTGRES_URL: string | undefined = process.env.PORTICO_TEST_DATABASE_URL || undefined;

export const DIALECTS: TestDialect[] = POSTGRES_URL === undefined ? ['sqlite'] : ['sqlite', 'postgres'];

export interface TestDatabase {
  readonly dataDir: string;
  /** Set for PostgreSQL: a fresh, empty database of its own. */
  readonly databaseUrl?: string;
  drop(): Promise<void>;
}

/** A fresh, empty database (and data directory) for one test or suite. */
export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  const dataDir = await mkdtemp(join(tmpdir(), 'portico-test-'));
  const removeDir = () => rm(dataDir, { recursive: true, force: true });
  if (dialect === 'sqlite') return { dataDir, drop: removeDir };

  if (POSTGRES_URL === undefined) throw new Error('PORTICO_TEST_DATABASE_URL is not set');
  const name = `portico_t_${randomBytes(6).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    dataDir,
    databaseUrl: url.toString(),
    async drop() {
      await removeDir();
      await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function withAdmin(fn: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await fn(client);
  } finally {
    await client.end();
  }
}

/** describe(`${title} [dialect]`) for each dialect; a visible skipped "[postgres]" suite when there is no server. */
export function describeEachDialect(title: string, fn: (dialect: TestDialect) => void): void {
  for (const dialect of DIALECTS) describe(`${title} [${dialect}]`, () => fn(dialect));
  if (POSTGRES_URL === undefined) {
    describe.skip(`${title} [postgres]`, () => {
      test('runs when PORTICO_TEST_DATABASE_URL is set', () => undefined);
    });
  }
}
