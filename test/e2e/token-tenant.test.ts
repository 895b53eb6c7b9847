/**
 * A token signed with Portico's own key, by its own issuer, but naming another tenant in `tid`, is
 * refused by every verifier: the gateway, the management API and the Graph-shaped API. The same
 * token with our tenant is accepted, so it is the `tid` that makes the difference.
 */
import { decodeJwt, SignJWT } from 'jose';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadInstanceKey } from '../../src/bootstrap/instance-key.js';
import { SigningKeys } from '../../src/identity/index.js';
import { openStore } from '../../src/store/index.js';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { API_VERSION, ManagementClient, clientCredentialsToken } from '../helpers/clients.js';

const OTHER_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
let portico: Booted;
let admin: ManagementClient;

beforeAll(async () => {
  portico = await bootPortico();
  admin = new ManagementClient(portico.credentials);
});
afterAll(async () => {
  await portico?.stop();
});

/** Re-signs a real token's claims with the instance's current signing key, with `tid` replaced. */
async function withTenant(token: string, tid: string): Promise<string> {
  const store = await openStore({ dataDir: portico.dataDir });
  try {
    const { box } = await loadInstanceKey(portico.dataDir, undefined);
    const keys = new SigningKeys({ store, secretBox: box, issuer: () => `${portico.identityUrl}/${portico.credentials.tenantId}/v2.0` });
    const signer = await keys.currentSigner();
    return await new SignJWT({ ...decodeJwt(token), tid }).setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: signer.kid }).sign(signer.key);
  } finally {
    await store.close();
  }
}

test('gateway, management and Graph refuse a token of our issuer and key for another tenant', async () => {
  const { credentials, identityUrl, gatewayUrl, managementUrl } = portico;
  const audience = (await admin.call('PATCH', '/products/starter', { properties: { authenticationType: ['application-token'] } }, { 'if-match': '*' })).body.properties.application.entra.audience as string;
  await admin.call('PUT', '/users/tia', { properties: { email: 'tia@example.com', firstName: 'Tia', lastName: 'Example' } });
  const app = await admin.call('PUT', '/clientApplications/tia-app', { properties: { displayName: 'Tia app', ownerId: '/users/tia', productIds: ['/products/starter'] } });
  const clientId = app.body.properties.entraApplicationId as string;
  const secret = (await admin.call('POST', '/clientApplications/tia-app/listSecrets')).body.entra.clientSecret as string;

  const gatewayToken = await clientCredentialsToken(identityUrl, credentials.tenantId, clientId, secret, `api://${audience}/.default`);
  const managementToken = await clientCredentialsToken(identityUrl, credentials.tenantId, credentials.admin.clientId, credentials.admin.clientSecret, credentials.managementScope);
  const graphToken = await clientCredentialsToken(identityUrl, credentials.tenantId, credentials.admin.clientId, credentials.admin.clientSecret, 'https://graph.microsoft.com/.default');

  const callGateway = (token: string) => fetch(`${gatewayUrl}/echo/resource?param1=sample`, { headers: { authorization: `Bearer ${token}` } });
  const callManagement = (token: string) => fetch(`${managementUrl}${admin.servicePath}/products?api-version=${API_VERSION}`, { headers: { authorization: `Bearer ${token}` } });
  const callGraph = (token: string) => fetch(`${identityUrl}/v1.0/applications?$top=1`, { headers: { authorization: `Bearer ${token}` } });

  // Re-signed with our tenant: accepted everywhere (the minting path is sound).
  expect((await callGateway(await withTenant(gatewayToken, credentials.tenantId))).status).toBe(200);
  expect((await callManagement(await withTenant(managementToken, credentials.tenantId))).status).toBe(200);
  expect((await callGraph(await withTenant(graphToken, credentials.tenantId))).status).toBe(200);

  const gateway = await callGateway(await withTenant(gatewayToken, OTHER_TENANT));
  expect(gateway.status).toBe(401);
  expect(await gateway.json()).toEqual({
    statusCode: 401,
    message: 'Access denied due to invalid access token. Make sure to provide a valid token for a client application that has access to this API.',
  });

  const management = await callManagement(await withTenant(managementToken, OTHER_TENANT));
  expect(management.status).toBe(401);
  expect(((await management.json()) as { error: { code: string } }).error.code).toBe('AuthenticationFailed');

  const graph = await callGraph(await withTenant(graphToken, OTHER_TENANT));
  expect(graph.status).toBe(401);
  const graphBody = (await graph.json()) as { error: { code: string; message: string } };
  expect(graphBody.error.code).toBe('InvalidAuthenticationToken');
  expect(graphBody.error.message).toBe('Access token validation failure. The token was issued for another tenant.');
});
