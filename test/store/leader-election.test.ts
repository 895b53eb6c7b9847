/**
 * Run-once jobs (store/leader-election.ts): with SQLite the one process leads every job; with
 * PostgreSQL one node leads each job, and when it goes (its session ends, or its connection dies
 * silently) another takes over.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import pg from 'pg';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
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

  test('a lock connection that dies silently (no error, no close) fails its health check: the leader stops its jobs, and another node takes over once PostgreSQL drops the session', async () => {
    const db = await createTestDatabase('postgres');
    cleanups.push(() => db.drop());
    const proxy = await freezableProxy(new URL(db.databaseUrl!));
    cleanups.push(() => proxy.close());
    const running = new Set<string>();
    const viaProxy = new URL(db.databaseUrl!);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const leader = startLeaderElection({ databaseUrl: viaProxy.toString(), log: QUIET, retryMs: 100, healthCheckMs: 200 });
    cleanups.push(() => leader.stop());
    leader.campaign('housekeeping', job(running, 'proxied'));
    await vi.waitFor(() => expect([...running]).toEqual(['proxied']), { timeout: 10_000 });
    const other = elect(db);
    other.campaign('housekeeping', job(running, 'direct'));

    // The network goes quiet: nothing passes, nothing closes. The check notices; the job stops here.
    proxy.freeze();
    await vi.waitFor(() => expect(leader.leading()).toEqual([]), { timeout: 10_000 });
    expect(running.has('proxied')).toBe(false);
    // PostgreSQL still holds the old session's lock, so nobody leads until it drops that session.
    expect(other.leading()).toEqual([]);
    proxy.dropFrozenUpstreams();
    await vi.waitFor(() => expect(running.size).toBe(1), { timeout: 10_000 });
    expect([leader, other].filter((e) => e.leading().length > 0)).toHaveLength(1);
  });
});

/** A TCP proxy to PostgreSQL whose current connections can be frozen (no bytes either way, nothing closed). */
async function freezableProxy(target: URL): Promise<{ port: number; freeze(): void; dropFrozenUpstreams(): void; close(): Promise<void> }> {
  const pairs: { client: Socket; upstream: Socket }[] = [];
  let frozen: { client: Socket; upstream: Socket }[] = [];
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    const pair = { client, upstream };
    pairs.push(pair);
    client.on('data', (chunk) => (frozen.includes(pair) ? undefined : upstream.write(chunk)));
    upstream.on('data', (chunk) => (frozen.includes(pair) ? undefined : client.write(chunk)));
    // A frozen pair models a network gone quiet: PostgreSQL hears nothing of the client giving up,
    // so the old session (and its lock) lives on until dropFrozenUpstreams.
    client.on('close', () => (frozen.includes(pair) ? undefined : upstream.destroy()));
    upstream.on('close', () => (frozen.includes(pair) ? undefined : client.destroy()));
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    freeze: () => {
      frozen = [...pairs];
    },
    dropFrozenUpstreams: () => {
      for (const pair of frozen) pair.upstream.destroy();
    },
    close: async () => {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
