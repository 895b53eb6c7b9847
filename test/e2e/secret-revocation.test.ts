/** A leaked client secret can be revoked; a lost credentials.json is reissued and the old admin secret dies. */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { ManagementClient, clientCredentialsToken, requestToken } from '../helpers/clients.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';

let database: TestDatabase;
let portico: Booted;

beforeAll(async () => {
  database = await createTestDatabase('sqlite');
  portico = await bootPortico({ dataDir: database.dataDir });
});
afterAll(async () => {
  await portico?.running.stop();
  await database?.drop();
});

test('Graph addPassword and removePassword: a revoked secret gets no more tokens, others still do', async () => {
  const admin = new ManagementClient(portico.credentials);
  const { credentials, identityUrl } = portico;
  const audience = (await admin.call('PATCH', '/products/starter', { properties: { authenticationType: ['application-token'] } })).body.properties.application.entra.audience;
  await admin.call('PUT', '/users/erin', { properties: { email: 'erin@example.com', firstName: 'Erin', lastName: 'Example' } });
  const clientId = (await admin.call('PUT', '/clientApplications/erin-app', { properties: { displayName: 'Erin app', ownerId: '/users/erin', productIds: ['/products/starter'] } })).body.properties.entraApplicationId;
  const leaked = (await admin.call('POST', '/clientApplications/erin-app/listSecrets')).body.entra.clientSecret as string;

  const graphToken = await clientCredentialsToken(identityUrl, credentials.tenantId, credentials.admin.clientId, credentials.admin.clientSecret, 'https://graph.microsoft.com/.default');
  const graph = (method: string, path: string, body?: unknown) =>
    fetch(`${identityUrl}/v1.0${path}`, { method, headers: { authorization: `Bearer ${graphToken}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const application = ((await (await graph('GET', `/applications?$filter=appId eq '${clientId}'`)).json()) as { value: { id: string; passwordCredentials: { keyId: string }[] }[] }).value[0]!;
  const added = await graph('POST', `/applications/${application.id}/addPassword`, { passwordCredential: { displayName: 'rotation' } });
  expect(added.status).toBe(200);
  const fresh = (await added.json()) as { secretText: string; keyId: string; displayName: string };
  expect(fresh.displayName).toBe('rotation');

  const removed = await graph('POST', `/applications/${application.id}/removePassword`, { keyId: application.passwordCredentials[0]!.keyId });
  expect(removed.status).toBe(204);
  const refused = await requestToken(identityUrl, credentials.tenantId, { grant_type: 'client_credentials', client_id: clientId, client_secret: leaked, scope: `api://${audience}/.default` });
  expect(refused.status).toBe(401);
  expect(refused.body.error_codes).toEqual([7000215]);
  await clientCredentialsToken(identityUrl, credentials.tenantId, clientId, fresh.secretText, `api://${audience}/.default`);
  const badBody = await graph('POST', `/applications/${application.id}/removePassword`, { nope: true });
  expect(badBody.status).toBe(400);
});

test('a lost credentials.json is written again with a new admin secret, and the old one stops working', async () => {
  const old = portico.credentials;
  await portico.running.stop();
  await rm(portico.credentialsPath);
  portico = await bootPortico({ dataDir: database.dataDir });
  expect(portico.credentials.admin.clientId).toBe(old.admin.clientId);
  expect(portico.credentials.admin.clientSecret).not.toBe(old.admin.clientSecret);
  expect(portico.credentials.adminUser.password).not.toBe(old.adminUser.password);
  await clientCredentialsToken(portico.identityUrl, old.tenantId, old.admin.clientId, portico.credentials.admin.clientSecret, old.managementScope);
  const refused = await requestToken(portico.identityUrl, old.tenantId, { grant_type: 'client_credentials', client_id: old.admin.clientId, client_secret: old.admin.clientSecret, scope: old.managementScope });
  expect(refused.body.error_codes).toEqual([7000215]);
});

test('an Application Administrator cannot touch the credentials of an application that holds directory roles', async () => {
  const { credentials, identityUrl } = portico;
  const admin = new ManagementClient(credentials);
  await admin.call('PUT', '/users/mallory', { properties: { email: 'mallory@example.com', firstName: 'Mallory', lastName: 'Example' } });
  const appId = (await admin.call('PUT', '/clientApplications/mallory-app', { properties: { displayName: 'Mallory app', ownerId: '/users/mallory' } })).body.properties.entraApplicationId;
  const secret = (await admin.call('POST', '/clientApplications/mallory-app/listSecrets')).body.entra.clientSecret as string;
  const graphAs = async (clientId: string, clientSecret: string) => {
    const token = await clientCredentialsToken(identityUrl, credentials.tenantId, clientId, clientSecret, 'https://graph.microsoft.com/.default');
    return (method: string, path: string, body?: unknown) =>
      fetch(`${identityUrl}/v1.0${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  };
  const asAdmin = await graphAs(credentials.admin.clientId, credentials.admin.clientSecret);
  const principal = ((await (await asAdmin('GET', `/servicePrincipals?$filter=appId eq '${appId}'`)).json()) as { value: { id: string }[] }).value[0]!;
  const granted = await asAdmin('POST', '/roleManagement/directory/roleAssignments', { principalId: principal.id, roleDefinitionId: '158c047a-c907-4556-b7ef-446551a6b5f7', directoryScopeId: '/' });
  expect(granted.status).toBe(201);

  const asMallory = await graphAs(appId, secret);
  const adminApp = ((await (await asMallory('GET', `/applications?$filter=appId eq '${credentials.admin.clientId}'`)).json()) as { value: { id: string }[] }).value[0]!;
  const stolen = await asMallory('POST', `/applications/${adminApp.id}/addPassword`, { passwordCredential: { displayName: 'mine now' } });
  expect(stolen.status).toBe(403);
  expect(((await stolen.json()) as { error: { code: string } }).error.code).toBe('Authorization_RequestDenied');
  expect((await asMallory('POST', `/applications/${adminApp.id}/removePassword`, { keyId: '00000000-0000-4000-8000-000000000000' })).status).toBe(403);
  // An ordinary application is still hers to manage.
  const erin = ((await (await asMallory('GET', `/applications?$filter=displayName eq 'APIMApplicationStarter'`)).json()) as { value: { id: string }[] }).value[0]!;
  expect((await asMallory('POST', `/applications/${erin.id}/addPassword`, { passwordCredential: { displayName: 'ok' } })).status).toBe(200);
});

test('addPassword refuses bodies it would otherwise half ignore', async () => {
  const { credentials, identityUrl } = portico;
  const token = await clientCredentialsToken(identityUrl, credentials.tenantId, credentials.admin.clientId, credentials.admin.clientSecret, 'https://graph.microsoft.com/.default');
  const post = (path: string, body: string) =>
    fetch(`${identityUrl}/v1.0${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
  const app = ((await (await fetch(`${identityUrl}/v1.0/applications?$filter=displayName eq 'APIMApplicationStarter'`, { headers: { authorization: `Bearer ${token}` } })).json()) as { value: { id: string }[] }).value[0]!;
  const withExpiry = await post(`/applications/${app.id}/addPassword`, JSON.stringify({ passwordCredential: { displayName: 'x', endDateTime: '2030-01-01T00:00:00Z' } }));
  expect(withExpiry.status).toBe(400);
  expect(((await withExpiry.json()) as { error: { message: string } }).error.message).toBe('passwordCredential may only set displayName; remove endDateTime.');
  expect((await post(`/applications/${app.id}/addPassword`, '[1]')).status).toBe(400);
  expect((await post(`/applications/${app.id}/removePassword`, 'null')).status).toBe(400);
});

test('an application holds at most 50 client secrets: Graph refuses the 51st, listSecrets makes room by removing its oldest', async () => {
  const admin = new ManagementClient(portico.credentials);
  const { identityUrl, credentials } = portico;
  await admin.call('PUT', '/users/sam', { properties: { email: 'sam@example.com', firstName: 'Sam', lastName: 'Example' } });
  const clientId = (await admin.call('PUT', '/clientApplications/sam-app', { properties: { displayName: 'Sam app', ownerId: '/users/sam' } })).body.properties.entraApplicationId as string;
  for (let i = 0; i < 50; i++) expect((await admin.call('POST', '/clientApplications/sam-app/listSecrets')).status).toBe(200);
  const graphToken = await clientCredentialsToken(identityUrl, credentials.tenantId, credentials.admin.clientId, credentials.admin.clientSecret, 'https://graph.microsoft.com/.default');
  const graph = (method: string, path: string, body?: unknown) =>
    fetch(`${identityUrl}/v1.0${path}`, { method, headers: { authorization: `Bearer ${graphToken}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const application = ((await (await graph('GET', `/applications?$filter=appId eq '${clientId}'`)).json()) as { value: { id: string }[] }).value[0]!;
  const refused = await graph('POST', `/applications/${application.id}/addPassword`, { passwordCredential: { displayName: 'one too many' } });
  expect(refused.status).toBe(400);
  expect(((await refused.json()) as { error: { message: string } }).error.message).toBe('The application already has 50 client secrets, the most it may have. Remove unused ones (removePassword) first.');
  expect((await admin.call('POST', '/clientApplications/sam-app/listSecrets')).status).toBe(200);
});

test('the token request right after a write sees it: unlinking a product, deleting an application', async () => {
  const admin = new ManagementClient(portico.credentials);
  const { credentials, identityUrl } = portico;
  const gold = await admin.call('PUT', '/products/gold-now', { properties: { displayName: 'Gold now', authenticationType: ['application-token'] } });
  const audience = gold.body.properties.application.entra.audience as string;
  await admin.call('PUT', '/users/nora', { properties: { email: 'nora@example.com', firstName: 'Nora', lastName: 'Example' } });
  const properties = { displayName: 'Nora app', ownerId: '/users/nora', productIds: ['/products/gold-now'] };
  const clientId = (await admin.call('PUT', '/clientApplications/nora-app', { properties })).body.properties.entraApplicationId as string;
  const secret = (await admin.call('POST', '/clientApplications/nora-app/listSecrets')).body.entra.clientSecret as string;
  const ask = () => requestToken(identityUrl, credentials.tenantId, { grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: `api://${audience}/.default` });

  expect((await ask()).status).toBe(200);
  const unlinked = await admin.call('PUT', '/clientApplications/nora-app', { properties: { ...properties, productIds: [] } });
  expect(unlinked.status).toBe(200);
  const refused = await ask();
  expect(refused.status).toBe(400);
  expect(refused.body.error_codes).toEqual([501051]);

  expect((await admin.call('PUT', '/clientApplications/nora-app', { properties })).status).toBe(200);
  expect((await ask()).status).toBe(200);
  expect((await admin.call('DELETE', '/clientApplications/nora-app')).status).toBe(200);
  const gone = await ask();
  expect(gone.status).toBe(400);
  expect(gone.body.error_codes).toEqual([700016]);
});
