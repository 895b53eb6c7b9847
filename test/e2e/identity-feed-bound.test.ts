/**
 * An identity node fails closed like a gateway node (docs/operations.md, Health): while its change
 * feed has been lost for longer than PORTICO_MAX_FEED_LAG_MS, the token endpoint answers 503
 * temporarily_unavailable (PorticoConfigurationStale) instead of issuing tokens from a directory
 * view that may miss another node's deletion; discovery and JWKS keep answering. Once the feed is
 * back it catches up by version first, so an application deleted meanwhile is refused, never issued.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import pg from 'pg';
import { createTestDatabase, POSTGRES_URL, type TestDatabase } from '../helpers/databases.js';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { ManagementClient } from '../helpers/clients.js';
import { PgChangeFeed } from '../../src/store/index.js';

describe.skipIf(POSTGRES_URL === undefined)('an identity node whose change feed is past its bound [postgres]', () => {
  let database: TestDatabase;
  let control: Booted;
  let identity: Booted;
  let admin: ManagementClient;
  let scope: string;
  const admins: pg.Client[] = [];

  /** A client application linked to Starter, and its secret. */
  const makeApp = async (name: string): Promise<{ clientId: string; secret: string }> => {
    const app = await admin.call('PUT', `/clientApplications/${name}`, { properties: { displayName: name, ownerId: '/users/erin', productIds: ['/products/starter'] } });
    expect(app.status).toBe(201);
    const secret = (await admin.call('POST', `/clientApplications/${name}/listSecrets`)).body.entra.clientSecret as string;
    return { clientId: app.body.properties.entraApplicationId as string, secret };
  };
  const tokenFrom = (node: Booted, app: { clientId: string; secret: string }, headers: Record<string, string> = {}) =>
    fetch(`${node.identityUrl}/${node.credentials.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.secret, scope }).toString(),
    });

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const shared = { dataDir: database.dataDir, databaseUrl: database.databaseUrl! };
    control = await bootPortico({ ...shared, roles: ['management', 'identity'] });
    identity = await bootPortico({ ...shared, roles: 'identity', maxFeedLagMs: 300 });
    admin = new ManagementClient(control.credentials);
    const starter = await admin.call('PATCH', '/products/starter', { properties: { authenticationType: ['application-token'] } });
    expect(starter.status).toBe(200);
    scope = `api://${starter.body.properties.application.entra.audience as string}/.default`;
    expect((await admin.call('PUT', '/users/erin', { properties: { email: 'erin@example.com', firstName: 'Erin', lastName: 'Example' } })).status).toBe(201);
  }, 120_000);
  afterEach(async () => {
    for (const client of admins.splice(0)) await client.end().catch(() => undefined);
  });
  afterAll(async () => {
    await identity?.running.stop();
    await control?.running.stop();
    await database?.drop();
  });

  test('refuses tokens (503, Retry-After) while the feed is lost, keeps discovery and JWKS, and after reconnecting refuses what was deleted meanwhile', async () => {
    const kept = await makeApp('kept-app');
    const doomed = await makeApp('doomed-app');
    const status = await admin.call('GET', '/configurationStatus?timeout=10');
    expect(status.body.complete).toBe(true);
    expect((await tokenFrom(identity, kept)).status).toBe(200);
    expect((await tokenFrom(identity, doomed)).status).toBe(200);

    const adminDb = new pg.Client({ connectionString: POSTGRES_URL });
    await adminDb.connect();
    admins.push(adminDb);
    const name = new URL(database.databaseUrl!).pathname.slice(1);
    const feed = identity.running.feed as PgChangeFeed;
    const tenant = identity.credentials.tenantId;
    await adminDb.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    try {
      await adminDb.query('select pg_terminate_backend($1)', [feed.listenerPid]);
      await vi.waitFor(async () => expect((await tokenFrom(identity, kept)).status).toBe(503), { timeout: 10_000, interval: 50 });
      // Deleted on the management node while this node is deaf (at once, while the management node's
      // pooled connections are fresh: no new connection is allowed now).
      expect((await admin.call('DELETE', '/clientApplications/doomed-app', undefined, { 'if-match': '*' })).status).toBe(200);
      expect((await tokenFrom(identity, doomed)).status).toBe(503);

      const correlation = '00000000-1111-2222-3333-444444444444';
      const refused = await tokenFrom(identity, kept, { 'client-request-id': correlation, 'x-request-id': 'feed-lost-1' });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.headers.get('cache-control')).toBe('no-store, no-cache');
      expect(refused.headers.get('pragma')).toBe('no-cache');
      expect(refused.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const body = (await refused.json()) as Record<string, unknown>;
      const timestamp = body.timestamp as string;
      expect(timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
      expect(body).toEqual({
        error: 'temporarily_unavailable',
        error_description: `PorticoConfigurationStale: This identity node could not bring its copy of the directory up to date, so it issues no tokens until it has. Try again shortly; another identity node may answer. Trace ID: feed-lost-1 Correlation ID: ${correlation} Timestamp: ${timestamp}`,
        error_codes: [],
        timestamp,
        trace_id: 'feed-lost-1',
        correlation_id: correlation,
        error_uri: `${identity.identityUrl}/error?code=PorticoConfigurationStale`,
      });
      // Whatever the request, no token: a bad secret learns nothing either.
      expect((await tokenFrom(identity, { ...kept, secret: 'wrong' })).status).toBe(503);
      expect(identity.logLines.some((line) => line.includes('"error":"temporarily_unavailable"') && line.includes('"aadsts":"PorticoConfigurationStale"'))).toBe(true);

      // Discovery and the signing keys do not depend on the directory view: they keep answering.
      const discovery = await fetch(`${identity.identityUrl}/${tenant}/v2.0/.well-known/openid-configuration`);
      expect(discovery.status).toBe(200);
      const jwks = await fetch(`${identity.identityUrl}/${tenant}/discovery/v2.0/keys`);
      expect(jwks.status).toBe(200);
      expect(((await jwks.json()) as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
      const ready = await fetch(`${identity.identityUrl}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { reasons: string[] }).reasons[0]).toMatch(/^the change feed connection has been lost for \d+ ms \(bound 300 ms\)/);

    } finally {
      await adminDb.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    }

    // Back: never a token for the deleted application, only 503 until caught up, then its refusal.
    const seen = new Set<number>();
    await vi.waitFor(async () => {
      const answer = await tokenFrom(identity, doomed);
      seen.add(answer.status);
      expect(answer.status).not.toBe(503);
    }, { timeout: 15_000, interval: 20 });
    expect([...seen].filter((status) => status !== 503)).toEqual([400]); // never a 200 on the way
    const gone = await tokenFrom(identity, doomed);
    expect(gone.status).toBe(400);
    expect(await gone.json()).toMatchObject({ error: 'unauthorized_client', error_codes: [700016] });
    const again = await tokenFrom(identity, kept);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ token_type: 'Bearer', access_token: expect.stringMatching(/^ey/) });
    expect(feed.health()).toMatchObject({ connected: true, disconnectedForMs: 0, behindForMs: 0 });
    expect((await fetch(`${identity.identityUrl}/readyz`)).status).toBe(200);
  });
});
