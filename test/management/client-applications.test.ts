/**
 * Client applications: registration checks, the directory objects they get (application, service
 * principal, granted product roles), secrets, product links, and clean deletion.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { bootOn, type Booted } from '../helpers/boot.js';
import { ManagementClient, requestToken } from '../helpers/clients.js';
import { GraphClient, linkedProductIds, putUser, serviceId, tokenProduct } from './harness.js';

describeEachDialect('management API: client applications', (dialect) => {
  let portico: Booted;
  let admin: ManagementClient;
  let graph: GraphClient;
  let goldAudience: string;
  let silverAudience: string;
  let appId: string;

  const token = (clientId: string, clientSecret: string, audience: string) =>
    requestToken(portico.identityUrl, portico.credentials.tenantId, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: `api://${audience}/.default` });
  const roleAssignments = async (clientAppId: string) => {
    const sp = await graph.servicePrincipalByAppId(clientAppId);
    expect(sp).toBeDefined();
    const response = await graph.call('GET', `/servicePrincipals/${sp!.id}/appRoleAssignments`);
    expect(response.status).toBe(200);
    return response.body.value as { appRoleId: string; resourceId: string; resourceDisplayName: string; principalId: string }[];
  };
  const roleOf = async (audience: string) => {
    const backend = await graph.servicePrincipalByAppId(audience);
    return { resourceId: backend!.id, appRoleId: backend!.appRoles[0]!.id, value: backend!.appRoles[0]!.value };
  };

  beforeAll(async () => {
    portico = await bootOn(dialect);
    admin = new ManagementClient(portico.credentials);
    graph = new GraphClient(portico);
    goldAudience = await tokenProduct(admin, 'gold', 'Gold');
    silverAudience = await tokenProduct(admin, 'silver', 'Silver');
    expect((await admin.call('PUT', '/products/gold/apis/echo-api')).status).toBe(201);
    await putUser(admin, 'dev');
    await putUser(admin, 'other-dev');
  });
  afterAll(async () => {
    await portico?.stop();
  });

  test('registering checks that the owner exists, naming properties.ownerId', async () => {
    const before = await graph.applicationCount();
    for (const ownerId of ['/users/nobody', `${serviceId(portico)}/users/nobody`, '/groups/developers']) {
      const response = await admin.call('PUT', '/clientApplications/app', { properties: { displayName: 'App', ownerId, productIds: ['/products/gold'] } });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        error: {
          code: 'ValidationError',
          message: 'One or more fields contain incorrect values:',
          details: [{ code: 'ValidationError', target: 'ownerId', message: `ownerId must name an existing user of this service, like '/users/{userId}'; '${ownerId}' does not.` }],
        },
      });
    }
    const missing = await admin.call('PUT', '/clientApplications/app', { properties: { productIds: [] } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.map((d: { target: string }) => d.target)).toEqual(['displayName']);
    const readOnly = await admin.call('PUT', '/clientApplications/app', { properties: { displayName: 'App', ownerId: '/users/dev', entraApplicationId: '00000000-0000-0000-0000-000000000000' } });
    expect(readOnly.body.error.details).toEqual([
      { code: 'ValidationError', target: 'entraApplicationId', message: 'entraApplicationId is read-only: Portico sets it when the application is registered.' },
    ]);
    expect((await admin.call('GET', '/clientApplications/app')).status).toBe(404);
    expect(await graph.applicationCount()).toBe(before);
  });

  test('registering checks that every product exists and has application-token on, naming the index', async () => {
    const before = await graph.applicationCount();
    const off = await admin.call('PUT', '/clientApplications/app', { properties: { displayName: 'App', ownerId: '/users/dev', productIds: ['/products/gold', '/products/starter'] } });
    expect(off.status).toBe(400);
    expect(off.body).toEqual({
      error: {
        code: 'ValidationError',
        message: 'One or more fields contain incorrect values:',
        details: [
          { code: 'ValidationError', target: 'productIds[1]', message: `productIds[1]: product 'starter' does not have application-token access turned on. Add "application-token" to the product's authenticationType first.` },
        ],
      },
    });
    const unknown = await admin.call('PUT', '/clientApplications/app', { properties: { displayName: 'App', ownerId: '/users/dev', productIds: ['/products/nope'] } });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({
      error: {
        code: 'ValidationError',
        message: 'One or more fields contain incorrect values:',
        details: [{ code: 'ValidationError', target: 'productIds[0]', message: "productIds[0] must name an existing product, like '/products/{productId}'; '/products/nope' does not." }],
      },
    });
    const repeated = await admin.call('PUT', '/clientApplications/app', { properties: { displayName: 'App', ownerId: '/users/dev', productIds: ['/products/gold', `${serviceId(portico)}/products/gold`] } });
    expect(repeated.status).toBe(400);
    expect(repeated.body.error.details).toEqual([{ code: 'ValidationError', target: 'productIds[1]', message: "productIds[1] names product 'gold' again; list each product once." }]);
    expect((await admin.call('GET', '/clientApplications/app')).status).toBe(404);
    expect(await graph.applicationCount()).toBe(before);
  });

  test('registering creates APIMApplication<Product> with a service principal granted Product.<Name>.All', async () => {
    const response = await admin.call('PUT', '/clientApplications/dev-app', {
      properties: { displayName: 'Dev app', ownerId: '/users/dev', productIds: ['/products/gold'], description: 'Calls Gold' },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('etag')).toMatch(/^"[^"]+"$/);
    appId = response.body.properties.entraApplicationId;
    expect(response.body).toEqual({
      id: `${serviceId(portico)}/clientApplications/dev-app`,
      type: 'Microsoft.ApiManagement/service/clientApplications',
      name: 'dev-app',
      properties: {
        displayName: 'Dev app',
        description: 'Calls Gold',
        ownerId: `${serviceId(portico)}/users/dev`,
        state: 'active',
        entraApplicationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        entraTenantId: portico.credentials.tenantId,
      },
    });

    const directoryApp = await graph.applicationByAppId(appId);
    expect(directoryApp?.displayName).toBe('APIMApplicationGold');
    const gold = await roleOf(goldAudience);
    expect(gold.value).toBe('Product.Gold.All');
    expect(await roleAssignments(appId)).toEqual([
      expect.objectContaining({ appRoleId: gold.appRoleId, resourceId: gold.resourceId, resourceDisplayName: 'APIMProductApplicationGold' }),
    ]);
  });

  test('listSecrets mints a new secret on every call; each one gets a token', async () => {
    const first = await admin.call('POST', '/clientApplications/dev-app/listSecrets');
    const second = await admin.call('POST', '/clientApplications/dev-app/listSecrets');
    for (const response of [first, second]) {
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(Object.keys(response.body)).toEqual(['entra']);
      expect(Object.keys(response.body.entra).sort()).toEqual(['clientSecret', 'expiresAt']);
    }
    expect(first.body.entra.clientSecret).not.toBe(second.body.entra.clientSecret);
    const passwords = (await graph.call('GET', `/applications/${(await graph.applicationByAppId(appId))!.id}`)).body.passwordCredentials;
    expect(passwords).toHaveLength(2);
    for (const response of [first, second]) {
      const result = await token(appId, response.body.entra.clientSecret, goldAudience);
      expect(result.status).toBe(200);
      const claims = JSON.parse(Buffer.from((result.body.access_token as string).split('.')[1]!, 'base64url').toString());
      expect(claims.roles).toEqual(['Product.Gold.All']);
    }
    // Secrets are never shown again.
    expect(JSON.stringify((await admin.call('GET', '/clientApplications/dev-app')).body)).not.toContain(first.body.entra.clientSecret);
    expect((await admin.call('POST', '/clientApplications/nope/listSecrets')).status).toBe(404);
  });

  test('productLinks: list, PUT 201 then 200, 409 for the same product under another name, GET, DELETE 200 then 204', async () => {
    const initial = await admin.call('GET', '/clientApplications/dev-app/productLinks');
    expect(initial.status).toBe(200);
    expect(initial.body).toEqual({
      value: [{
        id: `${serviceId(portico)}/clientApplications/dev-app/productLinks/gold`,
        type: 'Microsoft.ApiManagement/service/clientApplications/productLinks',
        name: 'gold',
        properties: { productId: `${serviceId(portico)}/products/gold`, state: 'active' },
      }],
    });

    const created = await admin.call('PUT', '/clientApplications/dev-app/productLinks/silver-link', { properties: { productId: `${serviceId(portico)}/products/silver` } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: `${serviceId(portico)}/clientApplications/dev-app/productLinks/silver-link`,
      type: 'Microsoft.ApiManagement/service/clientApplications/productLinks',
      name: 'silver-link',
      properties: { productId: `${serviceId(portico)}/products/silver`, state: 'active' },
    });
    expect((await admin.call('PUT', '/clientApplications/dev-app/productLinks/silver-link', { properties: { productId: '/products/silver' } })).status).toBe(200);

    const twice = await admin.call('PUT', '/clientApplications/dev-app/productLinks/silver-again', { properties: { productId: '/products/silver' } });
    expect(twice.status).toBe(409);
    expect(twice.body).toEqual({ error: { code: 'Conflict', message: "Client application 'dev-app' is already linked to product 'silver' by product link 'silver-link'.", details: null } });
    const otherProduct = await admin.call('PUT', '/clientApplications/dev-app/productLinks/silver-link', { properties: { productId: '/products/gold' } });
    expect(otherProduct.status).toBe(409);
    expect(otherProduct.body.error.message).toBe("Product link 'silver-link' already links product 'silver'. Use another link name or delete it first.");
    const notEnabled = await admin.call('PUT', '/clientApplications/dev-app/productLinks/starter', { properties: { productId: '/products/starter' } });
    expect(notEnabled.status).toBe(400);
    expect(notEnabled.body.error.details).toEqual([
      { code: 'ValidationError', target: 'productId', message: `productId: product 'starter' does not have application-token access turned on. Add "application-token" to the product's authenticationType first.` },
    ]);

    const got = await admin.call('GET', '/clientApplications/dev-app/productLinks/silver-link');
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);
    expect((await linkedProductIds(admin, 'dev-app')).sort()).toEqual([`${serviceId(portico)}/products/gold`, `${serviceId(portico)}/products/silver`]);
    const silver = await roleOf(silverAudience);
    expect((await roleAssignments(appId)).map((a) => a.appRoleId).sort()).toEqual([(await roleOf(goldAudience)).appRoleId, silver.appRoleId].sort());

    expect((await admin.call('DELETE', '/clientApplications/dev-app/productLinks/silver-link')).status).toBe(200);
    expect((await admin.call('DELETE', '/clientApplications/dev-app/productLinks/silver-link')).status).toBe(204);
    const gone = await admin.call('GET', '/clientApplications/dev-app/productLinks/silver-link');
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ error: { code: 'ResourceNotFound', message: 'ClientApplicationProductLink not found.', details: null } });
    expect((await roleAssignments(appId)).map((a) => a.appRoleId)).toEqual([(await roleOf(goldAudience)).appRoleId]);
    expect((await admin.call('GET', '/clientApplications/nope/productLinks')).status).toBe(404);
  });

  test('PUT on an existing application updates it; productIds replaces the set of links', async () => {
    const updated = await admin.call('PUT', '/clientApplications/dev-app', { properties: { displayName: 'Dev app v2', productIds: ['/products/silver'] } });
    expect(updated.status).toBe(200);
    expect(updated.body.properties).toMatchObject({ displayName: 'Dev app v2', description: 'Calls Gold', ownerId: `${serviceId(portico)}/users/dev`, entraApplicationId: appId });
    expect(updated.body.properties.productIds).toBeUndefined(); // accepted on PUT, never returned
    expect(await linkedProductIds(admin, 'dev-app')).toEqual([`${serviceId(portico)}/products/silver`]);
    expect((await roleAssignments(appId)).map((a) => a.appRoleId)).toEqual([(await roleOf(silverAudience)).appRoleId]);
    const back = await admin.call('PUT', '/clientApplications/dev-app', { properties: { displayName: 'Dev app', productIds: ['/products/gold'] } });
    expect(back.status).toBe(200);
    expect(await linkedProductIds(admin, 'dev-app')).toEqual([`${serviceId(portico)}/products/gold`]);
  });

  test('productIds never overwrites a link whose name another product already uses', async () => {
    expect((await admin.call('PUT', '/clientApplications/dev-app/productLinks/gold')).status).toBe(400); // body required
    const moved = await admin.call('PUT', '/clientApplications/dev-app', { properties: { displayName: 'Dev app', productIds: [] } });
    expect(moved.status).toBe(200);
    expect(await linkedProductIds(admin, 'dev-app')).toEqual([]);
    // A link named 'gold' that links silver, then ask for both products.
    expect((await admin.call('PUT', '/clientApplications/dev-app/productLinks/gold', { properties: { productId: '/products/silver' } })).status).toBe(201);
    const both = await admin.call('PUT', '/clientApplications/dev-app', { properties: { displayName: 'Dev app', productIds: ['/products/silver', '/products/gold'] } });
    expect(both.status).toBe(200);
    const links = (await admin.call('GET', '/clientApplications/dev-app/productLinks')).body.value.map((l: { name: string; properties: { productId: string } }) => [l.name, l.properties.productId.split('/').pop()]);
    expect(links.sort()).toEqual([['gold', 'silver'], ['gold-2', 'gold']]);
    expect((await roleAssignments(appId)).length).toBe(2);
    const back = await admin.call('PUT', '/clientApplications/dev-app', { properties: { displayName: 'Dev app', productIds: ['/products/gold'] } });
    expect(back.status).toBe(200);
    expect(await linkedProductIds(admin, 'dev-app')).toEqual([`${serviceId(portico)}/products/gold`]);
    expect((await roleAssignments(appId)).map((a) => a.appRoleId)).toEqual([(await roleOf(goldAudience)).appRoleId]);
  });

  test('renaming a product keeps its clients working through the gateway', async () => {
    const secret = (await admin.call('POST', '/clientApplications/dev-app/listSecrets')).body.entra.clientSecret as string;
    const renamed = await admin.call('PATCH', '/products/gold', { properties: { displayName: 'Gold Premium' } }, { 'if-match': '*' });
    expect(renamed.status).toBe(200);
    const result = await token(appId, secret, goldAudience);
    expect(result.status).toBe(200);
    const response = await fetch(`${portico.gatewayUrl}/echo/resource?param1=sample`, { headers: { authorization: `Bearer ${result.body.access_token}` } });
    expect(response.status).toBe(200);
  });

  test("deleting the application removes its directory application and its links; the owner's list is empty", async () => {
    const directoryApp = await graph.applicationByAppId(appId);
    const sp = await graph.servicePrincipalByAppId(appId);
    const etag = (await admin.call('GET', '/clientApplications/dev-app')).headers.get('etag')!;
    const deleted = await admin.call('DELETE', '/clientApplications/dev-app', undefined, { 'if-match': etag });
    expect(deleted.status).toBe(200);

    expect((await admin.call('GET', '/clientApplications/dev-app')).status).toBe(404);
    expect((await admin.call('GET', '/clientApplications/dev-app/productLinks')).status).toBe(404);
    expect((await admin.call('GET', '/users/dev/clientApplications')).body).toEqual({ value: [] });
    expect(await graph.applicationByAppId(appId)).toBeUndefined();
    expect((await graph.call('GET', `/applications/${directoryApp!.id}`)).status).toBe(404);
    expect((await graph.call('GET', `/servicePrincipals/${sp!.id}`)).status).toBe(404);
    // The product can be deleted now that nothing links it.
    expect((await admin.call('DELETE', '/products/gold', undefined, { 'if-match': '*' })).status).toBe(200);
    expect((await admin.call('DELETE', '/clientApplications/dev-app', undefined, { 'if-match': '*' })).status).toBe(204);
  });

  test('an application registered without products can be linked later', async () => {
    const created = await admin.call('PUT', '/clientApplications/later', { properties: { displayName: 'Later', ownerId: '/users/other-dev' } });
    expect(created.status).toBe(201);
    expect(await linkedProductIds(admin, 'later')).toEqual([]);
    expect((await graph.applicationByAppId(created.body.properties.entraApplicationId))?.displayName).toBe('APIMApplicationLater');
    expect((await admin.call('PUT', '/clientApplications/later/productLinks/silver', { properties: { productId: '/products/silver' } })).status).toBe(201);
    expect(await linkedProductIds(admin, 'later')).toEqual([`${serviceId(portico)}/products/silver`]);
  });
});
