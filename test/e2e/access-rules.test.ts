/**
 * Issue 7 item 3 on the real program: APIM's access rules (apim-reference §3.1) — open products,
 * APIs that need no subscription, subscription scopes, every subscription state and expiry, the
 * API's own key names, blocked owners — and path safety before matching.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootOn, type Booted } from '../helpers/boot.js';
import { ManagementClient } from '../helpers/clients.js';
import { rawRequest } from '../gateway/harness.js';

const NOT_FOUND = { statusCode: 404, message: 'Resource not found' };
const KEY_MISSING = {
  statusCode: 401,
  message: 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
};
const KEY_INVALID = {
  statusCode: 401,
  message: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.',
};

describe("APIM's access rules and path safety", () => {
  let portico: Booted;
  let admin: ManagementClient;

  const call = async (path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`${portico.gatewayUrl}${path}`, { headers });
    const text = await response.text();
    return { status: response.status, body: response.headers.get('content-type') === 'application/json' ? JSON.parse(text) : text };
  };
  const ok = async (path: string, headers: Record<string, string> = {}): Promise<void> => expect((await call(path, headers)).status).toBe(200);
  const refused = async (path: string, headers: Record<string, string>, body: unknown): Promise<void> => expect(await call(path, headers)).toEqual({ status: 401, body });
  const put = async (path: string, properties: Record<string, unknown>): Promise<any> => {
    const response = await admin.call('PUT', path, { properties });
    expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
    return response.body;
  };
  const api = (id: string, path: string, properties: Record<string, unknown> = {}): Promise<unknown> =>
    put(`/apis/${id}`, { displayName: id, path, serviceUrl: `${portico.echoUrl}/api`, protocols: ['http'], ...properties });
  const operation = (apiId: string): Promise<unknown> => put(`/apis/${apiId}/operations/get-resource`, { displayName: 'Get', method: 'GET', urlTemplate: '/resource' });
  const subscription = async (id: string, scope: string, properties: Record<string, unknown> = {}): Promise<string> => {
    await put(`/subscriptions/${id}`, { displayName: id, scope, state: 'active', ...properties });
    return (await admin.call('POST', `/subscriptions/${id}/listSecrets`)).body.primaryKey as string;
  };
  const key = (value: string): Record<string, string> => ({ 'ocp-apim-subscription-key': value });

  beforeAll(async () => {
    portico = await bootOn('sqlite');
    admin = new ManagementClient(portico.credentials);
    // Not about limits: Starter's 5 calls a minute would get in the way (product-policies.test.ts covers them).
    expect((await admin.call('DELETE', '/products/starter/policies/policy')).status).toBe(200);
    await api('other-api', 'other');
    await operation('other-api');
  }, 60_000);
  afterAll(async () => {
    await portico?.stop();
  });

  test('an open product (subscriptionRequired false) lets calls through without credentials', async () => {
    await api('open-api', 'open');
    await operation('open-api');
    await refused('/open/resource', {}, KEY_MISSING); // in no product yet, and the API requires a subscription
    await put('/products/open-product', { displayName: 'Open', subscriptionRequired: false, state: 'published' });
    expect((await admin.call('PUT', '/products/open-product/apis/open-api')).status).toBe(201);
    await ok('/open/resource');
    // A key is still honoured there (the call then runs as that subscription).
    await ok('/open/resource', key(await subscription('open-master-like', '/apis')));
  });

  test('an API with subscriptionRequired false needs no credentials', async () => {
    await api('free-api', 'free', { subscriptionRequired: false });
    await operation('free-api');
    await ok('/free/resource');
    await refused('/other/resource', {}, KEY_MISSING);
  });

  test('subscriptions scoped to the API, to all APIs, to the service and to a product', async () => {
    const apiKey = await subscription('scope-api', '/apis/other-api');
    await ok('/other/resource', key(apiKey));
    await refused('/echo/resource?param1=sample', key(apiKey), KEY_INVALID);
    const allApis = await subscription('scope-all', '/apis');
    await ok('/other/resource', key(allApis));
    await ok('/echo/resource?param1=sample', key(allApis));
    const service = (await admin.call('POST', '/subscriptions/master/listSecrets')).body.primaryKey as string;
    await ok('/other/resource', key(service));
    const product = await subscription('scope-product', '/products/unlimited');
    await ok('/echo/resource?param1=sample', key(product));
    await refused('/other/resource', key(product), KEY_INVALID); // Unlimited does not hold other-api
  });

  test('every subscription state but active, and a passed expirationDate, is refused with APIM\'s message', async () => {
    for (const state of ['suspended', 'submitted', 'rejected', 'cancelled', 'expired']) {
      const value = await subscription(`state-${state}`, '/apis', { state });
      await refused('/other/resource', key(value), KEY_INVALID);
      // The same key works once the subscription is active again.
      expect((await admin.call('PATCH', `/subscriptions/state-${state}`, { properties: { state: 'active' } }, { 'if-match': '*' })).status).toBe(200);
      await ok('/other/resource', key(value));
    }
    const expired = await subscription('expired-date', '/apis', { expirationDate: '2020-01-01T00:00:00Z' });
    const shown = await admin.call('GET', '/subscriptions/expired-date');
    expect(shown.body.properties.expirationDate).toBe('2020-01-01T00:00:00.0000000Z');
    expect(shown.body.properties.state).toBe('active');
    await refused('/other/resource', key(expired), KEY_INVALID);
    expect((await admin.call('PATCH', '/subscriptions/expired-date', { properties: { expirationDate: '2999-01-01T00:00:00Z' } }, { 'if-match': '*' })).status).toBe(200);
    await ok('/other/resource', key(expired));
    expect((await admin.call('PATCH', '/subscriptions/expired-date', { properties: { expirationDate: null } }, { 'if-match': '*' })).status).toBe(200);
    await ok('/other/resource', key(expired));
    const bad = await admin.call('PATCH', '/subscriptions/expired-date', { properties: { expirationDate: 'next tuesday' } }, { 'if-match': '*' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toEqual({
      code: 'ValidationError',
      message: 'One or more fields contain incorrect values:',
      details: [{ code: 'ValidationError', target: 'expirationDate', message: 'expirationDate must be an ISO 8601 date or date-time, e.g. 2027-01-31T00:00:00Z.' }],
    });
  });

  test("the key is read from the API's own header and query names", async () => {
    await api('named-api', 'named', { subscriptionKeyParameterNames: { header: 'X-Api-Key', query: 'apikey' } });
    await operation('named-api');
    const value = await subscription('named-key', '/apis/named-api');
    await ok('/named/resource', { 'x-api-key': value });
    await ok(`/named/resource?apikey=${encodeURIComponent(value)}`);
    // The default names mean nothing to this API.
    const missing = await call('/named/resource', key(value));
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual(KEY_MISSING);
    await refused(`/named/resource?subscription-key=${encodeURIComponent(value)}`, {}, KEY_MISSING);
  });

  test("a blocked owner's subscription is refused", async () => {
    await put('/users/dave', { email: 'dave@example.com', firstName: 'Dave', lastName: 'Example' });
    const value = await subscription('dave-sub', '/apis', { ownerId: '/users/dave' });
    await ok('/other/resource', key(value));
    expect((await admin.call('PATCH', '/users/dave', { properties: { state: 'blocked' } }, { 'if-match': '*' })).status).toBe(200);
    await refused('/other/resource', key(value), KEY_INVALID);
  });

  test("path segments that are '.' or '..' once decoded, or start with '..;' or '.;', are refused before matching", async () => {
    const master = (await admin.call('POST', '/subscriptions/master/listSecrets')).body.primaryKey as string;
    const get = (path: string) =>
      rawRequest(portico.gatewayUrl, `GET ${path} HTTP/1.1\r\nHost: gateway\r\nOcp-Apim-Subscription-Key: ${master}\r\nConnection: close\r\n\r\n`);
    expect((await get('/other/resource')).statusLine).toBe('HTTP/1.1 200 OK');
    for (const path of ['/other/..;/resource', '/other/..;x/resource', '/other/.;/resource', '/other/%2e%2e;/resource', '/other/%2E;jsessionid=1/resource', '/other/.%3b/resource', '/other/../other/resource', '/other/%2e/resource']) {
      const answer = await get(path);
      expect(answer.statusLine, path).toBe('HTTP/1.1 404 Not Found');
      expect(JSON.parse(answer.body), path).toEqual(NOT_FOUND);
    }
  });
});
