/** A restart keeps every piece of data; no secret or subscription key is stored or logged in plaintext. */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeEachDialect, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { ManagementClient, clientCredentialsToken } from '../helpers/clients.js';
import { dumpDatabase } from '../helpers/dump.js';

describeEachDialect('persistence and secrecy', (dialect) => {
  let database: TestDatabase;
  let first: Booted;
  let second: Booted | undefined;
  const logLines: string[] = [];
  const secrets: string[] = [];
  let clientId: string;
  let audience: string;
  let token: string;
  let clientSecret: string;
  let subscriptionKey: string;

  const boot = (ports?: Record<'gateway' | 'management' | 'identity' | 'echo', number>) =>
    bootPortico({ dataDir: database.dataDir, ...(database.databaseUrl ? { databaseUrl: database.databaseUrl } : {}), logLines, ...(ports ? { ports } : {}) });
  const portOf = (url: string) => Number(new URL(url).port);
  const callEcho = (gatewayUrl: string, headers: Record<string, string>) =>
    fetch(`${gatewayUrl}/echo/resource?param1=sample`, { method: 'POST', headers, body: 'hello' });

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    first = await boot();
    const admin = new ManagementClient(first.credentials);
    secrets.push(first.credentials.admin.clientSecret, first.credentials.adminUser.password);
    audience = (await admin.call('PATCH', '/products/starter', { properties: { authenticationType: ['subscription-key', 'application-token'] } }, { 'if-match': '*' })).body.properties.application.entra.audience;
    await admin.call('PUT', '/users/dana', { properties: { email: 'dana@example.com', firstName: 'Dana', lastName: 'Example', password: 'correct horse battery' } });
    secrets.push('correct horse battery');
    clientId = (await admin.call('PUT', '/clientApplications/dana-app', { properties: { displayName: 'Dana app', ownerId: '/users/dana', productIds: ['/products/starter'] } })).body.properties.entraApplicationId;
    const secret = (await admin.call('POST', '/clientApplications/dana-app/listSecrets')).body.entra.clientSecret as string;
    secrets.push(secret);
    clientSecret = secret;
    await admin.call('PUT', '/subscriptions/dana-sub', { properties: { scope: '/products/starter', displayName: 'Dana', ownerId: '/users/dana', state: 'active' } });
    const keys = (await admin.call('POST', '/subscriptions/dana-sub/listSecrets')).body;
    const master = (await admin.call('POST', '/subscriptions/master/listSecrets')).body;
    secrets.push(keys.primaryKey, keys.secondaryKey, master.primaryKey, master.secondaryKey);
    subscriptionKey = keys.primaryKey;
    token = await clientCredentialsToken(first.identityUrl, first.credentials.tenantId, clientId, secret, `api://${audience}/.default`);
    expect((await callEcho(first.gatewayUrl, { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await callEcho(first.gatewayUrl, { 'ocp-apim-subscription-key': keys.primaryKey })).status).toBe(200);
    await first.running.stop();
    // Same ports, so the identity URL (and with it the token issuer) stays the same, as in production.
    second = await boot({ gateway: portOf(first.gatewayUrl), management: portOf(first.managementUrl), identity: portOf(first.identityUrl), echo: portOf(first.echoUrl) });
  });
  afterAll(async () => {
    await second?.running.stop();
    await database?.drop();
  });

  test('after a restart the same token, key and secret still work and the data is all there', async () => {
    expect(second!.credentials.tenantId).toBe(first.credentials.tenantId);
    expect(second!.credentials.admin).toEqual(first.credentials.admin);
    const admin = new ManagementClient(second!.credentials);
    const product = await admin.call('GET', '/products/starter');
    expect(product.body.properties.application.entra.audience).toBe(audience);
    expect((await admin.call('GET', '/clientApplications/dana-app/productLinks')).body.value.map((l: { properties: { productId: string } }) => l.properties.productId)).toEqual([`${admin.servicePath}/products/starter`]);
    // A token signed before the restart still validates: the signing key survived.
    const withOldToken = await callEcho(second!.gatewayUrl, { authorization: `Bearer ${token}` });
    expect(withOldToken.status).toBe(200);
    const keys = (await admin.call('POST', '/subscriptions/dana-sub/listSecrets')).body;
    expect(keys.primaryKey).toBe(subscriptionKey);
    expect((await callEcho(second!.gatewayUrl, { 'ocp-apim-subscription-key': keys.primaryKey })).status).toBe(200);
    await clientCredentialsToken(second!.identityUrl, second!.credentials.tenantId, clientId, clientSecret, `api://${audience}/.default`);
  });

  test('no client secret, password, subscription key or private key appears in plaintext in the store', async () => {
    const dump = JSON.stringify(await dumpDatabase(database.dataDir, database.databaseUrl));
    expect(dump.length).toBeGreaterThan(1000);
    for (const secret of secrets) expect(dump).not.toContain(secret);
    expect(dump).not.toContain('PRIVATE KEY');
  });

  test('no secret, key or token appears in the log', () => {
    expect(logLines.length).toBeGreaterThan(10);
    const log = logLines.join('\n');
    for (const secret of [...secrets, token]) expect(log).not.toContain(secret);
  });
});
