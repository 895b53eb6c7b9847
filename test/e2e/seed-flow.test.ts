/**
 * The seed page's flow end to end over HTTP against the real program, on every dialect:
 * enable application-token on Starter, register an app for a user, generate a secret, get a token
 * with a form POST like the seed's script, call the Echo API through the gateway.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { bootOn, type Booted } from '../helpers/boot.js';
import { ManagementClient, requestToken } from '../helpers/clients.js';

const INVALID_TOKEN = {
  statusCode: 401,
  message: 'Access denied due to invalid access token. Make sure to provide a valid token for a client application that has access to this API.',
};
// Unlimited (subscription keys) also holds the Echo API, so either credential would do.
const MISSING_CREDENTIAL = {
  statusCode: 401,
  message: 'Access denied due to missing access token or subscription key. Make sure to include an access token in the Authorization header or a subscription key when making requests to an API.',
};
const INVALID_KEY = {
  statusCode: 401,
  message: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.',
};

describeEachDialect('the seed flow end to end', (dialect) => {
  let portico: Booted;
  let admin: ManagementClient;
  let audience: string;
  let clientId: string;
  let clientSecret: string;
  let token: string;

  const callEcho = (headers: Record<string, string> = {}, query = 'param1=sample') =>
    fetch(`${portico.gatewayUrl}/echo/resource?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: JSON.stringify({ hello: 'world' }, null, 4),
    });
  const tokenFor = async (id: string, secret: string, aud: string) => {
    const result = await requestToken(portico.identityUrl, portico.credentials.tenantId, { grant_type: 'client_credentials', client_id: id, client_secret: secret, scope: `api://${aud}/.default` });
    expect(result.status).toBe(200);
    return result.body.access_token as string;
  };

  beforeAll(async () => {
    portico = await bootOn(dialect);
    admin = new ManagementClient(portico.credentials);
    // The flow calls the gateway with one client application more than Starter's 5 times a minute;
    // limits are product-policies.test.ts's subject, so Starter limits nothing here.
    expect((await admin.call('DELETE', '/products/starter/policies/policy')).status).toBe(200);
  });
  afterAll(async () => {
    await portico?.stop();
  });

  test('an API manager turns on OAuth 2.0 token access for Starter and gets its audience', async () => {
    const response = await admin.call('PATCH', '/products/starter', { properties: { authenticationType: ['application-token'] } }, { 'if-match': '*' });
    expect(response.status).toBe(200);
    expect(response.body.properties.authenticationType).toEqual(['application-token']);
    audience = response.body.properties.application.entra.audience;
    expect(audience).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.body.properties.application.entra.applicationId).toBe(audience);
  });

  test('the manager adds a user and registers a client application owned by them', async () => {
    const user = await admin.call('PUT', '/users/alice', { properties: { email: 'alice@example.com', firstName: 'Alice', lastName: 'Example' } });
    expect(user.status).toBe(201);
    const app = await admin.call('PUT', '/clientApplications/alice-app', {
      properties: { displayName: 'Alice app', ownerId: '/users/alice', productIds: ['/products/starter'], description: 'Calls the Echo API' },
    });
    expect(app.status).toBe(201);
    expect(app.body.properties).toMatchObject({
      displayName: 'Alice app',
      ownerId: `${admin.servicePath}/users/alice`,
      state: 'active',
      entraTenantId: portico.credentials.tenantId,
      productIds: [`${admin.servicePath}/products/starter`],
    });
    clientId = app.body.properties.entraApplicationId;
    expect(clientId).toMatch(/^[0-9a-f-]{36}$/);
    const listed = await admin.call('GET', '/users/alice/clientApplications');
    expect(listed.body.value.map((a: { name: string }) => a.name)).toEqual(['alice-app']);
  });

  test('generating a secret returns it once with a one-year expiry', async () => {
    const response = await admin.call('POST', '/clientApplications/alice-app/listSecrets');
    expect(response.status).toBe(200);
    clientSecret = response.body.entra.clientSecret;
    expect(clientSecret.length).toBeGreaterThanOrEqual(40);
    const days = (Date.parse(response.body.entra.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(364);
    expect(days).toBeLessThanOrEqual(366);
  });

  test('the developer gets a token with a form POST like the seed script and calls the Echo API', async () => {
    const result = await requestToken(portico.identityUrl, portico.credentials.tenantId, {
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      scope: `api://${audience}/.default`,
    });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ token_type: 'Bearer', expires_in: expect.any(Number), ext_expires_in: expect.any(Number) });
    token = result.body.access_token as string;
    const response = await callEcho({ authorization: `Bearer ${token}` });
    expect(response.status).toBe(200);
    const echoed = (await response.json()) as { method: string; path: string; query: Record<string, string>; body: string };
    expect(echoed.method).toBe('POST');
    expect(echoed.path).toBe('/api/resource');
    expect(echoed.query).toEqual({ param1: 'sample' });
    expect(JSON.parse(echoed.body)).toEqual({ hello: 'world' });
  });

  test('401 without a token', async () => {
    const response = await callEcho();
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(MISSING_CREDENTIAL);
    expect(response.headers.get('www-authenticate')).toContain('Bearer realm=');
  });

  test('401 for a token whose audience belongs to a product that does not hold the API', async () => {
    const gold = await admin.call('PUT', '/products/gold', { properties: { displayName: 'Gold', authenticationType: ['application-token'], state: 'published' } });
    expect(gold.status).toBe(201);
    const link = await admin.call('PUT', '/clientApplications/alice-app/productLinks/gold', { properties: { productId: `${admin.servicePath}/products/gold` } });
    expect(link.status).toBe(201);
    const goldToken = await tokenFor(clientId, clientSecret, gold.body.properties.application.entra.audience);
    const response = await callEcho({ authorization: `Bearer ${goldToken}` });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(INVALID_TOKEN);
  });

  test('401 on the very next request after the app is unlinked from the product', async () => {
    expect((await callEcho({ authorization: `Bearer ${token}` })).status).toBe(200);
    const unlink = await admin.call('DELETE', '/clientApplications/alice-app/productLinks/starter');
    expect(unlink.status).toBe(200);
    const response = await callEcho({ authorization: `Bearer ${token}` });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(INVALID_TOKEN);
    // linking again restores access with the same token
    const relink = await admin.call('PUT', '/clientApplications/alice-app/productLinks/starter', { properties: { productId: '/products/starter' } });
    expect(relink.status).toBe(201);
    token = await tokenFor(clientId, clientSecret, audience);
    expect((await callEcho({ authorization: `Bearer ${token}` })).status).toBe(200);
  });

  test('a subscription key is accepted when both types are on and refused when only application-token is on', async () => {
    const created = await admin.call('PUT', '/subscriptions/alice-starter', { properties: { scope: '/products/starter', displayName: 'Alice on Starter', ownerId: '/users/alice', state: 'active' } });
    expect(created.status).toBe(201);
    const secrets = await admin.call('POST', '/subscriptions/alice-starter/listSecrets');
    const key = secrets.body.primaryKey as string;

    const both = await admin.call('PATCH', '/products/starter', { properties: { authenticationType: ['subscription-key', 'application-token'] } }, { 'if-match': '*' });
    expect(both.body.properties.application.entra.audience).toBe(audience);
    const withKey = await callEcho({ 'ocp-apim-subscription-key': key });
    expect(withKey.status).toBe(200);
    const echoed = (await withKey.json()) as { headers: Record<string, string> };
    expect(echoed.headers['ocp-apim-subscription-key']).toBeUndefined();
    expect((await callEcho({ authorization: `Bearer ${token}` })).status).toBe(200);

    await admin.call('PATCH', '/products/starter', { properties: { authenticationType: ['application-token'] } }, { 'if-match': '*' });
    const refused = await callEcho({ 'ocp-apim-subscription-key': key });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual(INVALID_KEY);
    expect((await callEcho({ authorization: `Bearer ${token}` })).status).toBe(200);
  });

  test('blocking the owner cuts access on the next request', async () => {
    await admin.call('PATCH', '/users/alice', { properties: { state: 'blocked' } }, { 'if-match': '*' });
    expect((await callEcho({ authorization: `Bearer ${token}` })).status).toBe(401);
    await admin.call('PATCH', '/users/alice', { properties: { state: 'active' } }, { 'if-match': '*' });
    expect((await callEcho({ authorization: `Bearer ${token}` })).status).toBe(200);
  });

  test('the management API answers 401 without a token and 403 to a principal without the role', async () => {
    const url = `${portico.managementUrl}${admin.servicePath}/products?api-version=2022-08-01`;
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: { code: 'AuthenticationFailed', message: "Authentication failed. The 'Authorization' header is missing." } });
    const appToken = await requestToken(portico.identityUrl, portico.credentials.tenantId, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: portico.credentials.managementScope });
    expect(appToken.status).toBe(200);
    const forbidden = await fetch(url, { headers: { authorization: `Bearer ${appToken.body.access_token}` } });
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { error: { code: string } }).error.code).toBe('AuthorizationFailed');
  });

  test('deleting the application deletes its directory objects and cuts access', async () => {
    const deleted = await admin.call('DELETE', '/clientApplications/alice-app', undefined, { 'if-match': '*' });
    expect(deleted.status).toBe(200);
    expect((await callEcho({ authorization: `Bearer ${token}` })).status).toBe(401);
    const again = await requestToken(portico.identityUrl, portico.credentials.tenantId, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: `api://${audience}/.default` });
    expect(again.status).toBe(400);
    expect(again.body.error_codes).toEqual([700016]);
  });
});
