/**
 * The ChangeFeed contract, run against both implementations: the in-process feed (SQLite and
 * PostgreSQL) and the PostgreSQL LISTEN/NOTIFY feed. Then what only a feed across processes does:
 * a write on one node reaches another, large events included, and a node whose LISTEN connection
 * was killed catches up by version once it reconnects.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import pg from 'pg';
import { createTestDatabase, DIALECTS, POSTGRES_URL, type TestDatabase, type TestDialect } from '../helpers/databases.js';
import { commitChange, openStore, type Store } from '../../src/store/index.js';
import { PgChangeFeed } from '../../src/store/pg-change-feed.js';
import { InProcessChangeFeed, type ChangeEvent, type ChangeFeed } from '../../src/shared/index.js';
import { user } from './records.js';

const QUIET = { error: () => undefined, warn: () => undefined, info: () => undefined };

interface Node {
  readonly store: Store;
  readonly feed: ChangeFeed;
  readonly events: ChangeEvent[];
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function database(dialect: TestDialect): Promise<TestDatabase> {
  const db = await createTestDatabase(dialect);
  cleanups.push(() => db.drop());
  return db;
}

async function node(db: TestDatabase, kind: 'in-process' | 'postgres', reconnectDelayMs = { first: 50, max: 200 }): Promise<Node & { pg?: PgChangeFeed }> {
  const store = await openStore({ dataDir: db.dataDir, databaseUrl: db.databaseUrl });
  cleanups.push(() => store.close());
  const events: ChangeEvent[] = [];
  if (kind === 'in-process') {
    const feed = new InProcessChangeFeed(await store.configVersion.current(), QUIET);
    feed.subscribe((event) => void events.push(event));
    return { store, feed, events };
  }
  const feed = await PgChangeFeed.start({ databaseUrl: db.databaseUrl!, store, log: QUIET, checkIntervalMs: 200, reconnectDelayMs });
  cleanups.push(() => feed.close());
  feed.subscribe((event) => void events.push(event));
  return { store, feed, events, pg: feed };
}

const createUser = (target: { store: Store; feed: ChangeFeed }, id: string) =>
  commitChange(target, async (tx) => {
    await tx.management.putUser(user({ id }));
    return { result: undefined, event: { type: 'user.created' as const, userId: id } };
  });

const IMPLEMENTATIONS: { name: string; dialect: TestDialect; kind: 'in-process' | 'postgres' }[] = [
  ...DIALECTS.map((dialect) => ({ name: `in-process [${dialect}]`, dialect, kind: 'in-process' as const })),
  ...(POSTGRES_URL === undefined ? [] : [{ name: 'LISTEN/NOTIFY [postgres]', dialect: 'postgres' as const, kind: 'postgres' as const }]),
];

for (const implementation of IMPLEMENTATIONS) {
  describe(`ChangeFeed contract: ${implementation.name}`, () => {
    const make = async () => node(await database(implementation.dialect), implementation.kind);

    test('starts at the stored version and a committed write is published once, with the version it bumped to', async () => {
      const n = await make();
      const before = await n.store.configVersion.current();
      expect(n.feed.currentVersion).toBe(before);
      await createUser(n, 'one');
      expect(n.events).toEqual([{ type: 'user.created', userId: 'one', version: before + 1 }]);
      expect(n.feed.currentVersion).toBe(before + 1);
      expect(n.feed.health()).toEqual({ connected: true, disconnectedForMs: 0, behindForMs: 0, appliedVersion: before + 1 });
    });

    test('publish awaits every listener, in subscription order, before it resolves', async () => {
      const n = await make();
      const order: string[] = [];
      n.feed.subscribe(async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        order.push('slow first');
      });
      n.feed.subscribe(() => void order.push('second'));
      await createUser(n, 'awaited');
      expect(order).toEqual(['slow first', 'second']);
    });

    test('a listener that throws does not stop the others, and the write still succeeds', async () => {
      const n = await make();
      const errors: string[] = [];
      const feed = n.feed;
      const original = feed.reportError.bind(feed);
      feed.reportError = (error, message, context) => {
        errors.push(message);
        original(error, message, context);
      };
      feed.subscribe(() => {
        throw new Error('listener broke');
      });
      const after: ChangeEvent[] = [];
      feed.subscribe((event) => void after.push(event));
      await createUser(n, 'survives');
      expect(after.map((e) => e.type)).toEqual(['user.created']);
      expect(errors).toEqual(['a change listener failed; the other listeners still got the event']);
    });

    test('unsubscribing stops delivery; a rolled-back write announces nothing', async () => {
      const n = await make();
      const seen: ChangeEvent[] = [];
      const unsubscribe = n.feed.subscribe((event) => void seen.push(event));
      await createUser(n, 'a');
      unsubscribe();
      await createUser(n, 'b');
      expect(seen.map((e) => (e as { userId: string }).userId)).toEqual(['a']);
      await expect(commitChange(n, async (tx) => {
        await tx.management.putUser(user({ id: 'never' }));
        throw new Error('rolled back');
      })).rejects.toThrow('rolled back');
      expect(n.events.map((e) => (e as { userId: string }).userId)).toEqual(['a', 'b']);
    });

    // The in-process feed publishes after each commit, so on PostgreSQL two concurrent writers can
    // publish in the opposite order to their versions. The program never runs that pair (PostgreSQL
    // gets PgChangeFeed, which delivers in version order); on SQLite writes are serialized.
    const ordered = !(implementation.kind === 'in-process' && implementation.dialect === 'postgres');
    if (ordered) {
      test('events arrive in version order, each version once', async () => {
        const n = await make();
        await Promise.all(['p', 'q', 'r', 's'].map((id) => createUser(n, id)));
        const versions = n.events.map((e) => e.version);
        expect(versions).toEqual([...versions].sort((a, b) => a - b));
        expect(new Set(versions).size).toBe(4);
      });
    }
  });
}

describe.skipIf(POSTGRES_URL === undefined)('PostgreSQL change feed across processes [postgres]', () => {
  test('a write on one node reaches the other node’s listeners with the same event and version, once', async () => {
    const db = await database('postgres');
    const writer = await node(db, 'postgres');
    const reader = await node(db, 'postgres');
    await createUser(writer, 'crosses');
    await vi.waitFor(() => expect(reader.events).toHaveLength(1), { timeout: 10_000 });
    expect(reader.events).toEqual(writer.events);
    await createUser(reader, 'back');
    await vi.waitFor(() => expect(writer.events).toHaveLength(2), { timeout: 10_000 });
    expect(writer.events).toEqual(reader.events);
  });

  test('an event larger than a NOTIFY payload (8000 bytes) is read from the stored events', async () => {
    const db = await database('postgres');
    const writer = await node(db, 'postgres');
    const reader = await node(db, 'postgres');
    const userIds = Array.from({ length: 400 }, (_, i) => `imported-user-with-a-long-identifier-${i}`);
    await commitChange(writer, async () => ({ result: undefined, event: { type: 'batch.imported' as const, userIds, clientApplications: [], subscriptionIds: [] } }));
    await vi.waitFor(() => expect(reader.events).toHaveLength(1), { timeout: 10_000 });
    expect(JSON.stringify(reader.events[0]).length).toBeGreaterThan(8000);
    expect(reader.events).toEqual(writer.events);
  });

  test('a node whose LISTEN connection is killed reports it, reconnects and catches up by version', async () => {
    const db = await database('postgres');
    const writer = await node(db, 'postgres');
    const reader = await node(db, 'postgres');
    const feed = reader.pg!;
    const pid = feed.listenerPid!;
    expect(pid).toBeGreaterThan(0);
    const admin = new pg.Client({ connectionString: db.databaseUrl });
    await admin.connect();
    cleanups.push(() => admin.end());
    await admin.query('select pg_terminate_backend($1)', [pid]);
    await vi.waitFor(() => expect(feed.health().connected).toBe(false), { timeout: 10_000 });
    // Written while the reader is deaf: no notification reaches it.
    await createUser(writer, 'missed-1');
    await createUser(writer, 'missed-2');
    await vi.waitFor(() => expect(feed.health().connected).toBe(true), { timeout: 10_000 });
    await vi.waitFor(() => expect(feed.currentVersion).toBe(writer.feed.currentVersion), { timeout: 10_000 });
    expect(reader.events).toEqual(writer.events);
    expect(feed.listenerPid).not.toBe(pid);
  });

  test('back after a loss, a node counts as behind since the loss (not since the reconnect) until it has applied what it missed', async () => {
    const db = await database('postgres');
    const writer = await node(db, 'postgres');
    // Reconnects a second after a loss: the write below must commit while the reader is deaf (a
    // write after the reconnect arrives by NOTIFY, and is behind only since it arrived).
    const reader = await node(db, 'postgres', { first: 1_000, max: 1_000 });
    const feed = reader.pg!;
    let release = (): void => undefined;
    let gate = Promise.resolve();
    const closeGate = (): void => void (gate = new Promise<void>((resolve) => (release = resolve)));
    feed.subscribe(async (event) => {
      if (event.type === 'user.created' && event.userId.startsWith('missed')) await gate; // holds the catch-up
    });
    const admin = new pg.Client({ connectionString: db.databaseUrl });
    await admin.connect();
    cleanups.push(() => admin.end());
    let lostSeenAt = 0;
    for (let attempt = 1; ; attempt++) {
      closeGate();
      await admin.query('select pg_terminate_backend($1)', [feed.listenerPid]);
      await vi.waitFor(() => expect(feed.health().connected).toBe(false), { timeout: 10_000, interval: 5 });
      lostSeenAt = Date.now(); // the feed noted the loss at or before this
      await createUser(writer, `missed-${attempt}`);
      if (!feed.health().connected) break; // committed while deaf, as the test needs
      // A very slow machine reconnected first: that write came by NOTIFY; lose the connection again.
      expect(attempt).toBeLessThan(5);
      release();
      await vi.waitFor(() => expect(feed.currentVersion).toBe(writer.feed.currentVersion), { timeout: 10_000 });
    }
    await vi.waitFor(() => expect(feed.health().connected).toBe(true), { timeout: 10_000, interval: 5 });
    // Connected again but not caught up: still behind since the loss, so a bound shorter than that is exceeded.
    const elapsed = Date.now() - lostSeenAt;
    const health = feed.health();
    expect(health.appliedVersion).toBeLessThan(writer.feed.currentVersion);
    expect(health.behindForMs).toBeGreaterThanOrEqual(elapsed);
    release();
    await vi.waitFor(() => expect(feed.currentVersion).toBe(writer.feed.currentVersion), { timeout: 10_000 });
    expect(feed.health()).toMatchObject({ connected: true, disconnectedForMs: 0, behindForMs: 0 });
  });

  test('a node catches up to the newest event even when the ones it missed were pruned (its views see a gap and rebuild)', async () => {
    const db = await database('postgres');
    const writer = await node(db, 'postgres');
    const reader = await node(db, 'postgres');
    const admin = new pg.Client({ connectionString: db.databaseUrl });
    await admin.connect();
    cleanups.push(() => admin.end());
    await admin.query('select pg_terminate_backend($1)', [reader.pg!.listenerPid]);
    await vi.waitFor(() => expect(reader.pg!.health().connected).toBe(false), { timeout: 10_000 });
    await createUser(writer, 'pruned-1');
    await createUser(writer, 'kept');
    await writer.store.changeLog.pruneCreatedBefore(new Date(Date.now() + 60_000).toISOString());
    await vi.waitFor(() => expect(reader.feed.currentVersion).toBe(writer.feed.currentVersion), { timeout: 10_000 });
    const last = reader.events.at(-1)!;
    expect(last).toEqual(writer.events.at(-1));
  });
});
