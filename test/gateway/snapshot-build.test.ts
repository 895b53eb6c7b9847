/**
 * The gateway's full build reads the big tables page by page (store.scans, keyset by primary key):
 * every row exactly once whatever the page size and the ids' case or punctuation, the same snapshot
 * as in one big page, and progress lines while it runs.
 */
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { buildSnapshot, type Snapshot } from '../../src/gateway/snapshot.js';
import { openStore, scanPages, type Store } from '../../src/store/index.js';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/databases.js';
import { clientApp, product, subscription, user } from './harness.js';

// Ids whose order differs between code units and a locale's collation, and by case.
const USERS = ['User-A', 'user-b', 'USER_c', 'u.d', 'Z-last', 'a-first'];
const SUBSCRIPTIONS = ['Sub-1', 'sub_2', 'SUB.3', 'sub-10', 'a', 'B', 'c-'];
const APPS = ['App-1', 'app_2', 'APP.3', 'b'];

async function seed(store: Store): Promise<void> {
  const m = store.management;
  await m.putProduct(product('starter', 'Starter'));
  await m.putProduct(product('Gold', 'Gold'));
  for (const id of USERS) await m.putUser(user(id, id === 'u.d' ? 'blocked' : 'active'));
  for (const [i, id] of SUBSCRIPTIONS.entries()) {
    await m.putSubscription(subscription(id, i % 2 === 0 ? '/products/starter' : '/apis/echo', { ownerId: i % 3 === 0 ? null : USERS[i % USERS.length]!, state: i === 4 ? 'suspended' : 'active' }));
  }
  for (const [i, id] of APPS.entries()) await m.putClientApplication(clientApp(id, `entra-${id.toLowerCase()}`, USERS[i]!, { state: i === 3 ? 'pending' : 'active' }));
  // App-1 two links, app_2 one (and a rejected one), APP.3 one (and a pending one), b none.
  await m.putProductLink({ id: 'starter', clientApplicationId: 'App-1', productId: 'starter', appRoleAssignmentId: null, state: 'active' });
  await m.putProductLink({ id: 'gold', clientApplicationId: 'App-1', productId: 'Gold', appRoleAssignmentId: null, state: 'active' });
  await m.putProductLink({ id: 'starter', clientApplicationId: 'app_2', productId: 'starter', appRoleAssignmentId: null, state: 'active' });
  await m.putProductLink({ id: 'Gold', clientApplicationId: 'APP.3', productId: 'Gold', appRoleAssignmentId: null, state: 'active' });
  // Links waiting for approval, or rejected, grant nothing: the full build must leave them out.
  await m.putProductLink({ id: 'starter', clientApplicationId: 'APP.3', productId: 'starter', appRoleAssignmentId: null, state: 'pending' });
  await m.putProductLink({ id: 'Gold', clientApplicationId: 'app_2', productId: 'Gold', appRoleAssignmentId: null, state: 'rejected' });
}

/** The high-volume parts of a snapshot as sorted plain data. */
function contents(snapshot: Snapshot): Record<string, unknown> {
  const byKey = <T>(entries: Iterable<[string, T]>) => [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const app = <T extends { productIds: ReadonlySet<string> }>(e: T) => ({ ...e, productIds: [...e.productIds].sort() });
  return {
    subscriptions: [...snapshot.subscriptionsByKeyHash.rows()].sort((a, b) => (a.id < b.id ? -1 : 1)),
    users: byKey(snapshot.userStates.entries()),
    clientAppsByEntraId: byKey(snapshot.clientAppsByEntraId.entries()).map(([k, e]) => [k, app(e)]),
    clientAppsById: byKey(snapshot.index.clientAppsById.entries()).map(([k, e]) => [k, app(e)]),
  };
}

function capturingLogger(): { logger: Logger; lines: { level: number; msg: string }[] } {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line));
        done();
      },
    }),
  );
  return { logger, lines };
}

describeEachDialect('gateway snapshot, full build page by page', (dialect) => {
  let db: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    store = await openStore({ dataDir: db.dataDir, databaseUrl: db.databaseUrl });
    await seed(store);
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  test('each scan returns every row exactly once, whatever the page size', async () => {
    const scans = store.scans;
    const all = async <T, K>(read: (after: K | undefined, limit: number) => Promise<T[]>, keyOf: (row: T) => K, pageSize: number) => {
      const rows: T[] = [];
      for await (const page of scanPages(read, keyOf, pageSize)) rows.push(...page);
      return rows;
    };
    for (const pageSize of [1, 2, 3, 100]) {
      const subscriptions = await all(scans.subscriptionKeys.bind(scans), (r) => r.id, pageSize);
      expect(subscriptions.map((r) => r.id).sort()).toEqual([...SUBSCRIPTIONS].sort());
      const users = await all(scans.userStates.bind(scans), (r) => r.id, pageSize);
      expect(users.map((r) => r.id).sort()).toEqual([...USERS].sort());
      const apps = await all(scans.clientApplications.bind(scans), (r) => r.id, pageSize);
      expect(apps.map((r) => r.id).sort()).toEqual([...APPS].sort());
      const links = await all(scans.productLinks.bind(scans), (r) => r, pageSize);
      expect(links.map((r) => `${r.clientApplicationId}/${r.id}`).sort()).toEqual(['APP.3/Gold', 'App-1/gold', 'App-1/starter', 'app_2/starter'].sort());
    }
    expect(await scans.count('subscriptions')).toBe(SUBSCRIPTIONS.length);
    const sub = (await scans.subscriptionKeys(undefined, 100)).find((r) => r.id === 'Sub-1')!;
    const record = (await store.management.getSubscription('Sub-1'))!;
    expect(sub).toEqual({ id: 'Sub-1', scope: record.scope, state: record.state, ownerId: record.ownerId, expirationDate: record.expirationDate ?? null, primaryKeyHash: record.primaryKeyHash, secondaryKeyHash: record.secondaryKeyHash });
  });

  test('a build in pages of one, two or three rows equals one in large pages', async () => {
    const reference = contents(await buildSnapshot(store, 0));
    expect((reference['subscriptions'] as unknown[]).length).toBe(SUBSCRIPTIONS.length);
    for (const pageSize of [1, 2, 3]) expect(contents(await buildSnapshot(store, 0, undefined, Date.now(), { pageSize }))).toEqual(reference);
    const snapshot = await buildSnapshot(store, 0, undefined, Date.now(), { pageSize: 2 });
    expect(snapshot.clientAppsByEntraId.get('entra-app-1')?.productIds).toEqual(new Set(['starter', 'Gold']));
    expect(snapshot.clientAppsByEntraId.get('entra-b')?.productIds).toEqual(new Set());
    // A pending and a rejected link grant nothing.
    expect(snapshot.clientAppsByEntraId.get('entra-app.3')?.productIds).toEqual(new Set(['Gold']));
    expect(snapshot.clientAppsByEntraId.get('entra-app_2')?.productIds).toEqual(new Set(['starter']));
    expect(snapshot.userStates.get('u.d')).toBe('blocked');
    expect(snapshot.userStates.get('user-a')).toBe('active');
  });

  test('says what it is loading while it loads, and how long it took', async () => {
    const { logger, lines } = capturingLogger();
    let now = 0;
    const clock = () => (now += 1_000); // one second per look at the clock: every page is "a while"
    await buildSnapshot(store, 0, logger, Date.now(), { pageSize: 3, progress: { everyMs: 1_000, clock } });
    const messages = lines.filter((l) => l.level === 30).map((l) => l.msg);
    expect(messages).toEqual([
      'loading the gateway snapshot: 3 of 7 subscriptions',
      'loading the gateway snapshot: 6 of 7 subscriptions',
      'loading the gateway snapshot: 7 of 7 subscriptions',
      'loading the gateway snapshot: 3 of 6 users',
      'loading the gateway snapshot: 6 of 6 users',
      'loading the gateway snapshot: 3 product links',
      'loading the gateway snapshot: 4 product links',
      'loading the gateway snapshot: 3 of 4 client applications',
      'loading the gateway snapshot: 4 of 4 client applications',
      'loaded the gateway snapshot in 10.0 s (7 subscriptions, 6 users, 4 product links, 4 client applications)',
    ]);
  });

  test('a quick load logs its summary at debug only', async () => {
    const { logger, lines } = capturingLogger();
    await buildSnapshot(store, 0, logger, Date.now(), { progress: { clock: () => 0 } });
    expect(lines.filter((l) => l.level >= 30)).toEqual([]);
    expect(lines.map((l) => l.msg)).toContain('loaded the gateway snapshot in 0.0 s (7 subscriptions, 6 users, 4 product links, 4 client applications)');
  });
});
