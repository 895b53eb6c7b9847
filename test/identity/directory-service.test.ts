import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AppError } from '../../src/errors/index.js';
import { sha256 } from '../../src/shared/index.js';
import { ROLE_IDS, type DirectoryClient } from '../../src/identity/index.js';
import { describeEachDialect } from '../helpers/databases.js';
import { IdentityHarness } from './harness.js';

/** Runs fn and returns the AppError it throws (fails the test when it does not throw one). */
async function appError(fn: () => Promise<unknown>): Promise<AppError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

const APP_MANAGERS = 'Global Administrator, Application Administrator or Cloud Application Administrator';

describeEachDialect('DirectoryService', (dialect) => {
  let h: IdentityHarness;
  let system: DirectoryClient;
  const events: string[] = [];

  beforeAll(async () => {
    h = await IdentityHarness.start(dialect, {});
    system = h.system;
    h.feed.subscribe((e) => {
      if (e.type === 'application.created') events.push(e.applicationObjectId);
    });
  });
  afterAll(async () => h?.stop());

  describe('applications', () => {
    test('defaults follow Entra: api://{appId}, enabled Application roles with generated ids, v2 tokens', async () => {
      events.length = 0;
      const app = await system.createApplication({ displayName: 'Orders', appRoles: [{ value: 'Orders.Read', displayName: 'Read', description: 'Read orders' }] });
      expect(app.identifierUris).toEqual([`api://${app.appId}`]);
      expect(app.appRoles).toEqual([{ id: expect.stringMatching(/^[0-9a-f-]{36}$/), value: 'Orders.Read', displayName: 'Read', description: 'Read orders', allowedMemberTypes: ['Application'], isEnabled: true }]);
      expect(app).toMatchObject({ displayName: 'Orders', description: null, requiredResourceAccess: [], requestedAccessTokenVersion: 2 });
      expect(events).toEqual([app.id]);
      expect(await system.getApplication(app.id)).toEqual(app);
      expect(await system.getApplicationByAppId(app.appId)).toEqual(app);
      expect(await system.getApplication('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    });

    test('invalid input is Request_BadRequest naming the field', async () => {
      const cases: [Parameters<DirectoryClient['createApplication']>[0], string][] = [
        [{ displayName: '' }, "property 'displayName'"],
        [{ displayName: 'x'.repeat(257) }, "property 'displayName'"],
        [{ displayName: 'a', identifierUris: ['not a uri'] }, "property 'identifierUris'"],
        [{ displayName: 'a', identifierUris: ['api://same', 'API://same'] }, "property 'identifierUris'"],
        [{ displayName: 'a', appRoles: [{ value: 'has space', displayName: 'd', description: 'd' }] }, "property 'appRoles.value'"],
        [{ displayName: 'a', appRoles: [{ value: 'Dup', displayName: 'd', description: 'd' }, { value: 'Dup', displayName: 'e', description: 'e' }] }, "property 'appRoles.value'"],
        [{ displayName: 'a', appRoles: [{ value: 'V', displayName: '', description: 'd' }] }, "property 'appRoles.displayName'"],
        [{ displayName: 'a', requestedAccessTokenVersion: 3 as 2 }, "property 'api.requestedAccessTokenVersion'"],
      ];
      for (const [input, field] of cases) {
        const err = await appError(() => system.createApplication(input));
        expect(err.code).toBe('Request_BadRequest');
        expect(err.status).toBe(400);
        expect(err.message).toContain(field);
      }
    });

    test('identifier URIs are unique across applications, ignoring case and a trailing slash', async () => {
      await system.createApplication({ displayName: 'Mgmt', identifierUris: ['https://unique.example.test/'] });
      const err = await appError(() => system.createApplication({ displayName: 'Other', identifierUris: ['https://UNIQUE.example.test'] }));
      expect(err.code).toBe('Request_BadRequest');
      expect(err.message).toBe('Another object with the same value for property identifierUris already exists.');
    });

    test('only the system client chooses an appId', async () => {
      const admin = await h.createClient(undefined, { directoryRoles: [ROLE_IDS.applicationAdministrator] });
      const err = await appError(() => h.identity.directory.forPrincipal(admin.sp.id).createApplication({ displayName: 'x', appId: '12345678-1234-4234-8234-123456789012' }));
      expect(err.code).toBe('Request_BadRequest');
      expect(err.message).toContain("property 'appId'");
      const chosen = await system.createApplication({ displayName: 'Chosen', appId: '12345678-1234-4234-8234-123456789012' });
      expect(chosen.appId).toBe('12345678-1234-4234-8234-123456789012');
      expect((await appError(() => system.createApplication({ displayName: 'Again', appId: chosen.appId }))).message).toContain('property appId');
    });

    test('deleting an application removes its secrets, its principal, assignments on both sides and clients\' requiredResourceAccess', async () => {
      const resource = await h.createResource({ roles: ['R.All'] });
      const asClient = await h.createClient();
      const consumer = await h.createClient();
      const other = await h.createResource({ roles: ['O.All'] });
      await system.grantAppRole({ principalId: consumer.sp.id, resourceId: resource.sp.id, appRoleId: h.roleId(resource.app, 'R.All') });
      await system.grantAppRole({ principalId: asClient.sp.id, resourceId: other.sp.id, appRoleId: h.roleId(other.app, 'O.All') });
      expect((await system.getApplication(consumer.app.id))!.requiredResourceAccess).toHaveLength(1);

      await system.deleteApplication(resource.app.id);
      expect(await system.getApplication(resource.app.id)).toBeUndefined();
      expect(await system.getServicePrincipal(resource.sp.id)).toBeUndefined();
      expect(await system.listAppRoleAssignments({ principalId: consumer.sp.id })).toEqual([]);
      expect((await system.getApplication(consumer.app.id))!.requiredResourceAccess).toEqual([]);

      await system.deleteApplication(asClient.app.id);
      expect(await h.store.directory.listPasswordCredentials(asClient.app.id)).toEqual([]);
      expect(await system.listAppRoleAssignments({ resourceId: other.sp.id })).toEqual([]);
      const err = await appError(() => system.deleteApplication(asClient.app.id));
      expect(err.code).toBe('Request_ResourceNotFound');
      expect(err.status).toBe(404);
    });

    test('a malformed object id is Request_BadRequest', async () => {
      const err = await appError(() => system.getApplication('nope'));
      expect(err.code).toBe('Request_BadRequest');
      expect(err.message).toBe("Invalid object identifier 'nope'.");
    });
  });

  describe('service principals', () => {
    test('needs an existing application, one per appId; managed identities only from the system client', async () => {
      const err = await appError(() => system.createServicePrincipal({ appId: '22222222-2222-4222-8222-222222222222' }));
      expect(err.message).toBe("The appId '22222222-2222-4222-8222-222222222222' of the service principal does not reference a valid application object.");
      const c = await h.createClient('SP Owner');
      expect(c.sp).toMatchObject({ appId: c.app.appId, displayName: 'SP Owner', servicePrincipalType: 'Application', appRoleAssignmentRequired: false, accountEnabled: true });
      expect((await appError(() => system.createServicePrincipal({ appId: c.app.appId }))).message).toContain('property appId');

      const mi = await system.createServicePrincipal({ appId: '33333333-3333-4333-8333-333333333333', servicePrincipalType: 'ManagedIdentity', displayName: 'portico' });
      expect(mi.servicePrincipalType).toBe('ManagedIdentity');
      const admin = await h.createClient(undefined, { directoryRoles: [ROLE_IDS.globalAdministrator] });
      const denied = await appError(() => h.identity.directory.forPrincipal(admin.sp.id)
        .createServicePrincipal({ appId: '44444444-4444-4444-8444-444444444444', servicePrincipalType: 'ManagedIdentity', displayName: 'x' }));
      expect(denied.message).toContain("property 'servicePrincipalType'");
    });
  });

  describe('app role assignments', () => {
    test('grant validates the role, is idempotent and keeps requiredResourceAccess in step; revoke undoes both', async () => {
      const resource = await h.createResource({ roles: ['A.Read', 'A.Write'] });
      const c = await h.createClient();
      const read = h.roleId(resource.app, 'A.Read');
      const write = h.roleId(resource.app, 'A.Write');

      const unknownRole = await appError(() => system.grantAppRole({ principalId: c.sp.id, resourceId: resource.sp.id, appRoleId: '55555555-5555-4555-8555-555555555555' }));
      expect(unknownRole.code).toBe('Request_BadRequest');
      expect(unknownRole.message).toContain("property 'appRoleId'");
      const unknownPrincipal = await appError(() => system.grantAppRole({ principalId: '55555555-5555-4555-8555-555555555555', resourceId: resource.sp.id, appRoleId: read }));
      expect(unknownPrincipal.message).toContain("property 'principalId'");

      const first = await system.grantAppRole({ principalId: c.sp.id, resourceId: resource.sp.id, appRoleId: read });
      expect(await system.grantAppRole({ principalId: c.sp.id, resourceId: resource.sp.id, appRoleId: read })).toEqual(first);
      const second = await system.grantAppRole({ principalId: c.sp.id, resourceId: resource.sp.id, appRoleId: write });
      expect((await system.getApplication(c.app.id))!.requiredResourceAccess).toEqual([
        { resourceAppId: resource.app.appId, resourceAccess: [{ id: read, type: 'Role' }, { id: write, type: 'Role' }] },
      ]);
      expect((await system.listAppRoleAssignments({ principalId: c.sp.id })).map((a) => a.id)).toEqual([first.id, second.id]);
      expect((await system.listAppRoleAssignments({ resourceId: resource.sp.id })).map((a) => a.id)).toEqual([first.id, second.id]);

      await system.revokeAppRole(first.id);
      expect((await system.getApplication(c.app.id))!.requiredResourceAccess).toEqual([{ resourceAppId: resource.app.appId, resourceAccess: [{ id: write, type: 'Role' }] }]);
      await system.revokeAppRole(second.id);
      expect((await system.getApplication(c.app.id))!.requiredResourceAccess).toEqual([]);
      expect((await appError(() => system.revokeAppRole(second.id))).code).toBe('Request_ResourceNotFound');
    });

    test('a disabled role cannot be granted', async () => {
      const resource = await h.createResource({ roles: ['Off.All'] });
      const app = (await h.store.directory.getApplication(resource.app.id))!;
      await h.store.directory.updateApplication({ ...app, appRoles: app.appRoles.map((r) => ({ ...r, isEnabled: false })) });
      const c = await h.createClient();
      const err = await appError(() => system.grantAppRole({ principalId: c.sp.id, resourceId: resource.sp.id, appRoleId: app.appRoles[0]!.id }));
      expect(err.message).toContain('is disabled');
    });
  });

  describe('passwords', () => {
    test('the secret is returned once; only its SHA-256 digest and a 3-character hint are stored; validity from config', async () => {
      const app = await system.createApplication({ displayName: 'Secretive' });
      const created = await system.addPassword(app.id, { displayName: 'ci' });
      expect(created.secretText).toMatch(/^[A-Za-z0-9~._-]{44}$/);
      expect(created.hint).toBe(created.secretText.slice(0, 3));
      const days = (Date.parse(created.endDateTime) - Date.parse(created.startDateTime)) / 86_400_000;
      expect(days).toBe(365);
      const [record] = await h.store.directory.listPasswordCredentials(app.id);
      expect(record).toEqual({ keyId: created.keyId, applicationId: app.id, displayName: 'ci', hint: created.hint, secretHash: sha256(created.secretText), startDateTime: created.startDateTime, endDateTime: created.endDateTime });
      expect(JSON.stringify(record)).not.toContain(created.secretText);
      expect(await system.listPasswords(app.id)).toEqual([{ keyId: created.keyId, displayName: 'ci', hint: created.hint, startDateTime: created.startDateTime, endDateTime: created.endDateTime }]);

      const missing = await appError(() => system.removePassword(app.id, '66666666-6666-4666-8666-666666666666'));
      expect(missing.code).toBe('Request_ResourceNotFound');
      await system.removePassword(app.id, created.keyId);
      expect(await system.listPasswords(app.id)).toEqual([]);
    });
  });

  describe('directory roles', () => {
    test('assign validates principal, role and scope, is idempotent; remove and hasDirectoryRole', async () => {
      const c = await h.createClient();
      const bad = [
        { principalId: c.sp.id, roleDefinitionId: '77777777-7777-4777-8777-777777777777' },
        { principalId: '77777777-7777-4777-8777-777777777777', roleDefinitionId: ROLE_IDS.directoryReaders },
        { principalId: c.sp.id, roleDefinitionId: ROLE_IDS.directoryReaders, directoryScopeId: '/administrativeUnits/x' },
      ];
      for (const input of bad) expect((await appError(() => system.assignDirectoryRole(input))).code).toBe('Request_BadRequest');

      const a = await system.assignDirectoryRole({ principalId: c.sp.id, roleDefinitionId: ROLE_IDS.directoryReaders, directoryScopeId: '/' });
      expect(a).toMatchObject({ principalId: c.sp.id, roleDefinitionId: ROLE_IDS.directoryReaders, directoryScopeId: '/' });
      expect(await system.assignDirectoryRole({ principalId: c.sp.id, roleDefinitionId: ROLE_IDS.directoryReaders })).toEqual(a);
      expect(await system.hasDirectoryRole(c.sp.id, ROLE_IDS.directoryReaders)).toBe(true);
      expect(await system.listDirectoryRoleAssignments({ roleDefinitionId: ROLE_IDS.directoryReaders })).toContainEqual(a);
      await system.removeDirectoryRoleAssignment(a.id);
      expect(await system.hasDirectoryRole(c.sp.id, ROLE_IDS.directoryReaders)).toBe(false);
      expect((await appError(() => system.removeDirectoryRoleAssignment(a.id))).code).toBe('Request_ResourceNotFound');
    });
  });

  describe('permission checks (forPrincipal)', () => {
    test('a principal without a role is refused everything, with the roles it would need', async () => {
      const nobody = await h.createClient();
      const client = h.identity.directory.forPrincipal(nobody.sp.id);
      const write = await appError(() => client.createApplication({ displayName: 'x' }));
      expect(write.code).toBe('Authorization_RequestDenied');
      expect(write.status).toBe(403);
      expect(write.message).toBe(`Insufficient privileges to complete the operation. The caller needs the ${APP_MANAGERS} directory role.`);
      const read = await appError(() => client.listApplications());
      expect(read.message).toBe('Insufficient privileges to complete the operation. The caller needs the Global Administrator, Application Administrator, Cloud Application Administrator, Privileged Role Administrator or Directory Readers directory role.');
      const roles = await appError(() => client.assignDirectoryRole({ principalId: nobody.sp.id, roleDefinitionId: ROLE_IDS.globalAdministrator }));
      expect(roles.message).toBe('Insufficient privileges to complete the operation. The caller needs the Global Administrator or Privileged Role Administrator directory role.');
      // It may still ask about its own roles.
      expect(await client.hasDirectoryRole(nobody.sp.id, ROLE_IDS.applicationAdministrator)).toBe(false);
      expect(await client.listDirectoryRoleAssignments({ principalId: nobody.sp.id })).toEqual([]);
    });

    test('each role grants what Entra\'s would', async () => {
      const reader = await h.createClient(undefined, { directoryRoles: [ROLE_IDS.directoryReaders] });
      const cloudAdmin = await h.createClient(undefined, { directoryRoles: [ROLE_IDS.cloudApplicationAdministrator] });
      const appAdmin = await h.createClient(undefined, { directoryRoles: [ROLE_IDS.applicationAdministrator] });
      const pra = await h.createClient(undefined, { directoryRoles: [ROLE_IDS.privilegedRoleAdministrator] });
      const as = (c: { sp: { id: string } }) => h.identity.directory.forPrincipal(c.sp.id);

      await expect(as(reader).listApplications()).resolves.toBeInstanceOf(Array);
      expect((await appError(() => as(reader).createApplication({ displayName: 'x' }))).code).toBe('Authorization_RequestDenied');

      const made = await as(cloudAdmin).createApplication({ displayName: 'By cloud admin' });
      await as(appAdmin).createServicePrincipal({ appId: made.appId });
      await as(appAdmin).addPassword(made.id);
      expect((await appError(() => as(appAdmin).assignDirectoryRole({ principalId: reader.sp.id, roleDefinitionId: ROLE_IDS.globalAdministrator }))).code).toBe('Authorization_RequestDenied');

      const assigned = await as(pra).assignDirectoryRole({ principalId: reader.sp.id, roleDefinitionId: ROLE_IDS.applicationAdministrator });
      expect((await appError(() => as(pra).createApplication({ displayName: 'x' }))).code).toBe('Authorization_RequestDenied');
      await as(reader).createApplication({ displayName: 'Reader promoted' });
      await as(pra).removeDirectoryRoleAssignment(assigned.id);
      expect((await appError(() => as(reader).createApplication({ displayName: 'again' }))).code).toBe('Authorization_RequestDenied');
    });

    test('roles are read live: a client held across calls loses access when its role goes, and a disabled principal has none', async () => {
      const admin = await h.createClient(undefined, { directoryRoles: [ROLE_IDS.applicationAdministrator] });
      const held = h.identity.directory.forPrincipal(admin.sp.id);
      await held.createApplication({ displayName: 'while allowed' });
      const [assignment] = await system.listDirectoryRoleAssignments({ principalId: admin.sp.id });
      await system.removeDirectoryRoleAssignment(assignment!.id);
      expect((await appError(() => held.createApplication({ displayName: 'after' }))).code).toBe('Authorization_RequestDenied');

      const disabled = await h.createClient(undefined, { directoryRoles: [ROLE_IDS.globalAdministrator] });
      await h.store.directory.updateServicePrincipal({ ...disabled.sp, accountEnabled: false });
      expect((await appError(() => h.identity.directory.forPrincipal(disabled.sp.id).listApplications())).code).toBe('Authorization_RequestDenied');
    });
  });
});
