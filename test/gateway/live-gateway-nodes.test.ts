/**
 * Without Redis, each gateway process's share of a limit follows the live gateway nodes in the
 * heartbeat rows: nodes with the gateway role seen within the last 10 s, at least 1.
 */
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LiveGatewayNodes, LIVE_NODE_WITHIN_MS } from '../../src/gateway/counters/index.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/databases.js';

describeEachDialect('LiveGatewayNodes', (dialect) => {
  let database: TestDatabase;
  let store: Store;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    store = await openStore({ dataDir: database.dataDir, databaseUrl: database.databaseUrl });
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  const beat = (nodeId: string, roles: string[], lastSeenMs: number) =>
    store.nodes.beat({ nodeId, roles, appliedVersion: 1, feedConnected: true, host: 'h', pid: 1, startedAt: new Date(lastSeenMs).toISOString(), lastSeenAt: new Date(lastSeenMs).toISOString() });

  it('counts the gateway nodes seen lately, at least 1', async () => {
    const now = Date.parse('2026-11-30T10:00:00Z');
    const live = new LiveGatewayNodes(store.nodes, pino({ level: 'silent' }), () => now);
    await live.start();
    expect(live.get()).toBe(1); // none yet
    live.stop();
    await beat('gw-1', ['gateway'], now - 1_000);
    await beat('gw-2', ['gateway'], now - 2_000);
    await beat('all-in-one', ['gateway', 'management', 'identity'], now);
    await beat('mgmt', ['management', 'identity'], now); // no gateway role
    await beat('gone', ['gateway'], now - LIVE_NODE_WITHIN_MS - 1); // stopped beating
    const again = new LiveGatewayNodes(store.nodes, pino({ level: 'silent' }), () => now);
    await again.start();
    expect(again.get()).toBe(3);
    again.stop();
  });
});
