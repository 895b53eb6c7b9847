import { afterAll, beforeAll, expect, test } from 'vitest';
import { ROLE_IDS } from '../../src/identity/index.js';
import { bumpTestVersion } from '../helpers/change-events.js';
import { describeEachDialect } from '../helpers/databases.js';
import { IdentityHarness, expectEntraError, type TestClient } from './harness.js';

/** When the store fails underneath, clients get a generic 5xx; the cause goes to the log only. */
describeEachDialect('internal failures', (dialect) => {
  let h: IdentityHarness;
  let client: TestClient;
  let graphToken: string;

  beforeAll(async () => {
    h = await IdentityHarness.start(dialect);
    client = await h.createClient();
    graphToken = (await h.graphCaller([ROLE_IDS.globalAdministrator])).token;
    const version = await bumpTestVersion(h.store);
    await h.store.close(); // every later store call fails
    // The token endpoint reads an in-memory view; a directory change makes it read the store again.
    await h.feed.publish({ type: 'directory.changed', changedObjectIds: [client.app.id], version });
  });
  afterAll(async () => h?.stop());

  test('the token endpoint answers 500 server_error AADSTS50000 without internals', async () => {
    const result = await h.postToken({ grant_type: 'client_credentials', client_id: client.app.appId, client_secret: client.secret, scope: `${client.app.appId}/.default` });
    expectEntraError(result, 500, 'server_error', 50000, 'There was an error issuing a token. Try again later. Trace ID: ');
    expect(result.text).not.toMatch(/at .*\.(ts|js):\d+|kysely|sqlite|postgres|destroy/i);
    expect(h.logLines.some((line) => line.includes('"level":50') && line.includes('token endpoint failed'))).toBe(true);
  });

  test('the directory API answers 500 InternalServerError without internals', async () => {
    const result = await h.graph('GET', '/applications', graphToken);
    expect(result.status).toBe(500);
    expect(result.body.error).toMatchObject({ code: 'InternalServerError', message: 'An unexpected error occurred. The server log has the details.' });
    expect(result.text).not.toMatch(/at .*\.(ts|js):\d+|kysely|sqlite|postgres|destroy/i);
  });
});
