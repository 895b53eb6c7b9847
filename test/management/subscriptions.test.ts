/**
 * Subscriptions: scopes in every accepted form, keys only through listSecrets, key regeneration
 * honoured by the gateway at once, and the built-in all-access master subscription.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { bootOn, type Booted } from '../helpers/boot.js';
import { ManagementClient } from '../helpers/clients.js';
import { putUser, serviceId, setAuthenticationType, tokenProduct } from './harness.js';

const INVALID_KEY = { statusCode: 401, message: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.' };


const SEVEN_DIGITS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/;
describeEachDialect('management API: subscriptions', (dialect) => {
  let portico: Booted;
  let admin: ManagementClient;

  const callEcho = (key: string) => fetch(`${portico.gatewayUrl}/echo/resource?param1=sample`, { headers: { 'ocp-apim-subscription-key': key } });
  const secrets = async (id: string) => {
    const response = await admin.call('POST', `/subscriptions/${id}/listSecrets`);
    expect(response.status).toBe(200);
    return response.body as { primaryKey: string; secondaryKey: string };
  };

  beforeAll(async () => {
    portico = await bootOn(dialect);
    admin = new ManagementClient(portico.credentials);
    await putUser(admin, 'sub-owner');
  });
  afterAll(async () => {
    await portico?.stop();
  });

  test('the built-in master subscription exists, scoped to the whole service', async () => {
    const response = await admin.call('GET', '/subscriptions/master');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: `${serviceId(portico)}/subscriptions/master`,
      type: 'Microsoft.ApiManagement/service/subscriptions',
      name: 'master',
      properties: {
        displayName: 'Built-in all-access subscription',
        ownerId: `${serviceId(portico)}/users/1`,
        scope: `${serviceId(portico)}/`,
        state: 'active',
        createdDate: expect.any(String),
        startDate: expect.any(String),
        allowTracing: false,
      },
    });
    // Active from the first start.
    expect(response.body.properties.startDate).toBe(response.body.properties.createdDate);
    const { primaryKey } = await secrets('master');
    expect((await callEcho(primaryKey)).status).toBe(200);
  });

  test('PUT accepts every scope form: /products/x, /apis, /apis/{id}, full ARM ids', async () => {
    const sid = serviceId(portico);
    const cases: [string, string, string][] = [
      ['s-product', '/products/starter', `${sid}/products/starter`],
      ['s-all-apis', '/apis', `${sid}/apis`],
      ['s-api', '/apis/echo-api', `${sid}/apis/echo-api`],
      ['s-full-product', `${sid}/products/unlimited`, `${sid}/products/unlimited`],
      ['s-full-api', `${sid}/apis/echo-api`, `${sid}/apis/echo-api`],
      ['s-full-lower', `${sid.toLowerCase()}/apis`, `${sid}/apis`],
      ['s-service', `${sid}/`, `${sid}/`],
    ];
    for (const [id, scope, expected] of cases) {
      const response = await admin.call('PUT', `/subscriptions/${id}`, { properties: { scope, displayName: id, ownerId: '/users/sub-owner', state: 'active' } });
      expect(response.status).toBe(201);
      expect(response.body.properties.scope).toBe(expected);
      expect(response.body.properties.ownerId).toBe(`${sid}/users/sub-owner`);
      expect(response.body.properties.primaryKey).toBeUndefined();
      expect(response.headers.get('etag')).toMatch(/^"[^"]+"$/);
      expect((await callEcho((await secrets(id)).primaryKey)).status).toBe(200);
    }
  });

  test('PUT the way the Azure SDK sends it (notify, appType), 201 then 200', async () => {
    const body = { properties: { scope: '/products/starter', displayName: 'SDK sub', ownerId: '/users/sub-owner', state: 'active' } };
    const created = await admin.call('PUT', '/subscriptions/sdk-sub?notify=false&appType=developerPortal', body);
    expect(created.status).toBe(201);
    const replaced = await admin.call('PUT', '/subscriptions/sdk-sub?notify=false&appType=developerPortal', { properties: { ...body.properties, displayName: 'SDK sub 2' } });
    expect(replaced.status).toBe(200);
    expect(replaced.body.properties.displayName).toBe('SDK sub 2');
  });

  test('an unknown or malformed scope, a missing displayName or an unknown owner is 400 naming the field', async () => {
    for (const scope of ['/products/nope', '/apis/nope', '/groups/developers', '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/x/providers/Microsoft.ApiManagement/service/y/apis', 'starter']) {
      const response = await admin.call('PUT', '/subscriptions/bad', { properties: { scope, displayName: 'Bad' } });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        error: {
          code: 'ValidationError',
          message: 'One or more fields contain incorrect values:',
          details: [{ code: 'ValidationError', target: 'scope', message: `scope must be '/products/{productId}', '/apis/{apiId}' or '/apis' of this service, naming something that exists; '${scope}' is not.` }],
        },
      });
    }
    const missing = await admin.call('PUT', '/subscriptions/bad', { properties: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.map((d: { target: string }) => d.target)).toEqual(['displayName', 'scope']);

    const owner = await admin.call('PUT', '/subscriptions/bad', { properties: { scope: '/apis', displayName: 'Bad', ownerId: '/users/nobody' } });
    expect(owner.status).toBe(400);
    expect(owner.body).toEqual({
      error: {
        code: 'ValidationError',
        message: 'One or more fields contain incorrect values:',
        details: [{ code: 'ValidationError', target: 'ownerId', message: "ownerId must name an existing user of this service, like '/users/{userId}'; '/users/nobody' does not." }],
      },
    });
    const state = await admin.call('PUT', '/subscriptions/bad', { properties: { scope: '/apis', displayName: 'Bad', state: 'on' } });
    expect(state.body.error.details).toEqual([
      { code: 'ValidationError', target: 'state', message: 'state must be one of: active, suspended, submitted, rejected, cancelled, expired.' },
    ]);
    expect((await admin.call('GET', '/subscriptions/bad')).status).toBe(404);
  });

  test('GET never shows keys; POST listSecrets does, with an ETag', async () => {
    const got = await admin.call('GET', '/subscriptions/s-product');
    expect(got.status).toBe(200);
    expect(Object.keys(got.body.properties).sort()).toEqual(['allowTracing', 'createdDate', 'displayName', 'ownerId', 'scope', 'startDate', 'state']); // stateComment is unset, so left out
    const list = await admin.call('GET', '/subscriptions');
    expect(JSON.stringify(list.body)).not.toMatch(/primaryKey|secondaryKey/);

    const response = await admin.call('POST', '/subscriptions/s-product/listSecrets');
    expect(response.status).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(['primaryKey', 'secondaryKey']);
    expect(response.body.primaryKey).toMatch(/^[0-9a-f]{32,}$/);
    expect(response.body.secondaryKey).toMatch(/^[0-9a-f]{32,}$/);
    expect(response.body.primaryKey).not.toBe(response.body.secondaryKey);
    expect(response.headers.get('etag')).toBe(got.headers.get('etag'));
    expect(response.headers.get('cache-control')).toBe('no-store');
    // The same keys every time: listSecrets reads, it does not rotate.
    expect(await secrets('s-product')).toEqual(response.body);
    expect((await admin.call('POST', '/subscriptions/nope/listSecrets')).status).toBe(404);
  });

  test('regeneratePrimaryKey changes the primary key; the gateway takes the new key and refuses the old one at once', async () => {
    const before = await secrets('s-product');
    expect((await callEcho(before.primaryKey)).status).toBe(200);

    const regenerated = await admin.call('POST', '/subscriptions/s-product/regeneratePrimaryKey');
    expect(regenerated.status).toBe(204);
    const after = await secrets('s-product');
    expect(after.primaryKey).not.toBe(before.primaryKey);
    expect(after.secondaryKey).toBe(before.secondaryKey);

    const old = await callEcho(before.primaryKey);
    expect(old.status).toBe(401);
    expect(await old.json()).toEqual(INVALID_KEY);
    expect((await callEcho(after.primaryKey)).status).toBe(200);
    expect((await callEcho(after.secondaryKey)).status).toBe(200);

    expect((await admin.call('POST', '/subscriptions/s-product/regenerateSecondaryKey')).status).toBe(204);
    const third = await secrets('s-product');
    expect(third.primaryKey).toBe(after.primaryKey);
    expect(third.secondaryKey).not.toBe(after.secondaryKey);
    expect((await callEcho(after.secondaryKey)).status).toBe(401);
    expect((await callEcho(third.secondaryKey)).status).toBe(200);
    expect((await admin.call('POST', '/subscriptions/nope/regeneratePrimaryKey')).status).toBe(404);
  });

  test('keys given on PUT are used; a new subscription is submitted (refused by the gateway) until activated', async () => {
    const created = await admin.call('PUT', '/subscriptions/s-pending', { properties: { scope: '/apis/echo-api', displayName: 'Pending', primaryKey: 'my-own-primary-key-0001-abcdefghij', secondaryKey: 'my-own-secondary-key-0001-abcdefgh' } });
    expect(created.status).toBe(201);
    expect(created.body.properties.state).toBe('submitted');
    expect(created.body.properties.ownerId).toBeUndefined(); // unset properties are left out, as in Azure
    expect(await secrets('s-pending')).toEqual({ primaryKey: 'my-own-primary-key-0001-abcdefghij', secondaryKey: 'my-own-secondary-key-0001-abcdefgh' });
    const short = await admin.call('PUT', '/subscriptions/s-short', { properties: { scope: '/apis', displayName: 'Short', primaryKey: 'guessable' } });
    expect(short.status).toBe(400);
    expect(short.body.error.details).toEqual([{ code: 'ValidationError', target: 'primaryKey', message: 'primaryKey must be 32 to 256 characters long.' }]);
    expect((await callEcho('my-own-primary-key-0001-abcdefghij')).status).toBe(401);

    const activated = await admin.call('PATCH', '/subscriptions/s-pending', { properties: { state: 'active' } }, { 'if-match': created.headers.get('etag')! });
    expect(activated.status).toBe(200);
    expect(activated.body.properties.state).toBe('active');
    expect((await callEcho('my-own-primary-key-0001-abcdefghij')).status).toBe(200);

    const suspended = await admin.call('PATCH', '/subscriptions/s-pending', { properties: { state: 'suspended' } }, { 'if-match': '*' });
    expect(suspended.status).toBe(200);
    expect((await callEcho('my-own-primary-key-0001-abcdefghij')).status).toBe(401);
  });

  test("APIM's audit dates: startDate when it becomes active, endDate when cancelled or expired; read-only, expirationDate writable", async () => {
    const sid = serviceId(portico);
    const base = {
      displayName: 'Dated',
      ownerId: `${sid}/users/sub-owner`,
      scope: `${sid}/apis`,
      createdDate: expect.any(String),
      allowTracing: false,
    };
    // Read-only dates sent on PUT are ignored, as ARM ignores read-only properties.
    const created = await admin.call('PUT', '/subscriptions/s-dated', {
      properties: { scope: '/apis', displayName: 'Dated', ownerId: '/users/sub-owner', startDate: '2020-01-01T00:00:00Z', endDate: '2020-01-02T00:00:00Z', notificationDate: '2020-01-03T00:00:00Z' },
    });
    expect(created.status).toBe(201);
    expect(created.body.properties).toEqual({ ...base, state: 'submitted' });

    const before = new Date().toISOString();
    const activated = await admin.call('PATCH', '/subscriptions/s-dated', { properties: { state: 'active', expirationDate: '2030-01-31T00:00:00Z' } }, { 'if-match': '*' });
    const after = new Date().toISOString();
    expect(activated.status).toBe(200);
    const startDate = activated.body.properties.startDate as string;
    // ARM's date-time: seven fractional digits, as APIM writes them.
    expect(startDate).toMatch(SEVEN_DIGITS);
    expect(Date.parse(startDate) >= Date.parse(before) && Date.parse(startDate) <= Date.parse(after)).toBe(true);
    expect(activated.body.properties).toEqual({ ...base, state: 'active', startDate, expirationDate: '2030-01-31T00:00:00.0000000Z' });

    // Another change that keeps it active keeps the start date.
    const renamed = await admin.call('PATCH', '/subscriptions/s-dated', { properties: { displayName: 'Dated', stateComment: 'ok' } }, { 'if-match': '*' });
    expect(renamed.body.properties.startDate).toBe(startDate);

    const cancelled = await admin.call('PATCH', '/subscriptions/s-dated', { properties: { state: 'cancelled' } }, { 'if-match': '*' });
    const endDate = cancelled.body.properties.endDate as string;
    expect(endDate).toMatch(SEVEN_DIGITS);
    expect(Date.parse(endDate) >= Date.parse(startDate)).toBe(true);
    expect(cancelled.body.properties).toEqual({ ...base, state: 'cancelled', stateComment: 'ok', startDate, expirationDate: '2030-01-31T00:00:00.0000000Z', endDate });
    expect((await admin.call('GET', '/subscriptions/s-dated')).body.properties).toEqual(cancelled.body.properties);

    // Active again: a new start, and the end date goes.
    const again = await admin.call('PATCH', '/subscriptions/s-dated', { properties: { state: 'active', expirationDate: null } }, { 'if-match': '*' });
    const restarted = again.body.properties.startDate as string;
    expect(Date.parse(restarted) >= Date.parse(endDate)).toBe(true);
    expect(again.body.properties).toEqual({ ...base, state: 'active', stateComment: 'ok', startDate: restarted });

    const expired = await admin.call('PATCH', '/subscriptions/s-dated', { properties: { state: 'expired' } }, { 'if-match': '*' });
    expect(Date.parse(expired.body.properties.endDate) >= Date.parse(restarted)).toBe(true);
    expect(expired.body.properties.startDate).toBe(restarted);
  });

  test('a subscription to a product that takes only application tokens is refused at creation, saying what to do', async () => {
    await tokenProduct(admin, 'tokens-only', 'Tokens only');
    const response = await admin.call('PUT', '/subscriptions/s-tokens', { properties: { scope: '/products/tokens-only', displayName: 'Tokens' } });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: {
        code: 'ValidationError',
        message: 'One or more fields contain incorrect values:',
        details: [
          {
            code: 'ValidationError',
            target: 'scope',
            message:
              "scope names product 'tokens-only', which does not accept subscription keys (its authenticationType is application-token): a subscription to it would have keys the gateway refuses. Add 'subscription-key' to the product's authenticationType, or give the client application access with a product link (PUT /clientApplications/{id}/productLinks/{linkId}).",
          },
        ],
      },
    });
    expect((await admin.call('GET', '/subscriptions/s-tokens')).status).toBe(404);
    // Moving an existing subscription onto it is refused too; one made while the product took keys is kept (and can be re-PUT).
    expect((await admin.call('PUT', '/subscriptions/s-move', { properties: { scope: '/products/starter', displayName: 'Move' } })).status).toBe(201);
    expect((await admin.call('PATCH', '/subscriptions/s-move', { properties: { scope: '/products/tokens-only' } }, { 'if-match': '*' })).status).toBe(400);
    expect((await setAuthenticationType(admin, 'tokens-only', ['subscription-key', 'application-token'])).status).toBe(200);
    expect((await admin.call('PUT', '/subscriptions/s-tokens', { properties: { scope: '/products/tokens-only', displayName: 'Tokens' } })).status).toBe(201);
    expect((await setAuthenticationType(admin, 'tokens-only', ['application-token'])).status).toBe(200);
    expect((await admin.call('PUT', '/subscriptions/s-tokens', { properties: { scope: '/products/tokens-only', displayName: 'Tokens again' } }, { 'if-match': '*' })).status).toBe(200);
  });

  test('DELETE removes the subscription and its keys stop working', async () => {
    const { primaryKey } = await secrets('s-api');
    expect((await admin.call('DELETE', '/subscriptions/s-api', undefined, { 'if-match': '*' })).status).toBe(200);
    expect((await admin.call('GET', '/subscriptions/s-api')).status).toBe(404);
    expect((await callEcho(primaryKey)).status).toBe(401);
    expect((await admin.call('DELETE', '/subscriptions/s-api', undefined, { 'if-match': '*' })).status).toBe(204);
  });
});
