/**
 * SQLite: the change feed is in-process, so a second Portico on the same data directory must refuse
 * to start. PostgreSQL: the feed crosses processes, so a second process (node) starts and follows
 * the first one's writes (test/e2e/many-nodes.test.ts goes further).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, POSTGRES_URL, type TestDatabase } from '../helpers/databases.js';
import { bootPortico, type Booted } from '../helpers/boot.js';

describe('one process per SQLite store [sqlite]', () => {
  let database: TestDatabase;
  let first: Booted;
  const options = () => ({ dataDir: database.dataDir });

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    first = await bootPortico(options());
  });
  afterAll(async () => {
    await first?.running.stop();
    await database?.drop();
  });

  test('a second start on the same store fails with a message saying why, and the first keeps working', async () => {
    await expect(bootPortico(options())).rejects.toThrow(/^Another Portico process is using the data directory .*use PostgreSQL \(PORTICO_DATABASE_URL\) to run many nodes\.$/);
    expect((await fetch(`${first.gatewayUrl}/status-0123456789abcdef`)).status).toBe(200);
  });

  test('after the first stops, the store can be used again', async () => {
    await first.running.stop();
    first = await bootPortico(options());
    expect((await fetch(`${first.gatewayUrl}/status-0123456789abcdef`)).status).toBe(200);
  });
});

describe.skipIf(POSTGRES_URL === undefined)('many processes on one PostgreSQL store [postgres]', () => {
  let database: TestDatabase;
  const running: Booted[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    for (const node of running.splice(0)) await node.running.stop();
    await database?.drop();
  });

  test('a second process starts on the same database, and both answer as ready', async () => {
    const options = { dataDir: database.dataDir, databaseUrl: database.databaseUrl! };
    running.push(await bootPortico(options));
    running.push(await bootPortico(options));
    for (const node of running) {
      const ready = await fetch(`${node.gatewayUrl}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', reasons: [], nodeId: node.running.nodeId });
      expect((await fetch(`${node.managementUrl}/healthz`)).status).toBe(200);
    }
    expect(running[0]!.running.tenantId).toBe(running[1]!.running.tenantId);
  });
});
