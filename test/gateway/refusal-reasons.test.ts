/**
 * A refused gateway call says why in its access-log line (`reason`, docs/gateway.md), while the
 * caller still sees only APIM's message. The real program, configured through the management API.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { ManagementClient, requestToken } from '../helpers/clients.js';

const KEY_INVALID = 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.';
const TOKEN_INVALID = 'Access denied due to invalid access token. Make sure to provide a valid token for a client application that has access to this API.';

let portico: Booted;
let admin: ManagementClient;
let sequence = 0;

async function loopTurns(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Calls the Echo API and returns the answer with its access-log line. */
async function call(headers: Record<string, string>, path = '/echo/resource?param1=sample'): Promise<{ status: number; body: any; line: Record<string, any> }> {
  const reqId = `refusal-${++sequence}`;
  const response = await fetch(`${portico.gatewayUrl}${path}`, { headers: { ...headers, 'x-request-id': reqId } });
  const text = await response.text();
  await loopTurns();
  const lines = portico.logLines.map((line) => JSON.parse(line) as Record<string, any>).filter((line) => line['msg'] === 'gateway request' && line['reqId'] === reqId);
  expect(lines).toHaveLength(1);
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text), line: lines[0]! };
}

async function activeSubscription(id: string, scope: string, ownerId?: string): Promise<string> {
  const put = await admin.call('PUT', `/subscriptions/${id}`, { properties: { scope, displayName: id, state: 'active', ...(ownerId ? { ownerId } : {}) } });
  expect(put.status).toBe(201);
  return (await admin.call('POST', `/subscriptions/${id}/listSecrets`)).body.primaryKey as string;
}

async function appToken(appName: string, productIds: string[], audience: string): Promise<string> {
  const app = await admin.call('PUT', `/clientApplications/${appName}`, { properties: { displayName: appName, ownerId: '/users/rita', productIds } });
  expect(app.status).toBe(201);
  // A product with approval required (Unlimited) links pending: approve, so the token carries the role.
  for (const link of (await admin.call('GET', `/clientApplications/${appName}/productLinks`)).body.value as { name: string }[]) {
    expect((await admin.call('POST', `/clientApplications/${appName}/productLinks/${link.name}/approve`)).status).toBe(200);
  }
  const secret = (await admin.call('POST', `/clientApplications/${appName}/listSecrets`)).body.entra.clientSecret as string;
  const result = await requestToken(portico.identityUrl, portico.credentials.tenantId, {
    grant_type: 'client_credentials', client_id: app.body.properties.entraApplicationId, client_secret: secret, scope: `api://${audience}/.default`,
  });
  expect(result.status).toBe(200);
  return result.body.access_token as string;
}

let unlimitedAudience: string;
let elsewhereAudience: string;

beforeAll(async () => {
  portico = await bootPortico();
  admin = new ManagementClient(portico.credentials);
  for (const user of ['rita', 'blocky']) {
    expect((await admin.call('PUT', `/users/${user}`, { properties: { email: `${user}@example.com`, firstName: user, lastName: 'Refused' } })).status).toBe(201);
  }
  const unlimited = await admin.call('PATCH', '/products/unlimited', { properties: { authenticationType: ['subscription-key', 'application-token'] } }, { 'if-match': '*' });
  unlimitedAudience = unlimited.body.properties.application.entra.audience;
  // A token product that does not hold the Echo API.
  const elsewhere = await admin.call('PUT', '/products/elsewhere', { properties: { displayName: 'Elsewhere', authenticationType: ['application-token'], state: 'published' } });
  expect(elsewhere.status).toBe(201);
  elsewhereAudience = elsewhere.body.properties.application.entra.audience;
}, 60_000);

afterAll(async () => {
  await portico?.stop();
});

it('no credentials, an unknown path: the access policy and the router say which', async () => {
  const none = await call({});
  expect(none).toMatchObject({ status: 401, line: { status: 401, rejectedBy: 'access', reason: 'credentials.missing' } });
  const nowhere = await call({}, '/nowhere');
  expect(nowhere).toMatchObject({ status: 404, body: { statusCode: 404, message: 'Resource not found' }, line: { rejectedBy: 'route', reason: 'route.notFound' } });
});

it('keys: unknown, suspended, blocked owner, and a key for a product that now takes only tokens', async () => {
  expect(await call({ 'ocp-apim-subscription-key': 'no-such-key' })).toMatchObject({ status: 401, body: { message: KEY_INVALID }, line: { reason: 'key.unknown' } });

  const suspendedKey = await activeSubscription('rita-suspended', '/products/starter');
  expect((await admin.call('PATCH', '/subscriptions/rita-suspended', { properties: { state: 'suspended' } }, { 'if-match': '*' })).status).toBe(200);
  expect(await call({ 'ocp-apim-subscription-key': suspendedKey })).toMatchObject({ status: 401, body: { message: KEY_INVALID }, line: { reason: 'subscription.suspended' } });

  const blockedKey = await activeSubscription('blocky-starter', '/products/starter', '/users/blocky');
  expect((await admin.call('PATCH', '/users/blocky', { properties: { state: 'blocked' } }, { 'if-match': '*' })).status).toBe(200);
  expect(await call({ 'ocp-apim-subscription-key': blockedKey })).toMatchObject({ status: 401, body: { message: KEY_INVALID }, line: { reason: 'owner.blocked' } });

  // Made while the product took keys; then it became application-token only.
  expect((await admin.call('PUT', '/products/apponly', { properties: { displayName: 'App only', authenticationType: ['subscription-key', 'application-token'], state: 'published' } })).status).toBe(201);
  expect((await admin.call('PUT', '/products/apponly/apis/echo-api')).status).toBe(201);
  const appOnlyKey = await activeSubscription('rita-apponly', '/products/apponly');
  expect((await call({ 'ocp-apim-subscription-key': appOnlyKey })).status).toBe(200);
  expect((await admin.call('PATCH', '/products/apponly', { properties: { authenticationType: ['application-token'] } }, { 'if-match': '*' })).status).toBe(200);
  const refused = await call({ 'ocp-apim-subscription-key': appOnlyKey });
  expect(refused).toMatchObject({ status: 401, body: { statusCode: 401, message: KEY_INVALID }, line: { rejectedBy: 'access', reason: 'key.productTakesTokensOnly' } });
});

it('tokens: malformed, for an audience the API does not know, and without the product link', async () => {
  expect(await call({ authorization: 'Bearer not-a-jwt' })).toMatchObject({ status: 401, body: { message: TOKEN_INVALID }, line: { reason: 'token.malformed' } });

  const elsewhereToken = await appToken('rita-elsewhere', ['/products/elsewhere'], elsewhereAudience);
  expect(await call({ authorization: `Bearer ${elsewhereToken}` })).toMatchObject({ status: 401, body: { message: TOKEN_INVALID }, line: { reason: 'token.audienceUnknown' } });

  const linkedToken = await appToken('rita-linked', ['/products/unlimited'], unlimitedAudience);
  expect((await call({ authorization: `Bearer ${linkedToken}` })).status).toBe(200);
  // Unlinked: the token still carries the role, but the application no longer has the product.
  const links = (await admin.call('GET', '/clientApplications/rita-linked/productLinks')).body.value as { name: string }[];
  expect(links).toHaveLength(1);
  expect([200, 204]).toContain((await admin.call('DELETE', `/clientApplications/rita-linked/productLinks/${links[0]!.name}`, undefined, { 'if-match': '*' })).status);
  const unlinked = await call({ authorization: `Bearer ${linkedToken}` });
  expect(unlinked).toMatchObject({ status: 401, body: { message: TOKEN_INVALID }, line: { rejectedBy: 'access', reason: 'token.appNotLinked' } });
});

it('a call that succeeds has no reason', async () => {
  const key = await activeSubscription('rita-good', '/products/starter');
  const good = await call({ 'ocp-apim-subscription-key': key });
  expect(good.status).toBe(200);
  expect(good.line['reason']).toBeUndefined();
  expect(good.line['rejectedBy']).toBeUndefined();
});
