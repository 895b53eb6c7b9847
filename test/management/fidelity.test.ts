/**
 * Points where Portico follows APIM's spec (apim-fidelity.md): repeatable listSecrets with the oldest
 * minted secret pruned at the directory's limit, `expiresAt` with seven fractional digits, If-Match
 * required on product PATCH and DELETE, Azure's 404 wording, client applications with only the spec's
 * properties, unset properties left out.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { bootOn, type Booted } from '../helpers/boot.js';
import { clientCredentialsToken, ManagementClient } from '../helpers/clients.js';
import { GraphClient, putUser, serviceId, tokenProduct } from './harness.js';

describeEachDialect('management API: fidelity to the APIM spec', (dialect) => {
  let portico: Booted;
  let admin: ManagementClient;
  let graph: GraphClient;
  let audience: string;

  beforeAll(async () => {
    portico = await bootOn(dialect);
    admin = new ManagementClient(portico.credentials);
    graph = new GraphClient(portico);
    audience = await tokenProduct(admin, 'fidelity', 'Fidelity');
    await putUser(admin, 'fid-owner');
  });
  afterAll(async () => {
    await portico?.stop();
  });

  const tokenWith = (clientId: string, secret: string) =>
    clientCredentialsToken(portico.identityUrl, portico.credentials.tenantId, clientId, secret, `api://${audience}/.default`).then(
      () => 200,
      () => 401,
    );

  test('listSecrets can be called any number of times: at 50 secrets the oldest one the management plane minted goes first', async () => {
    const created = await admin.call('PUT', '/clientApplications/many-secrets', { properties: { displayName: 'Many secrets', ownerId: '/users/fid-owner', productIds: ['/products/fidelity'] } });
    expect(created.status).toBe(201);
    const clientId = created.body.properties.entraApplicationId as string;
    const objectId = (await graph.applicationByAppId(clientId))!.id;
    // A secret added through Graph is the owner's: the management plane never removes it.
    const own = await graph.call('POST', `/applications/${objectId}/addPassword`, { passwordCredential: { displayName: 'added through Graph' } });
    expect(own.status).toBe(200);
    const minted: string[] = [];
    for (let i = 0; i < 52; i++) {
      const response = await admin.call('POST', '/clientApplications/many-secrets/listSecrets');
      expect(response.status).toBe(200);
      expect(response.body.entra.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
      minted.push(response.body.entra.clientSecret as string);
    }
    const passwords = (await graph.call('GET', `/applications/${objectId}`)).body.passwordCredentials as { keyId: string; displayName: string }[];
    expect(passwords).toHaveLength(50);
    expect(passwords.filter((p) => p.displayName === 'added through Graph').map((p) => p.keyId)).toEqual([own.body.keyId]);
    // 1 own + 52 minted > 50: the three oldest minted ones are gone, the newest work.
    for (const gone of minted.slice(0, 3)) expect(await tokenWith(clientId, gone)).toBe(401);
    for (const kept of [minted[3]!, minted[51]!]) expect(await tokenWith(clientId, kept)).toBe(200);
    expect(await tokenWith(clientId, own.body.secretText)).toBe(200);
  });

  test('a client application carries only the spec properties; productIds is accepted on PUT and read back as productLinks', async () => {
    const created = await admin.call('PUT', '/clientApplications/spec-shape', { properties: { displayName: 'Spec shape', ownerId: '/users/fid-owner', productIds: ['/products/fidelity'] } });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body.properties).sort()).toEqual(['displayName', 'entraApplicationId', 'entraTenantId', 'ownerId', 'state']);
    const links = await admin.call('GET', '/clientApplications/spec-shape/productLinks');
    expect(links.body.value.map((l: { properties: { productId: string } }) => l.properties.productId)).toEqual([`${serviceId(portico)}/products/fidelity`]);
    const described = await admin.call('PUT', '/clientApplications/spec-shape', { properties: { displayName: 'Spec shape', description: 'Now described' } });
    expect(Object.keys(described.body.properties).sort()).toEqual(['description', 'displayName', 'entraApplicationId', 'entraTenantId', 'ownerId', 'state']);
  });

  test('If-Match is required on product PATCH and DELETE: missing is a ValidationError, stale is 412', async () => {
    expect((await admin.call('PUT', '/products/etag-check', { properties: { displayName: 'ETag check' } })).status).toBe(201);
    const required = {
      error: {
        code: 'ValidationError',
        message: 'One or more fields contain incorrect values:',
        details: [{ code: 'ValidationError', target: 'If-Match', message: 'If-Match header is required: send the ETag from a GET of the resource, or * to change whatever version is current.' }],
      },
    };
    const patch = await admin.call('PATCH', '/products/etag-check', { properties: { description: 'x' } }, { 'if-match': undefined });
    expect(patch.status).toBe(400);
    expect(patch.body).toEqual(required);
    const remove = await admin.call('DELETE', '/products/etag-check', undefined, { 'if-match': undefined });
    expect(remove.status).toBe(400);
    expect(remove.body).toEqual(required);

    const current = await admin.call('GET', '/products/etag-check');
    const etag = current.headers.get('etag')!;
    const changed = await admin.call('PATCH', '/products/etag-check', { properties: { description: 'changed' } }, { 'if-match': etag });
    expect(changed.status).toBe(200);
    const stale = await admin.call('DELETE', '/products/etag-check', undefined, { 'if-match': etag });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe('PreconditionFailed');
    expect((await admin.call('DELETE', '/products/etag-check', undefined, { 'if-match': changed.headers.get('etag')! })).status).toBe(200);
  });

  test('If-Match is required where the spec requires it (APIs, operations, users, subscriptions, a product policy): missing is a ValidationError, stale is 412; client applications and links take none', async () => {
    const required = {
      error: {
        code: 'ValidationError',
        message: 'One or more fields contain incorrect values:',
        details: [{ code: 'ValidationError', target: 'If-Match', message: 'If-Match header is required: send the ETag from a GET of the resource, or * to change whatever version is current.' }],
      },
    };
    expect((await admin.call('PUT', '/apis/im-api', { properties: { displayName: 'IM', path: 'im' } })).status).toBe(201);
    expect((await admin.call('PUT', '/apis/im-api/operations/get', { properties: { displayName: 'Get', method: 'GET', urlTemplate: '/' } })).status).toBe(201);
    expect((await admin.call('PUT', '/users/im-user', { properties: { email: 'im@example.com', firstName: 'I', lastName: 'M' } })).status).toBe(201);
    expect((await admin.call('PUT', '/subscriptions/im-sub', { properties: { displayName: 'IM', scope: '/apis' } })).status).toBe(201);
    expect((await admin.call('PUT', '/products/im-prod', { properties: { displayName: 'IM' } })).status).toBe(201);
    const policy = '<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>';
    expect((await admin.call('PUT', '/products/im-prod/policies/policy', { properties: { value: policy } })).status).toBe(201);
    const writes: [string, string, unknown][] = [
      ['PATCH', '/apis/im-api', { properties: { description: 'x' } }],
      ['DELETE', '/apis/im-api/operations/get', undefined],
      ['PATCH', '/users/im-user', { properties: { note: 'x' } }],
      ['PATCH', '/subscriptions/im-sub', { properties: { stateComment: 'x' } }],
      ['DELETE', '/products/im-prod/policies/policy', undefined],
      ['DELETE', '/subscriptions/im-sub', undefined],
      ['DELETE', '/users/im-user', undefined],
      ['DELETE', '/apis/im-api', undefined],
    ];
    for (const [method, path, body] of writes) {
      const missing = await admin.call(method, path, body, { 'if-match': undefined });
      expect([method, path, missing.status]).toEqual([method, path, 400]);
      expect(missing.body).toEqual(required);
      const stale = await admin.call(method, path, body, { 'if-match': '"stale"' });
      expect([method, path, stale.status]).toEqual([method, path, 412]);
      expect(stale.body.error.code).toBe('PreconditionFailed');
      const current = (await admin.call('GET', path)).headers.get('etag')!;
      expect((await admin.call(method, path, body, { 'if-match': current })).status).toBe(200);
    }
    // The spec's ClientApplication_Delete and productLink operations declare no If-Match.
    expect((await admin.call('PUT', '/clientApplications/im-app', { properties: { displayName: 'IM app', ownerId: '/users/fid-owner' } })).status).toBe(201);
    expect((await admin.call('DELETE', '/clientApplications/im-app', undefined, { 'if-match': undefined })).status).toBe(200);
  });

  test("dates are ARM's: seven fractional digits (registrationDate, createdDate, expirationDate)", async () => {
    const user = await admin.call('GET', '/users/fid-owner');
    expect(user.body.properties.registrationDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
    const sub = await admin.call('PUT', '/subscriptions/dated', { properties: { displayName: 'Dated', scope: '/apis', expirationDate: '2026-11-30T08:00:00.123Z' } });
    expect(sub.status).toBe(201);
    expect(sub.body.properties.createdDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
    expect(sub.body.properties.expirationDate).toBe('2026-11-30T08:00:00.1230000Z');
    // What a GET answers can be PUT back as is (seven digits are read as the same instant).
    const again = await admin.call('PUT', '/subscriptions/dated', { properties: { displayName: 'Dated', scope: '/apis', expirationDate: sub.body.properties.expirationDate } });
    expect(again.status).toBe(200);
    expect(again.body.properties.expirationDate).toBe('2026-11-30T08:00:00.1230000Z');
    expect(again.headers.get('etag')).toBe(sub.headers.get('etag'));
  });

  test('rules a schema can say are in the schema, answered in ARM\'s shape: a date\'s form, an application id\'s form, a query\'s enum', async () => {
    const shape = (target: string, message: string) => ({ error: { code: 'ValidationError', message: 'One or more fields contain incorrect values:', details: [{ code: 'ValidationError', target, message }] } });
    const date = await admin.call('PUT', '/subscriptions/bad-date', { properties: { displayName: 'Bad', scope: '/apis', expirationDate: 'next tuesday' } });
    expect(date.status).toBe(400);
    expect(date.body).toEqual(shape('expirationDate', 'expirationDate must be an ISO 8601 date or date-time, e.g. 2027-01-31T00:00:00Z.'));
    const app = await admin.call('PUT', '/products/bad-app', { properties: { displayName: 'Bad', application: { entra: { applicationId: 'not-a-guid' } } } });
    expect(app.status).toBe(400);
    expect(app.body).toEqual(shape('application.entra.applicationId', "application.entra.applicationId must be the application (client) id of an Entra application, a GUID like '5555aaaa-…'."));
    const format = await admin.call('GET', '/products/starter/policies/policy?format=rawxml-link');
    expect(format.status).toBe(400);
    expect(format.body).toEqual(shape('format', 'format must be one of: xml, rawxml.'));
    const deleteFlag = await admin.call('DELETE', '/products/nope?deleteSubscriptions=yes');
    expect(deleteFlag.status).toBe(400);
    expect(deleteFlag.body).toEqual(shape('deleteSubscriptions', 'deleteSubscriptions must be one of: true, false.'));
  });

  test("404 messages are Azure's: '<Resource> not found.'", async () => {
    const cases: [string, string][] = [
      ['/products/nope', 'Product not found.'],
      ['/apis/nope', 'Api not found.'],
      ['/apis/echo-api/operations/nope', 'Operation not found.'],
      ['/users/nope', 'User not found.'],
      ['/groups/nope', 'Group not found.'],
      ['/subscriptions/nope', 'Subscription not found.'],
      ['/clientApplications/nope', 'ClientApplication not found.'],
      ['/clientApplications/spec-shape/productLinks/nope', 'ClientApplicationProductLink not found.'],
      ['/products/fidelity/policies/policy', 'Policy not found.'],
    ];
    for (const [path, message] of cases) {
      const response = await admin.call('GET', path);
      expect(response.status, path).toBe(404);
      expect(response.body, path).toEqual({ error: { code: 'ResourceNotFound', message, details: null } });
    }
  });

  test('unset properties are left out, not null', async () => {
    const product = await admin.call('PUT', '/products/sparse', { properties: { displayName: 'Sparse' } });
    expect(product.body.properties).toEqual({ displayName: 'Sparse', subscriptionRequired: true, approvalRequired: false, state: 'notPublished', authenticationType: [] });
    expect(JSON.stringify((await admin.call('GET', '/users/fid-owner')).body)).not.toContain('null');
  });

  test('application.entra on PUT: bring your own backend app (it must exist; the role is created on it), and an exported product PUTs back unchanged', async () => {
    // An application that exists in the directory independently of any product (here one registered as a client application).
    const own = await admin.call('PUT', '/clientApplications/my-backend', { properties: { displayName: 'My backend', ownerId: '/users/fid-owner' } });
    expect(own.status).toBe(201);
    const ownAppId = own.body.properties.entraApplicationId as string;

    const missing = await admin.call('PUT', '/products/byo', { properties: { displayName: 'BYO', authenticationType: ['application-token'], application: { entra: { applicationId: '00000000-0000-0000-0000-000000000001' } } } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual([
      { code: 'ValidationError', target: 'application.entra.applicationId', message: "application.entra.applicationId must name an application in this directory; '00000000-0000-0000-0000-000000000001' does not." },
    ]);

    const created = await admin.call('PUT', '/products/byo', {
      properties: { displayName: 'BYO', state: 'published', authenticationType: ['application-token'], application: { entra: { applicationId: ownAppId, audience: `api://${ownAppId}` } } },
    });
    expect(created.status).toBe(201);
    expect(created.body.properties.application).toEqual({ entra: { applicationId: ownAppId, audience: `api://${ownAppId}` } });
    const backend = await graph.applicationByAppId(ownAppId);
    expect(backend!.displayName).toBe('APIMApplicationMybackend');
    expect(backend!.appRoles.map((r) => r.value)).toEqual(['Product.BYO.All']);
    expect(await graph.servicePrincipalByAppId(ownAppId)).toBeDefined();
    expect(await graph.applicationsNamed('APIMProductApplicationBYO')).toEqual([]);

    // A client linked to it gets a token for the app's audience.
    const client = await admin.call('PUT', '/clientApplications/byo-client', { properties: { displayName: 'BYO client', ownerId: '/users/fid-owner', productIds: ['/products/byo'] } });
    expect(client.status).toBe(201);
    const secret = (await admin.call('POST', '/clientApplications/byo-client/listSecrets')).body.entra.clientSecret as string;
    const token = await clientCredentialsToken(portico.identityUrl, portico.credentials.tenantId, client.body.properties.entraApplicationId, secret, `api://${ownAppId}/.default`);
    expect(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).roles).toEqual(['Product.BYO.All']);

    // Export → PUT back: unchanged, same ETag.
    const exported = await admin.call('GET', '/products/byo');
    const again = await admin.call('PUT', '/products/byo', exported.body, { 'if-match': exported.headers.get('etag')! });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(exported.body);
    expect(again.headers.get('etag')).toBe(exported.headers.get('etag'));
    const other = await admin.call('PATCH', '/products/byo', { properties: { application: { entra: { applicationId: audience } } } });
    expect(other.status).toBe(400);
    expect(other.body.error.details[0].target).toBe('application.entra.applicationId');

    // Deleting the product leaves the application the caller brought.
    expect((await admin.call('DELETE', '/clientApplications/byo-client')).status).toBe(200);
    expect((await admin.call('DELETE', '/products/byo')).status).toBe(200);
    expect(await graph.applicationByAppId(ownAppId)).toBeDefined();
  });
});
