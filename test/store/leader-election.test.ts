/**
 * Run-once jobs (store/leader-election.ts): with SQLite the one process leads every job; with
 * PostgreSQL one node leads each job, and when it goes (its session ends) another takes over.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import pg from 'pg';
import { createTestDatabase, POSTGRES_URL, type TestDatabase } from '../helpers/databases.js';
import { startLeaderElection, type LeaderElection } from '../../src/store/index.js';

const QUIET = { info: () => undefined, warn: () => undefined, error: () => undefined };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** A job that counts how many nodes run it at once. */
function job(running: Set<string>, node: string) {
  return () => {
    running.add(node);
    return async () => void running.delete(node);
  };
}

describe('leader election [sqlite]', () => {
  test('the only process leads every job at once, and stops them when it stops', async () => {
    const election = startLeaderElection({ log: QUIET });
    const running = new Set<string>();
    election.campaign('a', job(running, 'only'));
    election.campaign('b', job(running, 'only-b'));
    await vi.waitFor(() => expect([...running].sort()).toEqual(['only', 'only-b']));
    expect(election.leading()).toEqual(['a', 'b']);
    await election.stop();
    expect(running.size).toBe(0);
  });
});

describe.skipIf(POSTGRES_URL === undefined)('leader election [postgres]', () => {
  const elect = (db: TestDatabase): LeaderElection => {
    const election = startLeaderElection({ databaseUrl: db.databaseUrl, log: QUIET, retryMs: 100 });
    cleanups.push(() => election.stop());
    return election;
  };

  test('one of three nodes leads a job; when it stops another takes over; a killed leader session is replaced too', async () => {
    const db = await createTestDatabase('postgres');
    cleanups.push(() => db.drop());
    const running = new Set<string>();
    const nodes = ['n1', 'n2', 'n3'].map((name) => ({ name, election: elect(db) }));
    for (const node of nodes) node.election.campaign('housekeeping', job(running, node.name));
    await vi.waitFor(() => expect(running.size).toBe(1), { timeout: 10_000 });
    const first = nodes.find((n) => running.has(n.name))!;
    expect(first.election.leading()).toEqual(['housekeeping']);
    expect(nodes.filter((n) => n.election.leading().length > 0)).toHaveLength(1);

    await first.election.stop();
    await vi.waitFor(() => expect(running.size).toBe(1), { timeout: 10_000 });
    const second = nodes.find((n) => running.has(n.name))!;
    expect(second).not.toBe(first);

    // The leader's session dies (a crashed node, a dropped connection): it stops its job, and one node leads again.
    const admin = new pg.Client({ connectionString: db.databaseUrl });
    await admin.connect();
    cleanups.push(() => admin.end());
    await admin.query("select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())");
    await vi.waitFor(() => expect(second.election.leading()).toEqual([]), { timeout: 10_000 });
    await vi.waitFor(() => expect(running.size).toBe(1), { timeout: 10_000 });
    expect(nodes.filter((n) => n.election.leading().length > 0)).toHaveLength(1);
  });
});
