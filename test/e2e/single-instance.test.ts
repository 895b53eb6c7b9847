/** Until the change feed crosses processes, a second Portico on the same store must refuse to start. */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeEachDialect, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { bootPortico, type Booted } from '../helpers/boot.js';

describeEachDialect('one process per store', (dialect) => {
  let database: TestDatabase;
  let first: Booted;
  const options = () => ({ dataDir: database.dataDir, ...(database.databaseUrl ? { databaseUrl: database.databaseUrl } : {}) });

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    first = await bootPortico(options());
  });
  afterAll(async () => {
    await first?.running.stop();
    await database?.drop();
  });

  test('a second start on the same store fails with a message saying why, and the first keeps working', async () => {
    await expect(bootPortico(options())).rejects.toThrow(/^Another Portico process .*is using (the data directory|this PostgreSQL database)/);
    expect((await fetch(`${first.gatewayUrl}/status-0123456789abcdef`)).status).toBe(200);
  });

  test('after the first stops, the store can be used again', async () => {
    await first.running.stop();
    first = await bootPortico(options());
    expect((await fetch(`${first.gatewayUrl}/status-0123456789abcdef`)).status).toBe(200);
  });
});
