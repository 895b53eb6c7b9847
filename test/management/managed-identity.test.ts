/**
 * The service's managed identity needs the Application Administrator directory role to create
 * Entra applications. Without it every directory-changing operation fails with a clear
 * ManagedIdentityNotAuthorized error and leaves nothing behind; with the role back, it works again.
 * The role is removed and re-assigned through the Graph-shaped API, as an administrator would.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { bootOn, type Booted } from '../helpers/boot.js';
import { ManagementClient } from '../helpers/clients.js';
import { APPLICATION_ADMINISTRATOR, GraphClient, managedIdentityRoles, putUser, setAuthenticationType, tokenProduct } from './harness.js';

describeEachDialect('management API: the managed identity needs Application Administrator', (dialect) => {
  let portico: Booted;
  let admin: ManagementClient;
  let graph: GraphClient;
  let principalId: string;

  const expectNotAuthorized = (response: { status: number; body: any }) => {
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('ManagedIdentityNotAuthorized');
    const message = response.body.error.message as string;
    expect(message).toContain(`(principal id ${principalId})`);
    expect(message).toContain(`it must hold the Application Administrator directory role in tenant ${portico.credentials.tenantId}`);
    expect(message).toContain('portico directory role assign --role "Application Administrator" --principal portico');
  };

  beforeAll(async () => {
    portico = await bootOn(dialect);
    admin = new ManagementClient(portico.credentials);
    graph = new GraphClient(portico);
    // Set up, while the role is still held, what the later steps need.
    await putUser(admin, 'mi-owner');
    await tokenProduct(admin, 'mi-enabled', 'MI Enabled');
    await tokenProduct(admin, 'mi-second', 'MI Second');
    const app = await admin.call('PUT', '/clientApplications/mi-existing', { properties: { displayName: 'Existing', ownerId: '/users/mi-owner', productIds: ['/products/mi-enabled'] } });
    expect(app.status).toBe(201);
  });
  afterAll(async () => {
    await portico?.stop();
  });

  test('the managed identity holds Application Administrator on a new instance', async () => {
    const roles = await managedIdentityRoles(graph, portico.credentials.serviceName);
    principalId = roles.principalId;
    expect(roles.assignments.map((a) => a.roleDefinitionId)).toEqual([APPLICATION_ADMINISTRATOR]);
    const service = await admin.call('GET', '');
    expect(service.body.identity).toEqual({ type: 'SystemAssigned', principalId, tenantId: portico.credentials.tenantId });
  });

  test('the admin (Privileged Role Administrator) removes the role through the Graph-shaped API', async () => {
    const { assignments } = await managedIdentityRoles(graph, portico.credentials.serviceName);
    const removed = await graph.call('DELETE', `/roleManagement/directory/roleAssignments/${assignments[0]!.id}`);
    expect(removed.status).toBe(204);
    expect((await managedIdentityRoles(graph, portico.credentials.serviceName)).assignments).toEqual([]);
  });

  test('enabling application-token on a product is 400 ManagedIdentityNotAuthorized and writes nothing', async () => {
    const created = await admin.call('PUT', '/products/mi-product', { properties: { displayName: 'MI Product' } });
    expect(created.status).toBe(201);
    const before = await admin.call('GET', '/products/mi-product');
    const appCount = await graph.applicationCount();

    const response = await setAuthenticationType(admin, 'mi-product', ['application-token']);
    expectNotAuthorized(response);
    expect(response.body.error.message).toBe(
      `The managed identity of API Management service 'portico' (principal id ${principalId}) cannot create the Entra application that represents product 'mi-product': ` +
        `it must hold the Application Administrator directory role in tenant ${portico.credentials.tenantId}. ` +
        'Assign it (for example: portico directory role assign --role "Application Administrator" --principal portico) and try again.',
    );

    const after = await admin.call('GET', '/products/mi-product');
    expect(after.body).toEqual(before.body);
    expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
    expect(await graph.applicationCount()).toBe(appCount);
    expect(await graph.applicationsNamed('APIMProductApplicationMIProduct')).toEqual([]);

    // Creating a new product with application-token on fails the same way and creates no product.
    const createWithToken = await admin.call('PUT', '/products/mi-new', { properties: { displayName: 'MI New', authenticationType: ['application-token'] } });
    expectNotAuthorized(createWithToken);
    expect((await admin.call('GET', '/products/mi-new')).status).toBe(404);
    expect(await graph.applicationCount()).toBe(appCount);
  });

  test('registering a client application fails the same way and leaves nothing behind', async () => {
    const appCount = await graph.applicationCount();
    const response = await admin.call('PUT', '/clientApplications/mi-app', { properties: { displayName: 'MI app', ownerId: '/users/mi-owner', productIds: ['/products/mi-enabled'] } });
    expectNotAuthorized(response);
    expect(response.body.error.message).toContain("cannot register the Entra application for client application 'mi-app'");
    expect((await admin.call('GET', '/clientApplications/mi-app')).status).toBe(404);
    expect((await admin.call('GET', '/users/mi-owner/clientApplications')).body.value.map((a: { name: string }) => a.name)).toEqual(['mi-existing']);
    expect(await graph.applicationCount()).toBe(appCount);
  });

  test('changing an existing application (secrets, product links, delete) also fails clearly and changes nothing', async () => {
    const before = await admin.call('GET', '/clientApplications/mi-existing');
    const links = await admin.call('GET', '/clientApplications/mi-existing/productLinks');

    expectNotAuthorized(await admin.call('POST', '/clientApplications/mi-existing/listSecrets'));
    expectNotAuthorized(await admin.call('PUT', '/clientApplications/mi-existing/productLinks/mi-second', { properties: { productId: '/products/mi-second' } }));
    expectNotAuthorized(await admin.call('DELETE', '/clientApplications/mi-existing/productLinks/mi-enabled'));
    expectNotAuthorized(await admin.call('DELETE', '/clientApplications/mi-existing', undefined, { 'if-match': '*' }));
    expectNotAuthorized(await admin.call('PUT', '/clientApplications/mi-existing', { properties: { displayName: 'Renamed', productIds: ['/products/mi-second'] } }));

    expect((await admin.call('GET', '/clientApplications/mi-existing')).body).toEqual(before.body);
    expect((await admin.call('GET', '/clientApplications/mi-existing/productLinks')).body).toEqual(links.body);
    expect(await graph.applicationByAppId(before.body.properties.entraApplicationId)).toBeDefined();

    // Deleting a product with a backend application would orphan that application: refused, product kept.
    const product = await admin.call('GET', '/products/mi-second');
    expectNotAuthorized(await admin.call('DELETE', '/products/mi-second', undefined, { 'if-match': '*' }));
    expect((await admin.call('GET', '/products/mi-second')).body).toEqual(product.body);
    expect(await graph.applicationByAppId(product.body.properties.application.entra.applicationId)).toBeDefined();
  });

  test('operations that do not touch the directory keep working', async () => {
    expect((await admin.call('PATCH', '/products/mi-enabled', { properties: { description: 'still editable' } }, { 'if-match': '*' })).status).toBe(200);
    expect((await admin.call('GET', '/clientApplications')).status).toBe(200);
    // Turning application-token off and on again reuses the existing application: no directory call.
    expect((await setAuthenticationType(admin, 'mi-enabled', ['subscription-key'])).status).toBe(200);
    expect((await setAuthenticationType(admin, 'mi-enabled', ['application-token'])).status).toBe(200);
  });

  test('with the role re-assigned through the Graph-shaped API, everything works again', async () => {
    const assigned = await graph.call('POST', '/roleManagement/directory/roleAssignments', { principalId, roleDefinitionId: APPLICATION_ADMINISTRATOR, directoryScopeId: '/' });
    expect(assigned.status).toBe(201);
    expect(assigned.body).toMatchObject({ principalId, roleDefinitionId: APPLICATION_ADMINISTRATOR, directoryScopeId: '/' });

    const enabled = await setAuthenticationType(admin, 'mi-product', ['application-token']);
    expect(enabled.status).toBe(200);
    expect(await graph.applicationsNamed('APIMProductApplicationMIProduct')).toHaveLength(1);

    const registered = await admin.call('PUT', '/clientApplications/mi-app', { properties: { displayName: 'MI app', ownerId: '/users/mi-owner', productIds: ['/products/mi-product'] } });
    expect(registered.status).toBe(201);
    expect((await admin.call('POST', '/clientApplications/mi-app/listSecrets')).status).toBe(200);

    expect((await admin.call('PUT', '/clientApplications/mi-existing/productLinks/mi-second', { properties: { productId: '/products/mi-second' } })).status).toBe(201);
    expect((await admin.call('DELETE', '/clientApplications/mi-existing/productLinks/mi-enabled')).status).toBe(200);
    const existing = await admin.call('GET', '/clientApplications/mi-existing');
    expect((await admin.call('DELETE', '/clientApplications/mi-existing', undefined, { 'if-match': '*' })).status).toBe(200);
    expect(await graph.applicationByAppId(existing.body.properties.entraApplicationId)).toBeUndefined();
  });
});
