/**
 * The real program's management writes reach the gateway as events it applies by re-reading the
 * rows they name: revocation holds on the very next request, and none of these high-volume writes
 * (nor a product or API change) makes the gateway rebuild its whole snapshot (counted by its log line), on every dialect.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { bootOn, type Booted } from '../helpers/boot.js';
import { ManagementClient, requestToken } from '../helpers/clients.js';

describeEachDialect('the gateway follows high-volume writes without full rebuilds', (dialect) => {
  let portico: Booted;
  let admin: ManagementClient;
  let audience: string;
  let clientId: string;
  let clientSecret: string;

  const fullBuilds = (): number => portico.logLines.filter((line) => line.includes('"gateway snapshot built in full"')).length;
  const callEcho = async (headers: Record<string, string>): Promise<number> =>
    (await fetch(`${portico.gatewayUrl}/echo/resource?param1=sample`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' })).status;
  const token = async (): Promise<string> => {
    const result = await requestToken(portico.identityUrl, portico.credentials.tenantId, {
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      scope: `api://${audience}/.default`,
    });
    expect(result.status).toBe(200);
    return result.body.access_token as string;
  };
  const primaryKey = async (): Promise<string> => (await admin.call('POST', '/subscriptions/bob-unlimited/listSecrets')).body.primaryKey as string;

  beforeAll(async () => {
    portico = await bootOn(dialect);
    admin = new ManagementClient(portico.credentials);
    const starter = await admin.call('PATCH', '/products/starter', { properties: { authenticationType: ['application-token'] } }, { 'if-match': '*' });
    expect(starter.status).toBe(200);
    audience = starter.body.properties.application.entra.audience;
  }, 60_000);
  afterAll(async () => {
    await portico?.stop();
  });

  test('users, client applications, product links, subscriptions, products and their APIs', async () => {
    const before = fullBuilds();
    expect(before).toBe(1); // the one at start

    expect((await admin.call('PUT', '/users/bob', { properties: { email: 'bob@example.com', firstName: 'Bob', lastName: 'Example' } })).status).toBe(201);
    const app = await admin.call('PUT', '/clientApplications/bob-app', { properties: { displayName: 'Bob app', ownerId: '/users/bob', productIds: ['/products/starter'] } });
    expect(app.status).toBe(201);
    clientId = app.body.properties.entraApplicationId;
    clientSecret = (await admin.call('POST', '/clientApplications/bob-app/listSecrets')).body.entra.clientSecret;
    const bearer = { authorization: `Bearer ${await token()}` };
    expect(await callEcho(bearer)).toBe(200);

    const sub = await admin.call('PUT', '/subscriptions/bob-unlimited', { properties: { scope: '/products/unlimited', displayName: 'Bob on Unlimited', ownerId: '/users/bob', state: 'active' } });
    expect(sub.status).toBe(201);
    const key = await primaryKey();
    expect(await callEcho({ 'ocp-apim-subscription-key': key })).toBe(200);

    // Blocking the owner refuses both credentials on the next request.
    expect((await admin.call('PATCH', '/users/bob', { properties: { state: 'blocked' } }, { 'if-match': '*' })).status).toBe(200);
    expect(await callEcho(bearer)).toBe(401);
    expect(await callEcho({ 'ocp-apim-subscription-key': key })).toBe(401);
    expect((await admin.call('PATCH', '/users/bob', { properties: { state: 'active' } }, { 'if-match': '*' })).status).toBe(200);
    expect(await callEcho(bearer)).toBe(200);

    // Unlinking, then linking again.
    expect((await admin.call('DELETE', '/clientApplications/bob-app/productLinks/starter')).status).toBe(200);
    expect(await callEcho(bearer)).toBe(401);
    expect((await admin.call('PUT', '/clientApplications/bob-app/productLinks/starter', { properties: { productId: '/products/starter' } })).status).toBe(201);
    expect(await callEcho({ authorization: `Bearer ${await token()}` })).toBe(200);

    // A regenerated key replaces the old one at once; a suspended subscription takes none.
    expect((await admin.call('POST', '/subscriptions/bob-unlimited/regeneratePrimaryKey')).status).toBe(204);
    expect(await callEcho({ 'ocp-apim-subscription-key': key })).toBe(401);
    const newKey = await primaryKey();
    expect(await callEcho({ 'ocp-apim-subscription-key': newKey })).toBe(200);
    expect((await admin.call('PATCH', '/subscriptions/bob-unlimited', { properties: { state: 'suspended' } }, { 'if-match': '*' })).status).toBe(200);
    expect(await callEcho({ 'ocp-apim-subscription-key': newKey })).toBe(401);

    // Products and APIs re-read only the small catalog.
    const gold = await admin.call('PUT', '/products/gold', { properties: { displayName: 'Gold', state: 'published', subscriptionRequired: true } });
    expect(gold.status).toBe(201);
    expect((await admin.call('PUT', '/products/gold/apis/echo-api')).status).toBe(201);
    expect((await admin.call('PUT', '/subscriptions/bob-gold', { properties: { scope: '/products/gold', displayName: 'Bob on Gold', ownerId: '/users/bob', state: 'active' } })).status).toBe(201);
    const goldKey = (await admin.call('POST', '/subscriptions/bob-gold/listSecrets')).body.primaryKey as string;
    expect(await callEcho({ 'ocp-apim-subscription-key': goldKey })).toBe(200);
    expect((await admin.call('DELETE', '/products/gold/apis/echo-api')).status).toBe(200);
    expect(await callEcho({ 'ocp-apim-subscription-key': goldKey })).toBe(401);

    // Deleting the client application.
    expect((await admin.call('DELETE', '/clientApplications/bob-app')).status).toBe(200);
    expect(await callEcho(bearer)).toBe(401);

    expect(fullBuilds()).toBe(before);
  }, 60_000);
});
