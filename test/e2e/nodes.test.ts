/**
 * Nodes (docs/operations.md): /healthz and /readyz on every listener, the config version on every
 * write's answer, configurationStatus; with PostgreSQL, nodes of one role each (`--only`) that
 * follow each other's writes, and a gateway node that lost its feed for longer than the bound
 * refusing (503) and failing readiness until it is back.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import pg from 'pg';
import { createTestDatabase, describeEachDialect, POSTGRES_URL, type TestDatabase } from '../helpers/databases.js';
import { bootOn, bootPortico, type Booted } from '../helpers/boot.js';
import { ManagementClient, requestToken } from '../helpers/clients.js';
import { PgChangeFeed } from '../../src/store/index.js';

describeEachDialect('node health and confirmed configuration', (dialect) => {
  let portico: Booted;
  let admin: ManagementClient;

  beforeAll(async () => {
    portico = await bootOn(dialect);
    admin = new ManagementClient(portico.credentials);
  }, 60_000);
  afterAll(async () => {
    await portico?.stop();
  });

  test('/healthz and /readyz answer on the gateway, management and identity listeners', async () => {
    for (const base of [portico.gatewayUrl, portico.managementUrl, portico.identityUrl]) {
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'alive' });
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(ready.headers.get('cache-control')).toBe('no-store');
      expect(await ready.json()).toEqual({
        status: 'ready',
        ready: true,
        reasons: [],
        nodeId: portico.running.nodeId,
        roles: ['gateway', 'management', 'identity'],
        appliedVersion: portico.running.feed.currentVersion,
        feed: { connected: true, disconnectedForMs: 0, behindForMs: 0 },
        maxFeedLagMs: 3000,
      });
    }
  });

  test('a write answers with the config version it created, and configurationStatus confirms this node applied it', async () => {
    const write = await admin.call('PUT', '/users/carol', { properties: { email: 'carol@example.com', firstName: 'Carol', lastName: 'Example' } });
    expect(write.status).toBe(201);
    const version = Number(write.headers.get('x-portico-config-version'));
    expect(version).toBe(portico.running.feed.currentVersion);
    expect((await admin.call('GET', '/users/carol')).headers.get('x-portico-config-version')).toBeNull();

    const status = await admin.call('GET', `/configurationStatus?version=${version}&timeout=5`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ version, currentVersion: version, complete: true });
    expect(status.body.nodes).toEqual([
      expect.objectContaining({ nodeId: portico.running.nodeId, roles: ['gateway', 'management', 'identity'], appliedVersion: version, applied: true, feedConnected: true, pid: process.pid }),
    ]);
  });

  test('a version no node has applied yet: complete is false once the timeout is over', async () => {
    const current = portico.running.feed.currentVersion;
    const status = await admin.call('GET', `/configurationStatus?version=${current + 1000}&timeout=0.2`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ version: current + 1000, complete: false, nodes: [expect.objectContaining({ applied: false, appliedVersion: current })] });
  });

  test('configurationStatus refuses a version or timeout that is not a number it accepts', async () => {
    for (const query of ['version=-1', 'version=abc', 'timeout=61', 'timeout=soon']) {
      const answer = await admin.call('GET', `/configurationStatus?${query}`);
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('ValidationError');
    }
  });
});

describe.skipIf(POSTGRES_URL === undefined)('nodes of one role each on PostgreSQL [postgres]', () => {
  let database: TestDatabase;
  let control: Booted;
  let gateway: Booted;
  let admin: ManagementClient;
  const admins: pg.Client[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const shared = { dataDir: database.dataDir, databaseUrl: database.databaseUrl! };
    control = await bootPortico({ ...shared, roles: ['management', 'identity'] });
    gateway = await bootPortico({ ...shared, roles: 'gateway', maxFeedLagMs: 300 });
    admin = new ManagementClient(control.credentials);
  }, 120_000);
  afterEach(async () => {
    for (const client of admins.splice(0)) await client.end().catch(() => undefined);
  });
  afterAll(async () => {
    await gateway?.running.stop();
    await control?.running.stop();
    await database?.drop();
  });

  const callEcho = async (headers: Record<string, string>): Promise<number> =>
    (await fetch(`${gateway.gatewayUrl}/echo/resource?param1=sample`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' })).status;

  test('each node runs only its listeners', async () => {
    expect(gateway.running.boundUrls).toEqual({ gateway: expect.any(String) });
    expect(Object.keys(control.running.boundUrls).sort()).toEqual(['echo', 'identity', 'management']);
    expect((await fetch(`${gateway.gatewayUrl}/readyz`)).status).toBe(200);
  });

  test('a revocation on the management node is refused by the gateway node, and configurationStatus confirms both nodes', async () => {
    const starter = await admin.call('PATCH', '/products/starter', { properties: { authenticationType: ['application-token'] } });
    expect(starter.status).toBe(200);
    expect((await admin.call('PUT', '/users/dana', { properties: { email: 'dana@example.com', firstName: 'Dana', lastName: 'Example' } })).status).toBe(201);
    const app = await admin.call('PUT', '/clientApplications/dana-app', { properties: { displayName: 'Dana app', ownerId: '/users/dana', productIds: ['/products/starter'] } });
    expect(app.status).toBe(201);
    const secret = (await admin.call('POST', '/clientApplications/dana-app/listSecrets')).body.entra.clientSecret as string;
    const token = await requestToken(control.identityUrl, control.credentials.tenantId, {
      grant_type: 'client_credentials', client_id: app.body.properties.entraApplicationId, client_secret: secret, scope: `api://${starter.body.properties.application.entra.audience}/.default`,
    });
    expect(token.status).toBe(200);
    const bearer = { authorization: `Bearer ${token.body.access_token as string}` };
    const linked = await admin.call('GET', `/configurationStatus?timeout=10`);
    expect(linked.body.complete).toBe(true);
    expect(await callEcho(bearer)).toBe(200);

    const unlink = await admin.call('DELETE', '/clientApplications/dana-app/productLinks/starter');
    expect(unlink.status).toBe(200);
    const version = Number(unlink.headers.get('x-portico-config-version'));
    const status = await admin.call('GET', `/configurationStatus?version=${version}&timeout=10`);
    expect(status.body.complete).toBe(true);
    expect(status.body.nodes.map((n: { nodeId: string }) => n.nodeId).sort()).toEqual([control.running.nodeId, gateway.running.nodeId].sort());
    // Confirmed applied: the very next request is refused.
    expect(await callEcho(bearer)).toBe(401);
  });

  test('a gateway node whose feed is lost for longer than the bound refuses requests (503) and fails readiness, then recovers', async () => {
    const adminDb = new pg.Client({ connectionString: POSTGRES_URL });
    await adminDb.connect();
    admins.push(adminDb);
    const name = new URL(database.databaseUrl!).pathname.slice(1);
    const feed = gateway.running.feed as PgChangeFeed;
    await adminDb.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    try {
      await adminDb.query('select pg_terminate_backend($1)', [feed.listenerPid]);
      await vi.waitFor(async () => expect((await fetch(`${gateway.gatewayUrl}/readyz`)).status).toBe(503), { timeout: 10_000, interval: 100 });
      const ready = (await (await fetch(`${gateway.gatewayUrl}/readyz`)).json()) as { reasons: string[] };
      expect(ready).toMatchObject({ status: 'not ready', ready: false, feed: { connected: false } });
      expect(ready.reasons[0]).toMatch(/^the change feed connection has been lost for \d+ ms \(bound 300 ms\): revocations may not have reached this node$/);
      const refused = await fetch(`${gateway.gatewayUrl}/echo/resource?param1=sample`);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(await refused.json()).toEqual({ statusCode: 503, message: 'Service unavailable: the gateway could not bring its configuration up to date. Try again shortly.' });
      expect(gateway.logLines.some((line) => line.includes('"reason":"gateway.configurationStale"'))).toBe(true);
    } finally {
      await adminDb.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    }
    await vi.waitFor(async () => expect((await fetch(`${gateway.gatewayUrl}/readyz`)).status).toBe(200), { timeout: 15_000, interval: 100 });
    expect(feed.health().connected).toBe(true);
  });
});
