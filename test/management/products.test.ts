/**
 * Products: the defaults of a new instance, create/validate, application-token access and its
 * backend directory application, product ↔ API links, and what blocks a delete.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { bootOn, type Booted } from '../helpers/boot.js';
import { ManagementClient } from '../helpers/clients.js';
import { GraphClient, putUser, serviceId, setAuthenticationType, tokenProduct } from './harness.js';

describeEachDialect('management API: products', (dialect) => {
  let portico: Booted;
  let admin: ManagementClient;
  let graph: GraphClient;

  beforeAll(async () => {
    portico = await bootOn(dialect);
    admin = new ManagementClient(portico.credentials);
    graph = new GraphClient(portico);
  });
  afterAll(async () => {
    await portico?.stop();
  });

  test('a new instance has Starter and Unlimited exactly as a new Azure APIM instance', async () => {
    const starter = await admin.call('GET', '/products/starter');
    expect(starter.status).toBe(200);
    expect(starter.body.properties).toMatchObject({
      displayName: 'Starter',
      description: 'Subscribers will be able to run 5 calls/minute up to a maximum of 100 calls/week.',
      subscriptionRequired: true,
      approvalRequired: false,
      subscriptionsLimit: 1,
      state: 'published',
      authenticationType: [],
    });
    expect(starter.body.properties.application).toBeUndefined();

    const unlimited = await admin.call('GET', '/products/unlimited');
    expect(unlimited.status).toBe(200);
    expect(unlimited.body.properties).toMatchObject({
      displayName: 'Unlimited',
      description: 'Subscribers have completely unlimited access to the API. Administrator approval is required.',
      subscriptionRequired: true,
      approvalRequired: true,
      subscriptionsLimit: 1,
      state: 'published',
      authenticationType: [],
    });
    expect(unlimited.body.properties.application).toBeUndefined();

    for (const id of ['starter', 'unlimited']) {
      const apis = await admin.call('GET', `/products/${id}/apis`);
      expect(apis.body.value.map((a: { name: string }) => a.name)).toEqual(['echo-api']);
    }
  });

  test('a product created with only a displayName gets APIM defaults: subscriptionRequired true, notPublished', async () => {
    const response = await admin.call('PUT', '/products/plain', { properties: { displayName: 'Plain' } });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: `${serviceId(portico)}/products/plain`,
      type: 'Microsoft.ApiManagement/service/products',
      name: 'plain',
      properties: {
        displayName: 'Plain',
        subscriptionRequired: true,
        approvalRequired: false,
        state: 'notPublished',
        authenticationType: [],
      },
    });
    expect((await admin.call('GET', '/products/plain/apis')).body).toEqual({ value: [] });
  });

  test('validation names each field and rule and reports every problem at once', async () => {
    const response = await admin.call('PUT', '/products/invalid', {
      properties: { description: 'x'.repeat(1001), state: 'live', authenticationType: ['subscription-key', 'oauth'], subscriptionsLimit: -1, application: { entra: { applicationId: 42 } } },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('ValidationError');
    expect(response.body.error.details).toEqual([
      { code: 'ValidationError', target: 'displayName', message: 'displayName is required.' },
      { code: 'ValidationError', target: 'description', message: 'description must be 0 to 1000 characters long.' },
      { code: 'ValidationError', target: 'subscriptionsLimit', message: 'subscriptionsLimit must be a whole number from 0 to 2147483647, or null.' },
      { code: 'ValidationError', target: 'state', message: 'state must be one of: notPublished, published.' },
      { code: 'ValidationError', target: 'authenticationType', message: 'authenticationType may only contain: subscription-key, application-token.' },
      { code: 'ValidationError', target: 'application.entra.applicationId', message: 'application.entra.applicationId must be a string.' },
    ]);
    expect(response.body.error.message).toBe('One or more fields contain incorrect values:');
    expect((await admin.call('GET', '/products/invalid')).status).toBe(404);
  });

  test('displayName too long or empty, authenticationType repeated or not an array, wrong types', async () => {
    const tooLong = await admin.call('PUT', '/products/invalid', { properties: { displayName: 'x'.repeat(301) } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.details).toEqual([{ code: 'ValidationError', target: 'displayName', message: 'displayName must be 1 to 300 characters long.' }]);
    const empty = await admin.call('PUT', '/products/invalid', { properties: { displayName: '' } });
    expect(empty.body.error.details).toEqual([{ code: 'ValidationError', target: 'displayName', message: 'displayName must be 1 to 300 characters long.' }]);
    expect((await admin.call('PUT', '/products/invalid', { properties: { displayName: 'x'.repeat(300) } })).status).toBe(201);
    expect((await admin.call('DELETE', '/products/invalid', undefined, { 'if-match': '*' })).status).toBe(200);

    const repeated = await admin.call('PUT', '/products/invalid', { properties: { displayName: 'X', authenticationType: ['subscription-key', 'subscription-key'] } });
    expect(repeated.status).toBe(400);
    expect(repeated.body.error.details).toEqual([{ code: 'ValidationError', target: 'authenticationType', message: 'authenticationType must not repeat a value.' }]);
    const notArray = await admin.call('PUT', '/products/invalid', { properties: { displayName: 'X', authenticationType: 'subscription-key' } });
    expect(notArray.body.error.details).toEqual([{ code: 'ValidationError', target: 'authenticationType', message: 'authenticationType must be an array of strings.' }]);
    const types = await admin.call('PUT', '/products/invalid', { properties: { displayName: 42, subscriptionRequired: 'yes', approvalRequired: 1, subscriptionsLimit: 1.5 } });
    expect(types.body.error.details.map((d: { target: string; message: string }) => d.message)).toEqual([
      'displayName must be a string.',
      'subscriptionRequired must be true or false.',
      'approvalRequired must be true or false.',
      'subscriptionsLimit must be a whole number from 0 to 2147483647, or null.',
    ]);

    // PATCH validates too (enum values are case-sensitive, as in Azure).
    const patch = await admin.call('PATCH', '/products/plain', { properties: { state: 'Published', application: null } }, { 'if-match': '*' });
    expect(patch.status).toBe(400);
    expect(patch.body.error.details.map((d: { target: string }) => d.target)).toEqual(['state']);
    expect((await admin.call('GET', '/products/plain')).body.properties.state).toBe('notPublished');
  });

  test('turning application-token on creates APIMProductApplication<Name> with app role Product.<Name>.All', async () => {
    const created = await admin.call('PUT', '/products/gold', { properties: { displayName: 'Gold', state: 'published' } });
    expect(created.status).toBe(201);
    expect(await graph.applicationsNamed('APIMProductApplicationGold')).toEqual([]);

    const response = await setAuthenticationType(admin, 'gold', ['application-token']);
    expect(response.status).toBe(200);
    expect(response.body.properties.authenticationType).toEqual(['application-token']);
    const entra = response.body.properties.application.entra;
    expect(entra.applicationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(entra.audience).toBe(entra.applicationId);
    expect((await admin.call('GET', '/products/gold')).body.properties.application).toEqual({ entra });

    const apps = await graph.applicationsNamed('APIMProductApplicationGold');
    expect(apps).toHaveLength(1);
    expect(apps[0]!.appId).toBe(entra.applicationId);
    expect(apps[0]!.appRoles).toEqual([expect.objectContaining({ value: 'Product.Gold.All', allowedMemberTypes: ['Application'], isEnabled: true })]);
    const sp = await graph.servicePrincipalByAppId(entra.applicationId);
    expect(sp).toMatchObject({ appId: entra.applicationId, appRoleAssignmentRequired: true });
  });

  test('turning application-token off and on again keeps the same application and audience', async () => {
    const before = (await admin.call('GET', '/products/gold')).body.properties.application.entra;
    const off = await setAuthenticationType(admin, 'gold', ['subscription-key']);
    expect(off.status).toBe(200);
    expect(off.body.properties.authenticationType).toEqual(['subscription-key']);
    const on = await setAuthenticationType(admin, 'gold', ['subscription-key', 'application-token']);
    expect(on.status).toBe(200);
    expect(on.body.properties.application.entra).toEqual(before);
    expect(await graph.applicationsNamed('APIMProductApplicationGold')).toHaveLength(1);
  });

  test('a product created with application-token on gets its application at once; display names are reduced to letters and digits', async () => {
    const audience = await tokenProduct(admin, 'gold-plus', 'Gold Plus!');
    const apps = await graph.applicationsNamed('APIMProductApplicationGoldPlus');
    expect(apps).toHaveLength(1);
    expect(apps[0]!.appId).toBe(audience);
    expect(apps[0]!.appRoles.map((r) => r.value)).toEqual(['Product.GoldPlus.All']);
  });

  test('products/{id}/apis: list, PUT (201 then 200), DELETE (200 then 204)', async () => {
    const empty = await admin.call('GET', '/products/gold/apis');
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ value: [] });

    const added = await admin.call('PUT', '/products/gold/apis/echo-api');
    expect(added.status).toBe(201);
    expect(added.body.id).toBe(`${serviceId(portico)}/apis/echo-api`);
    expect(added.body.name).toBe('echo-api');
    expect((await admin.call('PUT', '/products/gold/apis/echo-api')).status).toBe(200);

    const listed = await admin.call('GET', '/products/gold/apis');
    expect(listed.body.value.map((a: { id: string }) => a.id)).toEqual([`${serviceId(portico)}/apis/echo-api`]);

    const missingApi = await admin.call('PUT', '/products/gold/apis/no-such-api');
    expect(missingApi.status).toBe(404);
    expect(missingApi.body).toEqual({ error: { code: 'ResourceNotFound', message: 'Api not found.', details: null } });
    const missingProduct = await admin.call('PUT', '/products/no-such-product/apis/echo-api');
    expect(missingProduct.status).toBe(404);
    expect(missingProduct.body).toEqual({ error: { code: 'ResourceNotFound', message: 'Product not found.', details: null } });
    expect((await admin.call('GET', '/products/no-such-product/apis')).status).toBe(404);

    expect((await admin.call('DELETE', '/products/gold/apis/echo-api')).status).toBe(200);
    expect((await admin.call('DELETE', '/products/gold/apis/echo-api')).status).toBe(204);
    expect((await admin.call('GET', '/products/gold/apis')).body).toEqual({ value: [] });
    // The other products still hold the Echo API.
    expect((await admin.call('GET', '/products/starter/apis')).body.value).toHaveLength(1);
  });

  test('DELETE of a product with subscriptions is 409 unless deleteSubscriptions=true, which removes them', async () => {
    expect((await admin.call('PUT', '/products/silver', { properties: { displayName: 'Silver' } })).status).toBe(201);
    const subscription = await admin.call('PUT', '/subscriptions/silver-sub', { properties: { scope: '/products/silver', displayName: 'On Silver' } });
    expect(subscription.status).toBe(201);

    const refused = await admin.call('DELETE', '/products/silver', undefined, { 'if-match': '*' });
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ error: { code: 'Conflict', message: "Product 'silver' has 1 subscription(s). Delete them first or pass deleteSubscriptions=true.", details: null } });
    expect((await admin.call('GET', '/products/silver')).status).toBe(200);
    expect((await admin.call('DELETE', '/products/silver?deleteSubscriptions=false', undefined, { 'if-match': '*' })).status).toBe(409);

    const deleted = await admin.call('DELETE', '/products/silver?deleteSubscriptions=true', undefined, { 'if-match': '*' });
    expect(deleted.status).toBe(200);
    expect((await admin.call('GET', '/products/silver')).status).toBe(404);
    expect((await admin.call('GET', '/subscriptions/silver-sub')).status).toBe(404);
  });

  test('DELETE of a product still linked to a client application is 409; after unlinking it deletes its directory application', async () => {
    const audience = await tokenProduct(admin, 'bronze', 'Bronze');
    await putUser(admin, 'bronze-owner');
    const app = await admin.call('PUT', '/clientApplications/bronze-app', { properties: { displayName: 'Bronze app', ownerId: '/users/bronze-owner', productIds: ['/products/bronze'] } });
    expect(app.status).toBe(201);

    const refused = await admin.call('DELETE', '/products/bronze?deleteSubscriptions=true', undefined, { 'if-match': '*' });
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ error: { code: 'Conflict', message: "Product 'bronze' is still linked to client applications: bronze-app. Remove those product links first.", details: null } });
    expect((await admin.call('GET', '/products/bronze')).status).toBe(200);

    expect((await admin.call('DELETE', '/clientApplications/bronze-app/productLinks/bronze')).status).toBe(200);
    const deleted = await admin.call('DELETE', '/products/bronze', undefined, { 'if-match': '*' });
    expect(deleted.status).toBe(200);
    expect(await graph.applicationByAppId(audience)).toBeUndefined();
    expect(await graph.applicationsNamed('APIMProductApplicationBronze')).toEqual([]);
  });

  test('an unknown product is 404 ResourceNotFound for GET, PATCH and product APIs; DELETE is 204', async () => {
    const get = await admin.call('GET', '/products/nope');
    expect(get.status).toBe(404);
    expect(get.body).toEqual({ error: { code: 'ResourceNotFound', message: 'Product not found.', details: null } });
    expect((await admin.call('PATCH', '/products/nope', { properties: { description: 'x' } }, { 'if-match': '*' })).status).toBe(404);
    expect((await admin.call('DELETE', '/products/nope', undefined, { 'if-match': '*' })).status).toBe(204);
  });
});
