/**
 * Resource names are case-insensitive, as in Azure Resource Manager, and keep the case they were
 * created with: in URLs, in references inside bodies (ownerId, productIds, scope, productId), for
 * every kind of resource; and what was set up through other spellings still works at the gateway.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { bootOn, type Booted } from '../helpers/boot.js';
import { ManagementClient, requestToken } from '../helpers/clients.js';
import { linkedProductIds, serviceId, tokenProduct } from './harness.js';

describeEachDialect('management API: resource names in any case', (dialect) => {
  let portico: Booted;
  let admin: ManagementClient;
  let sid: string;

  const callEcho = (headers: Record<string, string>) =>
    fetch(`${portico.gatewayUrl}/echo/resource?param1=sample`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ hello: 'world' }),
    });
  const names = (response: { body: { value: { name: string }[] } }) => response.body.value.map((r) => r.name);

  beforeAll(async () => {
    portico = await bootOn(dialect);
    admin = new ManagementClient(portico.credentials);
    sid = serviceId(portico);
  });
  afterAll(async () => {
    await portico?.stop();
  });

  test('GET in another case answers with the stored name, id and the same ETag', async () => {
    for (const [path, stored] of [
      ['/products/STARTER', '/products/starter'],
      ['/apis/Echo-API', '/apis/echo-api'],
      ['/apis/ECHO-API/operations/Retrieve-Resource', '/apis/echo-api/operations/retrieve-resource'],
      ['/users/1', '/users/1'],
      ['/groups/DEVELOPERS', '/groups/developers'],
      ['/subscriptions/MASTER', '/subscriptions/master'],
    ] as const) {
      const exact = await admin.call('GET', stored);
      const other = await admin.call('GET', path);
      expect(other.status, path).toBe(200);
      expect(other.body, path).toEqual(exact.body);
      expect(other.body.id, path).toBe(`${sid}${stored}`);
      expect(other.headers.get('etag'), path).toBe(exact.headers.get('etag'));
    }
  });

  test('products: a PUT that creates keeps its spelling; PUT, PATCH and DELETE in another case act on it', async () => {
    const created = await admin.call('PUT', '/products/Silver', { properties: { displayName: 'Silver' } });
    expect(created.status).toBe(201);
    expect(created.body.name).toBe('Silver');
    const replaced = await admin.call('PUT', '/products/SILVER', { properties: { displayName: 'Silver 2' } });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ id: `${sid}/products/Silver`, name: 'Silver', properties: { displayName: 'Silver 2' } });
    const patched = await admin.call('PATCH', '/products/silver', { properties: { description: 'shiny' } }, { 'if-match': replaced.headers.get('etag')! });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Silver', properties: { displayName: 'Silver 2', description: 'shiny' } });
    expect(names(await admin.call('GET', '/products'))).toEqual(['Silver', 'starter', 'unlimited']);

    const subscription = await admin.call('PUT', '/subscriptions/silver-sub', { properties: { scope: '/products/SILVER', displayName: 'On silver' } });
    expect(subscription.status).toBe(201);
    expect(subscription.body.properties.scope).toBe(`${sid}/products/Silver`);
    const refused = await admin.call('DELETE', '/products/silver');
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe("Product 'Silver' has 1 subscription(s). Delete them first or pass deleteSubscriptions=true.");
    expect((await admin.call('DELETE', '/products/sILVER?deleteSubscriptions=true', undefined, { 'if-match': '*' })).status).toBe(200);
    expect((await admin.call('GET', '/products/Silver')).status).toBe(404);
    expect((await admin.call('GET', '/subscriptions/silver-sub')).status).toBe(404);
    expect((await admin.call('DELETE', '/products/Silver')).status).toBe(204);
  });

  test('APIs, operations and product ↔ API links in another case', async () => {
    const created = await admin.call('PUT', '/apis/Mirror-Api', { properties: { displayName: 'Mirror', path: 'mirror', serviceUrl: `${portico.echoUrl}/api` } });
    expect(created.status).toBe(201);
    expect(created.body.name).toBe('Mirror-Api');
    // Its own path is not "another API's path" when named in another case.
    const replaced = await admin.call('PUT', '/apis/MIRROR-API', { properties: { displayName: 'Mirror 2', path: 'mirror' } });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ id: `${sid}/apis/Mirror-Api`, name: 'Mirror-Api', properties: { displayName: 'Mirror 2' } });
    const patched = await admin.call('PATCH', '/apis/mirror-api', { properties: { description: 'reflects' } }, { 'if-match': '*' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Mirror-Api', properties: { displayName: 'Mirror 2', description: 'reflects' } });

    const operation = { properties: { displayName: 'Get thing', method: 'GET', urlTemplate: '/thing' } };
    const opCreated = await admin.call('PUT', '/apis/mirror-API/operations/Get-Thing', operation);
    expect(opCreated.status).toBe(201);
    expect(opCreated.body).toMatchObject({ id: `${sid}/apis/Mirror-Api/operations/Get-Thing`, name: 'Get-Thing' });
    const opReplaced = await admin.call('PUT', '/apis/MIRROR-API/operations/GET-THING', { properties: { ...operation.properties, urlTemplate: '/thing2' } });
    expect(opReplaced.status).toBe(200);
    expect(opReplaced.body).toMatchObject({ id: `${sid}/apis/Mirror-Api/operations/Get-Thing`, name: 'Get-Thing', properties: { urlTemplate: '/thing2' } });
    expect((await admin.call('GET', '/apis/mirror-api/operations/get-thing')).body.name).toBe('Get-Thing');
    expect(names(await admin.call('GET', '/apis/MIRROR-API/operations'))).toEqual(['Get-Thing']);

    const linked = await admin.call('PUT', '/products/STARTER/apis/mirror-api');
    expect(linked.status).toBe(201);
    expect(linked.body.name).toBe('Mirror-Api');
    expect((await admin.call('PUT', '/products/starter/apis/MIRROR-API')).status).toBe(200);
    expect(names(await admin.call('GET', '/products/Starter/apis'))).toEqual(['Mirror-Api', 'echo-api']);
    expect((await admin.call('DELETE', '/products/starter/apis/MIRROR-api')).status).toBe(200);
    expect((await admin.call('DELETE', '/products/starter/apis/Mirror-Api')).status).toBe(204);
    expect(names(await admin.call('GET', '/products/starter/apis'))).toEqual(['echo-api']);

    expect((await admin.call('DELETE', '/apis/mirror-api/operations/GET-THING')).status).toBe(200);
    expect((await admin.call('GET', '/apis/Mirror-Api/operations')).body.value).toEqual([]);
    expect((await admin.call('DELETE', '/apis/MIRROR-API', undefined, { 'if-match': '*' })).status).toBe(200);
    expect((await admin.call('GET', '/apis/Mirror-Api')).status).toBe(404);
  });

  test('users and subscriptions: names and ownerId / scope references in another case', async () => {
    const user = { email: 'alice@example.com', firstName: 'Alice', lastName: 'Example' };
    const created = await admin.call('PUT', '/users/Alice', { properties: user });
    expect(created.status).toBe(201);
    expect(created.body.name).toBe('Alice');
    const replaced = await admin.call('PUT', '/users/alice', { properties: { ...user, lastName: 'Sample' } });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ id: `${sid}/users/Alice`, name: 'Alice', properties: { lastName: 'Sample' } });
    const patched = await admin.call('PATCH', '/users/ALICE', { properties: { note: 'hello' } }, { 'if-match': '*' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Alice', properties: { note: 'hello', groups: [{ id: '/groups/developers', name: 'developers' }] } });
    expect(names(await admin.call('GET', '/users')).filter((n) => n.toLowerCase() === 'alice')).toEqual(['Alice']);

    const sub = await admin.call('PUT', '/subscriptions/Alice-Sub', { properties: { scope: '/products/STARTER', ownerId: '/users/ALICE', displayName: 'Alice on Starter', state: 'active' } });
    expect(sub.status).toBe(201);
    expect(sub.body).toMatchObject({ name: 'Alice-Sub', properties: { scope: `${sid}/products/starter`, ownerId: `${sid}/users/Alice` } });
    const apiSub = await admin.call('PUT', '/subscriptions/alice-api-sub', { properties: { scope: `${sid}/APIS/Echo-Api`, ownerId: `${sid}/users/alice`, displayName: 'Alice on Echo', state: 'active' } });
    expect(apiSub.status).toBe(201);
    expect(apiSub.body.properties).toMatchObject({ scope: `${sid}/apis/echo-api`, ownerId: `${sid}/users/Alice` });
    const renamed = await admin.call('PUT', '/subscriptions/ALICE-SUB', { properties: { displayName: 'Renamed' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Alice-Sub', properties: { displayName: 'Renamed', scope: `${sid}/products/starter` } });
    const patchedSub = await admin.call('PATCH', '/subscriptions/alice-SUB', { properties: { stateComment: 'ok' } }, { 'if-match': '*' });
    expect(patchedSub.body).toMatchObject({ name: 'Alice-Sub', properties: { stateComment: 'ok' } });
    expect(names(await admin.call('GET', '/users/ALICE/subscriptions'))).toEqual(['Alice-Sub', 'alice-api-sub']);

    expect((await admin.call('POST', '/subscriptions/ALICE-SUB/regeneratePrimaryKey')).status).toBe(204);
    const secrets = await admin.call('POST', '/subscriptions/alice-sub/listSecrets');
    expect(secrets.status).toBe(200);
    expect((await callEcho({ 'ocp-apim-subscription-key': secrets.body.primaryKey })).status).toBe(200);
    expect((await admin.call('DELETE', '/subscriptions/ALICE-API-SUB', undefined, { 'if-match': '*' })).status).toBe(200);
    expect((await admin.call('GET', '/subscriptions/alice-api-sub')).status).toBe(404);
  });

  test('client applications: ownerId and productIds in another case, and the gateway accepts its token', async () => {
    const starter = await admin.call('PATCH', '/products/STARTER', { properties: { authenticationType: ['subscription-key', 'application-token'] } }, { 'if-match': '*' });
    expect(starter.status).toBe(200);
    expect(starter.body.name).toBe('starter');
    const audience = starter.body.properties.application.entra.audience as string;

    const duplicate = await admin.call('PUT', '/clientApplications/Alice-App', { properties: { displayName: 'Alice app', ownerId: '/users/alice', productIds: ['/products/starter', '/products/STARTER'] } });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.error.details).toEqual([{ code: 'ValidationError', target: 'productIds[1]', message: "productIds[1] names product 'starter' again; list each product once." }]);

    const created = await admin.call('PUT', '/clientApplications/Alice-App', { properties: { displayName: 'Alice app', ownerId: '/users/ALICE', productIds: ['/products/STARTER'] } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: `${sid}/clientApplications/Alice-App`, name: 'Alice-App', properties: { ownerId: `${sid}/users/Alice` } });
    expect(await linkedProductIds(admin, 'Alice-App')).toEqual([`${sid}/products/starter`]);
    expect((await admin.call('GET', '/clientApplications/alice-app')).body.name).toBe('Alice-App');
    expect(names(await admin.call('GET', '/users/ALICE/clientApplications'))).toEqual(['Alice-App']);
    const owned = await admin.call('GET', '/users/alice/clientApplications/ALICE-APP');
    expect(owned.status).toBe(200);
    expect(owned.body.name).toBe('Alice-App');

    const secret = await admin.call('POST', '/clientApplications/ALICE-APP/listSecrets');
    expect(secret.status).toBe(200);
    const clientId = created.body.properties.entraApplicationId as string;
    const tokenFor = async (aud: string) => {
      const result = await requestToken(portico.identityUrl, portico.credentials.tenantId, { grant_type: 'client_credentials', client_id: clientId, client_secret: secret.body.entra.clientSecret, scope: `api://${aud}/.default` });
      expect(result.status).toBe(200);
      return result.body.access_token as string;
    };
    const token = await tokenFor(audience);
    expect((await callEcho({ authorization: `Bearer ${token}` })).status).toBe(200);

    // An update in another case keeps the application (and its directory app and secret).
    const updated = await admin.call('PUT', '/clientApplications/alice-APP', { properties: { displayName: 'Alice app 2', productIds: [`${sid}/products/Starter`] } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'Alice-App', properties: { displayName: 'Alice app 2', entraApplicationId: clientId } });
    expect(await linkedProductIds(admin, 'Alice-App')).toEqual([`${sid}/products/starter`]);
    expect((await callEcho({ authorization: `Bearer ${await tokenFor(audience)}` })).status).toBe(200);

    const refused = await admin.call('DELETE', '/users/alice', undefined, { 'if-match': '*' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe("User 'Alice' owns client applications: Alice-App. Delete them first.");
    expect((await admin.call('DELETE', '/clientApplications/ALICE-APP', undefined, { 'if-match': '*' })).status).toBe(200);
    expect((await admin.call('GET', '/clientApplications/Alice-App')).status).toBe(404);
    expect((await callEcho({ authorization: `Bearer ${token}` })).status).toBe(401);
    expect((await admin.call('DELETE', '/users/ALICE?deleteSubscriptions=true', undefined, { 'if-match': '*' })).status).toBe(200);
    expect((await admin.call('GET', '/users/Alice')).status).toBe(404);
    expect((await admin.call('GET', '/subscriptions/Alice-Sub')).status).toBe(404);
  });

  test('product links: names and productId in another case; productIds never takes over a link named like the product in another case', async () => {
    const goldAudience = await tokenProduct(admin, 'Gold', 'Gold');
    expect((await admin.call('PUT', '/products/GOLD/apis/ECHO-API')).status).toBe(201);
    expect((await admin.call('PUT', '/users/Bob', { properties: { email: 'bob@example.com', firstName: 'Bob', lastName: 'Example' } })).status).toBe(201);
    const app = await admin.call('PUT', '/clientApplications/Bob-App', { properties: { displayName: 'Bob app', ownerId: '/users/bob' } });
    expect(app.status).toBe(201);

    // A link named "Starter" that links Gold.
    const link = await admin.call('PUT', '/clientApplications/bob-app/productLinks/Starter', { properties: { productId: '/products/gold' } });
    expect(link.status).toBe(201);
    expect(link.body).toMatchObject({ id: `${sid}/clientApplications/Bob-App/productLinks/Starter`, name: 'Starter', properties: { productId: `${sid}/products/Gold` } });
    const again = await admin.call('PUT', '/clientApplications/BOB-APP/productLinks/STARTER', { properties: { productId: `${sid}/products/GOLD` } });
    expect(again.status).toBe(200);
    expect(again.body.name).toBe('Starter');
    const clash = await admin.call('PUT', '/clientApplications/Bob-App/productLinks/starter', { properties: { productId: '/products/starter' } });
    expect(clash.status).toBe(409);
    expect(clash.body.error.message).toBe("Product link 'Starter' already links product 'Gold'. Use another link name or delete it first.");
    expect((await admin.call('GET', '/clientApplications/BOB-APP/productLinks/starter')).body.name).toBe('Starter');

    const both = await admin.call('PUT', '/clientApplications/bob-app', { properties: { displayName: 'Bob app', productIds: ['/products/GOLD', '/products/STARTER'] } });
    expect(both.status).toBe(200);
    expect((await linkedProductIds(admin, 'bob-app')).sort()).toEqual([`${sid}/products/Gold`, `${sid}/products/starter`]);
    const links = await admin.call('GET', '/clientApplications/bob-app/productLinks');
    expect(links.body.value.map((l: { name: string; properties: { productId: string } }) => [l.name, l.properties.productId])).toEqual([
      ['Starter', `${sid}/products/Gold`],
      ['starter-2', `${sid}/products/starter`],
    ]);

    const secret = await admin.call('POST', '/clientApplications/Bob-App/listSecrets');
    const token = await requestToken(portico.identityUrl, portico.credentials.tenantId, { grant_type: 'client_credentials', client_id: app.body.properties.entraApplicationId, client_secret: secret.body.entra.clientSecret, scope: `api://${goldAudience}/.default` });
    expect(token.status).toBe(200);
    const bearer = { authorization: `Bearer ${token.body.access_token}` };
    expect((await callEcho(bearer)).status).toBe(200);
    expect((await admin.call('DELETE', '/clientApplications/BOB-APP/productLinks/starter')).status).toBe(200);
    expect((await callEcho(bearer)).status).toBe(401);
    expect((await admin.call('DELETE', '/clientApplications/BOB-APP/productLinks/starter')).status).toBe(204);
    expect(names(await admin.call('GET', '/clientApplications/bob-app/productLinks'))).toEqual(['starter-2']);
  });
});
