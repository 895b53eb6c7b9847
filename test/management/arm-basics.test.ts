/**
 * ARM conventions of the management listener as Azure tooling meets them (azure-tooling.md §3):
 * api-version, path matching, /subscriptions and /metadata/endpoints, authentication and
 * authorization errors, request bodies.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { bootOn, type Booted } from '../helpers/boot.js';
import { clientCredentialsToken, ManagementClient } from '../helpers/clients.js';
import { GRAPH_SCOPE, putUser, raw, serviceUrl, tokenProduct } from './harness.js';

const TOOLING_API_VERSIONS = ['2019-11-01', '2021-08-01', '2022-08-01', '2024-05-01', '2025-03-01-preview'];

describeEachDialect('management API: ARM basics', (dialect) => {
  let portico: Booted;
  let admin: ManagementClient;
  let token: string;

  beforeAll(async () => {
    portico = await bootOn(dialect);
    admin = new ManagementClient(portico.credentials);
    token = await admin.bearer();
  });
  afterAll(async () => {
    await portico?.stop();
  });

  test('a request without api-version is refused with 400 MissingApiVersionParameter', async () => {
    const response = await raw(serviceUrl(portico, '/products'), { token });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: { code: 'MissingApiVersionParameter', message: 'The api-version query parameter (?api-version=) is required for all requests.' },
    });
    const empty = await raw(`${serviceUrl(portico, '/products')}?api-version=`, { token });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('MissingApiVersionParameter');
  });

  test('an unsupported api-version is refused with 400 InvalidApiVersionParameter listing the supported ones', async () => {
    const response = await raw(serviceUrl(portico, '/products', '2000-01-01'), { token });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('InvalidApiVersionParameter');
    expect(response.body.error.message).toMatch(/^The api-version '2000-01-01' is invalid\. The supported versions are '[^']*2022-08-01[^']*'\.$/);
    for (const version of TOOLING_API_VERSIONS) expect(response.body.error.message).toContain(version);
  });

  test('api-version given twice: the same value is accepted, different values are refused', async () => {
    const same = await raw(`${serviceUrl(portico, '/products/starter', '2022-08-01')}&api-version=2022-08-01`, { token });
    expect(same.status).toBe(200);
    const different = await raw(`${serviceUrl(portico, '/products/starter', '2022-08-01')}&api-version=2024-05-01`, { token });
    expect(different.status).toBe(400);
    expect(different.body).toEqual({
      error: { code: 'InvalidApiVersionParameter', message: "The api-version query parameter was given different values ('2022-08-01', '2024-05-01'); send exactly one." },
    });
  });

  test.each(TOOLING_API_VERSIONS)('api-version %s (used by Azure tooling) is accepted', async (version) => {
    const response = await raw(serviceUrl(portico, '/products/starter', version), { token });
    expect(response.status).toBe(200);
    expect(response.body.name).toBe('starter');
    const subscriptions = await raw(`${portico.managementUrl}/subscriptions?api-version=${version}`, { token });
    expect(subscriptions.status).toBe(200);
  });

  test('a wrong subscription, resource group or service name in the path is 404 ResourceNotFound', async () => {
    const c = portico.credentials;
    const paths = [
      `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${c.resourceGroup}/providers/Microsoft.ApiManagement/service/${c.serviceName}`,
      `/subscriptions/${c.subscriptionId}/resourceGroups/other-rg/providers/Microsoft.ApiManagement/service/${c.serviceName}`,
      `/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/Microsoft.ApiManagement/service/other-svc`,
    ];
    for (const path of paths) {
      for (const suffix of ['', '/products', '/products/starter']) {
        const response = await raw(`${portico.managementUrl}${path}${suffix}?api-version=2022-08-01`, { token });
        expect(response.status).toBe(404);
        expect(response.body.error.code).toBe('ResourceNotFound');
        expect(response.body.error.message).toContain(`This Portico instance serves /subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/Microsoft.ApiManagement/service/${c.serviceName}.`);
      }
    }
    const subscription = await raw(`${portico.managementUrl}/subscriptions/00000000-0000-0000-0000-000000000000?api-version=2022-08-01`, { token });
    expect(subscription.status).toBe(404);
    expect(subscription.body).toEqual({ error: { code: 'ResourceNotFound', message: "Subscription '00000000-0000-0000-0000-000000000000' was not found." } });
  });

  test('the fixed path segments and the service identifiers are matched case-insensitively', async () => {
    const c = portico.credentials;
    const url = `${portico.managementUrl}/SUBSCRIPTIONS/${c.subscriptionId.toUpperCase()}/resourcegroups/${c.resourceGroup.toUpperCase()}/PROVIDERS/microsoft.apimanagement/SERVICE/${c.serviceName.toUpperCase()}/PRODUCTS/starter?api-version=2022-08-01`;
    const response = await raw(url, { token });
    expect(response.status).toBe(200);
    // The id is the canonical one, whatever case the caller used.
    expect(response.body.id).toBe(`/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/Microsoft.ApiManagement/service/${c.serviceName}/products/starter`);
  });

  test('a doubled leading slash works (the Azure CLI sends //subscriptions/… and //metadata/endpoints)', async () => {
    const url = serviceUrl(portico, '/products/starter', '2021-08-01').replace(portico.managementUrl, `${portico.managementUrl}/`);
    expect(url).toContain('//subscriptions/');
    const response = await raw(url, { token });
    expect(response.status).toBe(200);
    expect(response.body.name).toBe('starter');
    const list = await raw(`${portico.managementUrl}//subscriptions?api-version=2019-11-01`, { token });
    expect(list.status).toBe(200);
    expect(list.body.value).toHaveLength(1);
  });

  test('GET /subscriptions answers the one subscription the way az login needs it', async () => {
    const c = portico.credentials;
    const response = await raw(`${portico.managementUrl}/subscriptions?api-version=2019-11-01`, { token, headers: { commandname: 'login', 'x-ms-client-request-id': 'abc' } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      value: [{ id: `/subscriptions/${c.subscriptionId}`, subscriptionId: c.subscriptionId, tenantId: c.tenantId, displayName: 'Portico', state: 'Enabled' }],
    });
    const one = await raw(`${portico.managementUrl}/subscriptions/${c.subscriptionId}?api-version=2019-11-01`, { token });
    expect(one.status).toBe(200);
    expect(one.body).toEqual(response.body.value[0]);
    const anonymous = await raw(`${portico.managementUrl}/subscriptions?api-version=2019-11-01`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('AuthenticationFailed');
  });

  test('GET /metadata/endpoints answers without authentication, with the ADFS login endpoint and the management audience', async () => {
    for (const url of [`${portico.managementUrl}//metadata/endpoints?api-version=2015-01-01`, `${portico.managementUrl}/metadata/endpoints`]) {
      const response = await raw(url);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        galleryEndpoint: `${portico.managementUrl}/`,
        graphEndpoint: `${portico.identityUrl}/`,
        portalEndpoint: `${portico.managementUrl}/`,
        authentication: { loginEndpoint: `${portico.identityUrl}/adfs`, audiences: ['https://management.portico.local/'] },
      });
    }
  });

  test('an unknown route is 404 with an ARM error body', async () => {
    const response = await raw(serviceUrl(portico, '/widgets', '2022-08-01'), { token });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.body).toEqual({
      error: { code: 'NotFound', message: `No management API route matches GET ${serviceUrl(portico, '/widgets').slice(portico.managementUrl.length)}.` },
    });
    const outside = await raw(`${portico.managementUrl}/nothing/here?api-version=2022-08-01`);
    expect(outside.status).toBe(404);
    expect(outside.body).toEqual({ error: { code: 'NotFound', message: 'No management API route matches GET /nothing/here.' } });
  });

  test('no token is 401 AuthenticationFailed with WWW-Authenticate', async () => {
    const response = await raw(serviceUrl(portico, '/products', '2022-08-01'));
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: { code: 'AuthenticationFailed', message: "Authentication failed. The 'Authorization' header is missing." } });
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer authorization_uri="${portico.identityUrl}/${portico.credentials.tenantId}", error="invalid_token", error_description="Authentication failed. The 'Authorization' header is missing."`,
    );
    // Authentication comes before anything else: no api-version and a wrong service still say 401.
    const bare = await raw(`${portico.managementUrl}/subscriptions/x/resourceGroups/y/providers/Microsoft.ApiManagement/service/z/products`);
    expect(bare.status).toBe(401);
  });

  test('a garbage, non-Bearer or wrong-audience token is 401 AuthenticationFailed', async () => {
    const garbage = await raw(serviceUrl(portico, '/products', '2022-08-01'), { token: 'abc.def.ghi' });
    expect(garbage.status).toBe(401);
    expect(garbage.body).toEqual({
      error: { code: 'AuthenticationFailed', message: 'Authentication failed. The access token is invalid, expired, or not issued for the management resource.' },
    });
    expect(garbage.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);

    const basic = await raw(serviceUrl(portico, '/products', '2022-08-01'), { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } });
    expect(basic.status).toBe(401);
    expect(basic.body).toEqual({ error: { code: 'AuthenticationFailed', message: "Authentication failed. The 'Authorization' header is not in the 'Bearer <token>' format." } });

    const c = portico.credentials;
    const graphToken = await clientCredentialsToken(c.identityUrl, c.tenantId, c.admin.clientId, c.admin.clientSecret, GRAPH_SCOPE);
    const wrongAudience = await raw(serviceUrl(portico, '/products', '2022-08-01'), { token: graphToken });
    expect(wrongAudience.status).toBe(401);
    expect(wrongAudience.body.error.code).toBe('AuthenticationFailed');
  });

  test('the management scope with and without the trailing slash (X/.default, X//.default) both work', async () => {
    const c = portico.credentials;
    for (const scope of ['https://management.portico.local/.default', 'https://management.portico.local//.default']) {
      const t = await clientCredentialsToken(c.identityUrl, c.tenantId, c.admin.clientId, c.admin.clientSecret, scope);
      expect((await raw(serviceUrl(portico, '/products/starter', '2022-08-01'), { token: t })).status).toBe(200);
    }
  });

  test('a token of an application without the management role is 403 AuthorizationFailed, for reads and writes', async () => {
    await tokenProduct(admin, 'basics-gold', 'Basics Gold');
    await putUser(admin, 'basics-user');
    const app = await admin.call('PUT', '/clientApplications/basics-app', { properties: { displayName: 'Basics app', ownerId: '/users/basics-user', productIds: ['/products/basics-gold'] } });
    expect(app.status).toBe(201);
    const secret = await admin.call('POST', '/clientApplications/basics-app/listSecrets');
    const c = portico.credentials;
    const appId = app.body.properties.entraApplicationId as string;
    const appToken = await clientCredentialsToken(c.identityUrl, c.tenantId, appId, secret.body.entra.clientSecret, c.managementScope);

    const read = await raw(serviceUrl(portico, '/products', '2022-08-01'), { token: appToken });
    expect(read.status).toBe(403);
    expect(read.body.error.code).toBe('AuthorizationFailed');
    expect(read.body.error.message).toContain(`The client '${appId}'`);
    expect(read.body.error.message).toContain("'Service.Reader' or 'Service.Contributor'");
    const write = await raw(serviceUrl(portico, '/products/x', '2022-08-01'), { method: 'PUT', token: appToken, body: { properties: { displayName: 'X' } } });
    expect(write.status).toBe(403);
    expect(write.body.error.message).toContain("needs the 'Service.Contributor' app role");
    expect((await admin.call('GET', '/products/x')).status).toBe(404);
  });

  test('a body that is not JSON gets a clear 400 or 415', async () => {
    const url = serviceUrl(portico, '/products/body-test', '2022-08-01');
    const text = await raw(url, { method: 'PUT', token, headers: { 'content-type': 'text/plain' }, body: 'displayName=x' });
    expect(text.status).toBe(415);
    expect(text.body).toEqual({ error: { code: 'UnsupportedMediaType', message: "Send the request body as JSON with 'Content-Type: application/json'.", details: null } });
    const form = await raw(url, { method: 'PUT', token, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'displayName=x' });
    expect(form.status).toBe(415);
    expect(form.body.error.code).toBe('UnsupportedMediaType');

    const broken = await raw(url, { method: 'PUT', token, headers: { 'content-type': 'application/json' }, body: '{"properties": {' });
    expect(broken.status).toBe(400);
    expect(broken.body).toEqual({ error: { code: 'InvalidRequestContent', message: 'The request body is not valid JSON.', details: null } });
    const array = await raw(url, { method: 'PUT', token, headers: { 'content-type': 'application/json' }, body: '[1, 2]' });
    expect(array.status).toBe(400);
    expect(array.body).toEqual({ error: { code: 'InvalidRequestContent', message: 'The request body must be a JSON object like {"properties": {...}}.', details: null } });
    const missing = await raw(url, { method: 'PUT', token });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('InvalidRequestContent');
    const badProperties = await raw(url, { method: 'PUT', token, body: { properties: 'x' } });
    expect(badProperties.status).toBe(400);
    expect(badProperties.body).toEqual({ error: { code: 'InvalidRequestContent', message: "The request body's 'properties' must be a JSON object.", details: null } });
    // JSON with a charset parameter is still JSON.
    const charset = await raw(url, { method: 'PUT', token, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ properties: { displayName: 'Body test' } }) });
    expect(charset.status).toBe(201);
    expect((await admin.call('GET', '/products/body-test')).status).toBe(200);
  });

  test('a body over the limit is 413 PayloadTooLarge', async () => {
    const big = JSON.stringify({ properties: { displayName: 'x', description: 'y'.repeat(1_100_000) } });
    const response = await raw(serviceUrl(portico, '/products/too-big', '2022-08-01'), { method: 'PUT', token, headers: { 'content-type': 'application/json' }, body: big });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('PayloadTooLarge');
    expect(response.body.error.message).toContain('1048576 bytes');
    expect((await admin.call('GET', '/products/too-big')).status).toBe(404);
  });
});
