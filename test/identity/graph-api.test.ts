import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GRAPH_APP_ID, ROLE_IDS } from '../../src/identity/index.js';
import { describeEachDialect } from '../helpers/databases.js';
import { IdentityHarness, type TestClient } from './harness.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describeEachDialect('Graph-shaped directory API', (dialect) => {
  let h: IdentityHarness;
  let admin: { client: TestClient; token: string };
  let api: Awaited<ReturnType<IdentityHarness['createResource']>>;
  let consumer: TestClient;

  beforeAll(async () => {
    h = await IdentityHarness.start(dialect);
    admin = await h.graphCaller([ROLE_IDS.applicationAdministrator]);
    api = await h.createResource({ roles: ['Inventory.Read'], displayName: 'Inventory API', assignmentRequired: true });
    consumer = await h.createClient('Inventory Consumer');
    await h.system.grantAppRole({ principalId: consumer.sp.id, resourceId: api.sp.id, appRoleId: h.roleId(api.app, 'Inventory.Read') });
  });
  afterAll(async () => h?.stop());

  describe('authentication', () => {
    const expect401 = (result: Awaited<ReturnType<IdentityHarness['graph']>>, message: string) => {
      expect(result.status).toBe(401);
      expect(result.headers.get('www-authenticate')).toBe(`Bearer realm="", authorization_uri="${h.url}/${h.tenantId}/oauth2/v2.0/authorize", client_id="${GRAPH_APP_ID}"`);
      expect(result.body).toEqual({ error: { code: 'InvalidAuthenticationToken', message, innerError: { date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/), 'request-id': expect.stringMatching(GUID), 'client-request-id': expect.any(String) } } });
    };

    test('no token, a token for another audience, a forged or expired token → 401 InvalidAuthenticationToken', async () => {
      expect401(await h.graph('GET', '/applications', undefined), 'Access token is empty.');
      expect401(await h.graph('GET', '/applications', 'garbage'), 'Access token validation failure. The token is not a JWS compact serialization.');
      const otherAudience = await h.token(admin.client, `api://${api.app.appId}/.default`).catch(() => undefined);
      expect(otherAudience).toBeUndefined(); // assignment required: the admin has no role on it
      const open = await h.createResource();
      expect401(await h.graph('GET', '/applications', await h.token(admin.client, `${open.app.appId}/.default`)), 'Access token validation failure. Invalid audience.');

      const signer = await h.identity.keys.currentSigner();
      const now = Math.floor(Date.now() / 1000);
      const expired = await new SignJWT({ aud: GRAPH_APP_ID, iss: `${h.url}/${h.tenantId}/v2.0`, iat: now - 7200, nbf: now - 7200, exp: now - 3600, oid: admin.client.sp.id, tid: h.tenantId, azp: admin.client.app.appId })
        .setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: signer.kid }).sign(signer.key);
      expect401(await h.graph('GET', '/applications', expired), 'Lifetime validation failed, the token is expired.');
    });

    test('both Graph identifiers work as scope: https://graph.microsoft.com/.default and the appId', async () => {
      const byAppId = await h.token(admin.client, `${GRAPH_APP_ID}/.default`);
      expect((await h.graph('GET', '/applications', byAppId)).status).toBe(200);
    });
  });

  describe('permission checks match the DirectoryClient', () => {
    test('a caller without a directory role gets 403 Authorization_RequestDenied in Graph\'s shape', async () => {
      const nobody = await h.graphCaller([]);
      const result = await h.graph('GET', '/applications', nobody.token);
      expect(result.status).toBe(403);
      expect(result.body.error.code).toBe('Authorization_RequestDenied');
      expect(result.body.error.message).toMatch(/^Insufficient privileges to complete the operation\. The caller needs the Global Administrator, Application Administrator, Cloud Application Administrator, Privileged Role Administrator or Directory Readers directory role\.$/);
      expect(result.body.error.innerError['request-id']).toMatch(GUID);
    });

    test('an Application Administrator may not assign directory roles', async () => {
      const result = await h.graph('POST', '/roleManagement/directory/roleAssignments', admin.token, { principalId: consumer.sp.id, roleDefinitionId: ROLE_IDS.directoryReaders, directoryScopeId: '/' });
      expect(result.status).toBe(403);
      expect(result.body.error).toMatchObject({ code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation. The caller needs the Global Administrator or Privileged Role Administrator directory role.' });
    });
  });

  describe('applications and service principals', () => {
    test('GET /applications lists in Graph\'s shape, without secret hashes, and filters by appId and displayName', async () => {
      const { secretText } = await h.system.addPassword(api.app.id, { displayName: 'rotation' });
      const all = await h.graph('GET', '/applications', admin.token);
      expect(all.status).toBe(200);
      expect(all.body['@odata.context']).toBe(`${h.url}/v1.0/$metadata#applications`);
      expect(all.body.value.map((a: { appId: string }) => a.appId)).toContain(api.app.appId);
      expect(all.text).not.toContain(secretText);
      expect(all.text).not.toContain('secretHash');

      const filtered = await h.graph('GET', `/applications?$filter=${encodeURIComponent(`appId eq '${api.app.appId}'`)}`, admin.token);
      expect(filtered.body.value).toHaveLength(1);
      const app = filtered.body.value[0];
      expect(app).toMatchObject({
        id: api.app.id, appId: api.app.appId, displayName: 'Inventory API', description: null,
        identifierUris: [`api://${api.app.appId}`], requiredResourceAccess: [], api: { requestedAccessTokenVersion: 2 },
        createdDateTime: api.app.createdDateTime,
        appRoles: [{ id: h.roleId(api.app, 'Inventory.Read'), value: 'Inventory.Read', displayName: 'Inventory.Read', description: 'Role Inventory.Read', allowedMemberTypes: ['Application'], isEnabled: true, origin: 'Application' }],
      });
      expect(app.passwordCredentials).toEqual([{ customKeyIdentifier: null, displayName: 'rotation', endDateTime: expect.any(String), hint: secretText.slice(0, 3), keyId: expect.stringMatching(GUID), secretText: null, startDateTime: expect.any(String) }]);

      const byName = await h.graph('GET', `/applications?$filter=${encodeURIComponent("displayName eq 'Inventory Consumer'")}`, admin.token);
      expect(byName.body.value.map((a: { id: string }) => a.id)).toEqual([consumer.app.id]);
      const consumerJson = byName.body.value[0];
      expect(consumerJson.requiredResourceAccess).toEqual([{ resourceAppId: api.app.appId, resourceAccess: [{ id: h.roleId(api.app, 'Inventory.Read'), type: 'Role' }] }]);
    });

    test('GET /applications/{id}: 200, 404 Request_ResourceNotFound, 400 for a malformed id', async () => {
      const one = await h.graph('GET', `/applications/${api.app.id}`, admin.token);
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ '@odata.context': `${h.url}/v1.0/$metadata#applications/$entity`, id: api.app.id });
      const missing = await h.graph('GET', '/applications/00000000-0000-4000-8000-00000000abcd', admin.token);
      expect(missing.status).toBe(404);
      expect(missing.body.error).toMatchObject({ code: 'Request_ResourceNotFound', message: "Resource '00000000-0000-4000-8000-00000000abcd' does not exist or one of its queried reference-property objects are not present." });
      const malformed = await h.graph('GET', '/applications/xyz', admin.token);
      expect(malformed.status).toBe(400);
      expect(malformed.body.error).toMatchObject({ code: 'Request_BadRequest', message: "Invalid object identifier 'xyz'." });
    });

    test('an unsupported $filter is a 400', async () => {
      const result = await h.graph('GET', `/applications?$filter=${encodeURIComponent("startswith(displayName,'a')")}`, admin.token);
      expect(result.status).toBe(400);
      expect(result.body.error.code).toBe('Request_BadRequest');
      const property = await h.graph('GET', `/servicePrincipals?$filter=${encodeURIComponent("tags eq 'x'")}`, admin.token);
      expect(property.body.error.message).toBe("Unsupported or invalid query filter clause specified for property 'tags' of resource 'servicePrincipal'.");
    });

    test('service principals carry their app\'s roles; appRoleAssignments and appRoleAssignedTo show both sides', async () => {
      const list = await h.graph('GET', `/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${api.app.appId}'`)}`, admin.token);
      expect(list.body['@odata.context']).toBe(`${h.url}/v1.0/$metadata#servicePrincipals`);
      expect(list.body.value).toHaveLength(1);
      expect(list.body.value[0]).toMatchObject({
        id: api.sp.id, appId: api.app.appId, displayName: 'Inventory API', servicePrincipalType: 'Application',
        appRoleAssignmentRequired: true, accountEnabled: true, appRoles: [{ value: 'Inventory.Read' }],
      });
      expect((await h.graph('GET', `/servicePrincipals/${api.sp.id}`, admin.token)).body.id).toBe(api.sp.id);

      const expected = {
        id: expect.stringMatching(GUID), principalId: consumer.sp.id, principalDisplayName: 'Inventory Consumer', principalType: 'ServicePrincipal',
        resourceId: api.sp.id, resourceDisplayName: 'Inventory API', appRoleId: h.roleId(api.app, 'Inventory.Read'), createdDateTime: expect.any(String),
      };
      const assignedTo = await h.graph('GET', `/servicePrincipals/${api.sp.id}/appRoleAssignedTo`, admin.token);
      expect(assignedTo.body['@odata.context']).toBe(`${h.url}/v1.0/$metadata#servicePrincipals('${api.sp.id}')/appRoleAssignedTo`);
      expect(assignedTo.body.value).toEqual([expect.objectContaining(expected)]);
      const assignments = await h.graph('GET', `/servicePrincipals/${consumer.sp.id}/appRoleAssignments`, admin.token);
      expect(assignments.body.value).toEqual([expect.objectContaining(expected)]);
      expect((await h.graph('GET', '/servicePrincipals/00000000-0000-4000-8000-00000000abcd/appRoleAssignments', admin.token)).status).toBe(404);
    });
  });

  describe('role management', () => {
    test('roleDefinitions lists the built-in roles with Entra\'s template ids', async () => {
      const result = await h.graph('GET', '/roleManagement/directory/roleDefinitions', admin.token);
      expect(result.status).toBe(200);
      expect(result.body['@odata.context']).toBe(`${h.url}/v1.0/$metadata#roleManagement/directory/roleDefinitions`);
      expect(result.body.value.map((r: { id: string; displayName: string }) => [r.id, r.displayName])).toEqual([
        ['62e90394-69f5-4237-9190-012177145e10', 'Global Administrator'],
        ['9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3', 'Application Administrator'],
        ['158c047a-c907-4556-b7ef-446551a6b5f7', 'Cloud Application Administrator'],
        ['e8611ab8-c189-46e8-94e1-60213ab1f814', 'Privileged Role Administrator'],
        ['88d8e3e3-8f55-4a1e-953a-9b9898b8876b', 'Directory Readers'],
      ]);
      expect(result.body.value[1]).toMatchObject({ isBuiltIn: true, isEnabled: true, templateId: ROLE_IDS.applicationAdministrator, rolePermissions: [{ allowedResourceActions: expect.any(Array) }] });
    });

    test('a Privileged Role Administrator creates, lists (filtered) and deletes a role assignment; the grantee gains and loses access', async () => {
      const pra = await h.graphCaller([ROLE_IDS.privilegedRoleAdministrator]);
      const grantee = await h.graphCaller([]);
      expect((await h.graph('GET', '/applications', grantee.token)).status).toBe(403);

      const created = await h.graph('POST', '/roleManagement/directory/roleAssignments', pra.token, { principalId: grantee.client.sp.id, roleDefinitionId: ROLE_IDS.directoryReaders, directoryScopeId: '/' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        '@odata.context': `${h.url}/v1.0/$metadata#roleManagement/directory/roleAssignments/$entity`,
        id: expect.stringMatching(GUID), principalId: grantee.client.sp.id, roleDefinitionId: ROLE_IDS.directoryReaders, directoryScopeId: '/',
      });
      expect((await h.graph('GET', '/applications', grantee.token)).status).toBe(200);

      const byPrincipal = await h.graph('GET', `/roleManagement/directory/roleAssignments?$filter=${encodeURIComponent(`principalId eq '${grantee.client.sp.id}'`)}`, pra.token);
      expect(byPrincipal.body.value.map((a: { id: string }) => a.id)).toEqual([created.body.id]);
      const byRole = await h.graph('GET', `/roleManagement/directory/roleAssignments?$filter=${encodeURIComponent(`roleDefinitionId eq '${ROLE_IDS.privilegedRoleAdministrator}'`)}`, pra.token);
      expect(byRole.body.value.map((a: { principalId: string }) => a.principalId)).toEqual([pra.client.sp.id]);

      const deleted = await h.graph('DELETE', `/roleManagement/directory/roleAssignments/${created.body.id}`, pra.token);
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      expect((await h.graph('GET', '/applications', grantee.token)).status).toBe(403);
      const again = await h.graph('DELETE', `/roleManagement/directory/roleAssignments/${created.body.id}`, pra.token);
      expect(again.status).toBe(404);
      expect(again.body.error.code).toBe('Request_ResourceNotFound');
    });

    test('invalid role assignment bodies are 400 naming the field', async () => {
      const pra = await h.graphCaller([ROLE_IDS.privilegedRoleAdministrator]);
      const cases: [unknown, string][] = [
        [{ roleDefinitionId: ROLE_IDS.directoryReaders, directoryScopeId: '/' }, "property 'principalId'"],
        [{ principalId: consumer.sp.id, directoryScopeId: '/' }, "property 'roleDefinitionId'"],
        [{ principalId: consumer.sp.id, roleDefinitionId: 'not-a-guid', directoryScopeId: '/' }, "property 'roleDefinitionId'"],
        [{ principalId: consumer.sp.id, roleDefinitionId: ROLE_IDS.directoryReaders, directoryScopeId: '/x' }, "property 'directoryScopeId'"],
        [[1, 2], 'unifiedRoleAssignment object'],
      ];
      for (const [body, text] of cases) {
        const result = await h.graph('POST', '/roleManagement/directory/roleAssignments', pra.token, body);
        expect(result.status).toBe(400);
        expect(result.body.error.code).toBe('Request_BadRequest');
        expect(result.body.error.message).toContain(text);
      }
      const broken = await h.fetch(`${h.url}/v1.0/roleManagement/directory/roleAssignments`, { method: 'POST', headers: { authorization: `Bearer ${pra.token}`, 'content-type': 'application/json' }, body: '{' });
      expect(broken.status).toBe(400);
      expect(broken.body.error).toMatchObject({ code: 'Request_BadRequest', message: 'The request body is not valid JSON.' });
    });
  });

  test('unknown Graph routes are 404 in Graph\'s shape', async () => {
    const result = await h.graph('GET', '/users', admin.token);
    expect(result.status).toBe(404);
    expect(result.body.error).toMatchObject({ code: 'NotFound', message: "Resource not found for the segment '/v1.0/users'." });
  });
});
