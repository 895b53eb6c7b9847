/** DirectoryStore contract (src/identity/directory/directory-store.ts), on every dialect. */
import { expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { useFreshStore } from './harness.js';
import {
  T0,
  T1,
  T2,
  appRoleAssignment,
  application,
  directoryRoleAssignment,
  keyCredential,
  passwordCredential,
  servicePrincipal,
  signingKey,
} from './records.js';

describeEachDialect('DirectoryStore', (dialect) => {
  const ctx = useFreshStore(dialect);
  const dir = () => ctx().store.directory;

  test('an application round-trips with its JSON fields, by id and by appId', async () => {
    const app = application({ requestedAccessTokenVersion: 1, description: 'the backend' });
    await dir().insertApplication(app);
    expect(await dir().getApplication('a1')).toEqual(app);
    expect(await dir().getApplicationByAppId(app.appId)).toEqual(app);
    expect(await dir().getApplication('nope')).toBeUndefined();
    expect(await dir().getApplicationByAppId('nope')).toBeUndefined();
  });

  test('empty arrays and null description round-trip', async () => {
    const app = application({ identifierUris: [], appRoles: [], requiredResourceAccess: [], description: null });
    await dir().insertApplication(app);
    expect(await dir().getApplication('a1')).toEqual(app);
  });

  test('a second application with the same id or appId is STORE_CONFLICT', async () => {
    await dir().insertApplication(application());
    await expect(dir().insertApplication(application({ appId: 'other' }))).rejects.toMatchObject({
      name: 'StoreError',
      code: 'STORE_CONFLICT',
    });
    await expect(dir().insertApplication(application({ id: 'a2', appId: 'app-a1' }))).rejects.toMatchObject({
      code: 'STORE_CONFLICT',
    });
    expect(await dir().listApplications()).toHaveLength(1);
  });

  test('updateApplication replaces every field but id, appId and createdDateTime', async () => {
    await dir().insertApplication(application());
    const changed = application({
      appId: 'ignored',
      displayName: 'Renamed',
      description: 'now described',
      identifierUris: ['api://x', 'api://y'],
      appRoles: [],
      requiredResourceAccess: [],
      requestedAccessTokenVersion: 1,
      createdDateTime: T2,
    });
    await dir().updateApplication(changed);
    expect(await dir().getApplication('a1')).toEqual({ ...changed, appId: 'app-a1', createdDateTime: T0 });
  });

  test('identifier URIs are unique across applications by index, compared without case or trailing slash', async () => {
    await dir().insertApplication(application({ id: 'a1', identifierUris: ['api://Backend', 'https://x.example/api/'] }));
    expect(await dir().findApplicationIdByIdentifierUris(['API://backend/'])).toBe('a1');
    expect(await dir().findApplicationIdByIdentifierUris(['https://x.example/api', 'api://other'])).toBe('a1');
    expect(await dir().findApplicationIdByIdentifierUris(['api://other'])).toBeUndefined();
    expect(await dir().findApplicationIdByIdentifierUris([])).toBeUndefined();
    await expect(dir().insertApplication(application({ id: 'a2', identifierUris: ['api://backend/'] }))).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
    expect(await dir().getApplication('a2')).toBeUndefined();
    // Two spellings of one URI in one application are one key, not a conflict with itself.
    await dir().insertApplication(application({ id: 'a3', identifierUris: ['api://three', 'api://three/'] }));
    // An update moves the application's keys: the old URI is free again, the new one taken.
    await dir().updateApplication({ ...(await dir().getApplication('a1'))!, identifierUris: ['api://renamed'] });
    expect(await dir().findApplicationIdByIdentifierUris(['api://backend'])).toBeUndefined();
    expect(await dir().findApplicationIdByIdentifierUris(['api://RENAMED'])).toBe('a1');
    await expect(dir().updateApplication({ ...(await dir().getApplication('a3'))!, identifierUris: ['api://renamed'] })).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
    await dir().deleteApplication('a1');
    expect(await dir().findApplicationIdByIdentifierUris(['api://renamed'])).toBeUndefined();
  });

  test('updateApplication of a missing application is STORE_NOT_FOUND', async () => {
    await expect(dir().updateApplication(application())).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
  });

  test('listApplications is ordered by creation time, then id', async () => {
    await dir().insertApplication(application({ id: 'c', createdDateTime: T1 }));
    await dir().insertApplication(application({ id: 'b', createdDateTime: T0 }));
    await dir().insertApplication(application({ id: 'a', createdDateTime: T1 }));
    expect((await dir().listApplications()).map((a) => a.id)).toEqual(['b', 'a', 'c']);
  });

  test('deleteApplication deletes its password credentials; deleting again is a no-op', async () => {
    await dir().insertApplication(application());
    await dir().insertApplication(application({ id: 'a2' }));
    await dir().insertPasswordCredential(passwordCredential({ keyId: 'k1' }));
    await dir().insertPasswordCredential(passwordCredential({ keyId: 'k2', applicationId: 'a2' }));
    await dir().deleteApplication('a1');
    await dir().deleteApplication('a1');
    expect(await dir().getApplication('a1')).toBeUndefined();
    expect(await dir().listPasswordCredentials('a1')).toEqual([]);
    expect((await dir().listPasswordCredentials('a2')).map((c) => c.keyId)).toEqual(['k2']);
    expect((await dir().listAllPasswordCredentials()).map((c) => [c.applicationId, c.keyId])).toEqual([['a2', 'k2']]);
  });

  test('password credentials: round-trip, order by start time then keyId, delete', async () => {
    await dir().insertApplication(application());
    const late = passwordCredential({ keyId: 'k1', startDateTime: T1, displayName: null });
    const early = passwordCredential({ keyId: 'k3', startDateTime: T0 });
    const lateToo = passwordCredential({ keyId: 'k0', startDateTime: T1 });
    for (const c of [late, early, lateToo]) await dir().insertPasswordCredential(c);
    expect(await dir().listPasswordCredentials('a1')).toEqual([early, lateToo, late]);
    await dir().deletePasswordCredential('k3');
    await dir().deletePasswordCredential('missing');
    expect((await dir().listPasswordCredentials('a1')).map((c) => c.keyId)).toEqual(['k0', 'k1']);
    expect((await dir().listAllPasswordCredentials()).map((c) => c.keyId)).toEqual(['k0', 'k1']);
  });

  test('a password credential of a missing application is STORE_REFERENCE; a duplicate keyId is STORE_CONFLICT', async () => {
    await expect(dir().insertPasswordCredential(passwordCredential())).rejects.toMatchObject({ code: 'STORE_REFERENCE' });
    await dir().insertApplication(application());
    await dir().insertPasswordCredential(passwordCredential());
    await expect(dir().insertPasswordCredential(passwordCredential())).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
  });

  test('key credentials: round-trip, order by creation time then keyId, delete', async () => {
    await dir().insertApplication(application());
    const late = keyCredential({ keyId: 'c1', createdDateTime: T1, displayName: null });
    const early = keyCredential({ keyId: 'c3', createdDateTime: T0 });
    const lateToo = keyCredential({ keyId: 'c0', createdDateTime: T1 });
    for (const c of [late, early, lateToo]) await dir().insertKeyCredential(c);
    expect(await dir().listKeyCredentials('a1')).toEqual([early, lateToo, late]);
    expect(await dir().listKeyCredentials('other')).toEqual([]);
    await dir().deleteKeyCredential('c3');
    await dir().deleteKeyCredential('missing');
    expect((await dir().listKeyCredentials('a1')).map((c) => c.keyId)).toEqual(['c0', 'c1']);
  });

  test('a key credential of a missing application is STORE_REFERENCE; a duplicate keyId or certificate is STORE_CONFLICT', async () => {
    await expect(dir().insertKeyCredential(keyCredential())).rejects.toMatchObject({ code: 'STORE_REFERENCE' });
    await dir().insertApplication(application());
    await dir().insertApplication(application({ id: 'a2' }));
    await dir().insertKeyCredential(keyCredential());
    await expect(dir().insertKeyCredential(keyCredential({ thumbprintSha256: 'F'.repeat(64) }))).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
    const sameCertificate = keyCredential().thumbprintSha256;
    await expect(dir().insertKeyCredential(keyCredential({ keyId: 'c2', thumbprintSha256: sameCertificate }))).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
    // Another application may register the same certificate.
    await dir().insertKeyCredential(keyCredential({ keyId: 'c2', applicationId: 'a2', thumbprintSha256: sameCertificate }));
    expect((await dir().listKeyCredentials('a2')).map((c) => c.keyId)).toEqual(['c2']);
  });

  test('deleteApplication deletes its key credentials', async () => {
    await dir().insertApplication(application());
    await dir().insertApplication(application({ id: 'a2' }));
    await dir().insertKeyCredential(keyCredential({ keyId: 'c1' }));
    await dir().insertKeyCredential(keyCredential({ keyId: 'c2', applicationId: 'a2' }));
    expect((await dir().listAllKeyCredentials()).map((c) => [c.applicationId, c.keyId])).toEqual([['a1', 'c1'], ['a2', 'c2']]);
    await dir().deleteApplication('a1');
    expect(await dir().listKeyCredentials('a1')).toEqual([]);
    expect((await dir().listKeyCredentials('a2')).map((c) => c.keyId)).toEqual(['c2']);
    expect((await dir().listAllKeyCredentials()).map((c) => [c.applicationId, c.keyId])).toEqual([['a2', 'c2']]);
  });

  test('a service principal round-trips its booleans, by id and by appId', async () => {
    const sp = servicePrincipal({ servicePrincipalType: 'ManagedIdentity', appRoleAssignmentRequired: false });
    const other = servicePrincipal({ id: 'sp2', accountEnabled: false });
    await dir().insertServicePrincipal(sp);
    await dir().insertServicePrincipal(other);
    expect(await dir().getServicePrincipal('sp1')).toEqual(sp);
    expect(await dir().getServicePrincipalByAppId('app-sp2')).toEqual(other);
    expect(await dir().getServicePrincipal('nope')).toBeUndefined();
    expect(await dir().getServicePrincipalByAppId('nope')).toBeUndefined();
  });

  test('a second service principal for the same appId is STORE_CONFLICT', async () => {
    await dir().insertServicePrincipal(servicePrincipal());
    await expect(dir().insertServicePrincipal(servicePrincipal({ id: 'sp9', appId: 'app-sp1' }))).rejects.toMatchObject({
      code: 'STORE_CONFLICT',
    });
  });

  test('updateServicePrincipal replaces displayName, appRoleAssignmentRequired and accountEnabled only', async () => {
    const sp = servicePrincipal();
    await dir().insertServicePrincipal(sp);
    await dir().updateServicePrincipal({
      ...sp,
      appId: 'ignored',
      servicePrincipalType: 'ManagedIdentity',
      createdDateTime: T2,
      displayName: 'Renamed',
      appRoleAssignmentRequired: false,
      accountEnabled: false,
    });
    expect(await dir().getServicePrincipal('sp1')).toEqual({
      ...sp,
      displayName: 'Renamed',
      appRoleAssignmentRequired: false,
      accountEnabled: false,
    });
    await expect(dir().updateServicePrincipal(servicePrincipal({ id: 'missing' }))).rejects.toMatchObject({
      code: 'STORE_NOT_FOUND',
    });
  });

  test('listServicePrincipals is ordered by creation time, then id', async () => {
    await dir().insertServicePrincipal(servicePrincipal({ id: 'z', createdDateTime: T0 }));
    await dir().insertServicePrincipal(servicePrincipal({ id: 'b', createdDateTime: T1 }));
    await dir().insertServicePrincipal(servicePrincipal({ id: 'a', createdDateTime: T1 }));
    expect((await dir().listServicePrincipals()).map((s) => s.id)).toEqual(['z', 'a', 'b']);
  });

  test('app role assignments: round-trip, filters, order, delete', async () => {
    for (const id of ['sp1', 'sp2', 'sp3']) await dir().insertServicePrincipal(servicePrincipal({ id }));
    const a = appRoleAssignment({ id: 'x2', principalId: 'sp1', resourceId: 'sp2', createdDateTime: T1 });
    const b = appRoleAssignment({ id: 'x1', principalId: 'sp1', resourceId: 'sp3', createdDateTime: T1 });
    const c = appRoleAssignment({ id: 'x3', principalId: 'sp3', resourceId: 'sp2', createdDateTime: T0 });
    for (const r of [a, b, c]) await dir().insertAppRoleAssignment(r);
    expect(await dir().getAppRoleAssignment('x2')).toEqual(a);
    expect(await dir().getAppRoleAssignment('nope')).toBeUndefined();
    expect(await dir().listAppRoleAssignments({})).toEqual([c, b, a]);
    expect(await dir().listAppRoleAssignments({ principalId: 'sp1' })).toEqual([b, a]);
    expect(await dir().listAppRoleAssignments({ resourceId: 'sp2' })).toEqual([c, a]);
    expect(await dir().listAppRoleAssignments({ principalId: 'sp1', resourceId: 'sp2' })).toEqual([a]);
    await dir().deleteAppRoleAssignment('x2');
    await dir().deleteAppRoleAssignment('x2');
    expect(await dir().listAppRoleAssignments({})).toEqual([c, b]);
  });

  test('an app role assignment needs both service principals and is granted once', async () => {
    await dir().insertServicePrincipal(servicePrincipal({ id: 'sp1' }));
    await expect(dir().insertAppRoleAssignment(appRoleAssignment())).rejects.toMatchObject({ code: 'STORE_REFERENCE' });
    await dir().insertServicePrincipal(servicePrincipal({ id: 'sp2' }));
    await dir().insertAppRoleAssignment(appRoleAssignment());
    await expect(dir().insertAppRoleAssignment(appRoleAssignment({ id: 'ara2' }))).rejects.toMatchObject({
      code: 'STORE_CONFLICT',
    });
  });

  test('deleteServicePrincipal deletes assignments where it is principal or resource, and its directory roles', async () => {
    for (const id of ['sp1', 'sp2', 'sp3']) await dir().insertServicePrincipal(servicePrincipal({ id }));
    await dir().insertAppRoleAssignment(appRoleAssignment({ id: 'as-principal', principalId: 'sp1', resourceId: 'sp2' }));
    await dir().insertAppRoleAssignment(appRoleAssignment({ id: 'as-resource', principalId: 'sp3', resourceId: 'sp1' }));
    await dir().insertAppRoleAssignment(appRoleAssignment({ id: 'unrelated', principalId: 'sp3', resourceId: 'sp2' }));
    await dir().insertDirectoryRoleAssignment(directoryRoleAssignment({ id: 'd1', principalId: 'sp1' }));
    await dir().insertDirectoryRoleAssignment(directoryRoleAssignment({ id: 'd3', principalId: 'sp3' }));
    await dir().deleteServicePrincipal('sp1');
    await dir().deleteServicePrincipal('sp1');
    expect(await dir().getServicePrincipal('sp1')).toBeUndefined();
    expect((await dir().listAppRoleAssignments({})).map((a) => a.id)).toEqual(['unrelated']);
    expect((await dir().listDirectoryRoleAssignments({})).map((a) => a.id)).toEqual(['d3']);
  });

  test('directory role assignments: round-trip, filters, order, duplicates, delete', async () => {
    await dir().insertServicePrincipal(servicePrincipal({ id: 'sp1' }));
    await dir().insertServicePrincipal(servicePrincipal({ id: 'sp2' }));
    const a = directoryRoleAssignment({ id: 'd2', principalId: 'sp1', roleDefinitionId: 'admin', createdDateTime: T0 });
    const b = directoryRoleAssignment({ id: 'd1', principalId: 'sp2', roleDefinitionId: 'admin', createdDateTime: T1 });
    const c = directoryRoleAssignment({ id: 'd0', principalId: 'sp1', roleDefinitionId: 'privileged', createdDateTime: T1 });
    for (const r of [a, b, c]) await dir().insertDirectoryRoleAssignment(r);
    expect(await dir().getDirectoryRoleAssignment('d2')).toEqual(a);
    expect(await dir().getDirectoryRoleAssignment('nope')).toBeUndefined();
    expect(await dir().listDirectoryRoleAssignments({})).toEqual([a, c, b]);
    expect(await dir().listDirectoryRoleAssignments({ principalId: 'sp1' })).toEqual([a, c]);
    expect(await dir().listDirectoryRoleAssignments({ roleDefinitionId: 'admin' })).toEqual([a, b]);
    expect(await dir().listDirectoryRoleAssignments({ principalId: 'sp2', roleDefinitionId: 'admin' })).toEqual([b]);
    await expect(dir().insertDirectoryRoleAssignment({ ...a, id: 'd9' })).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
    await expect(
      dir().insertDirectoryRoleAssignment(directoryRoleAssignment({ id: 'd8', principalId: 'missing' })),
    ).rejects.toMatchObject({ code: 'STORE_REFERENCE' });
    await dir().deleteDirectoryRoleAssignment('d2');
    await dir().deleteDirectoryRoleAssignment('d2');
    expect(await dir().listDirectoryRoleAssignments({})).toEqual([c, b]);
  });

  test('signing keys: round-trip, order by creation then kid, retirement, activation', async () => {
    const second = signingKey({ kid: 'b', createdAt: T1 });
    const first = signingKey({ kid: 'z', createdAt: T0, retiresAt: T2, certificate: null });
    const third = signingKey({ kid: 'c', createdAt: T1 });
    for (const k of [second, first, third]) await dir().insertSigningKey(k);
    expect(await dir().listSigningKeys()).toEqual([first, second, third]);
    await dir().setSigningKeyRetirement('b', T2);
    expect((await dir().listSigningKeys())[1]).toEqual({ ...second, retiresAt: T2 });
    await dir().setSigningKeyActivation('c', T0);
    expect((await dir().listSigningKeys())[2]).toEqual({ ...third, activatesAt: T0 });
    await expect(dir().insertSigningKey(first)).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
    await expect(dir().setSigningKeyRetirement('missing', T2)).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
    await expect(dir().setSigningKeyActivation('missing', T2)).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
  });
});
