import type { KeyCredential, PasswordCredential } from '../directory/directory-client.js';
import type {
  ApplicationRecord,
  AppRole,
  AppRoleAssignmentRecord,
  DirectoryRoleAssignmentRecord,
  ServicePrincipalRecord,
} from '../directory/directory-store.js';
import type { DirectoryRoleDefinition } from '../directory/roles.js';

/** Directory records in Microsoft Graph v1.0's JSON shape. Secrets and their digests never appear. */

const appRoleJson = (role: AppRole) => ({
  allowedMemberTypes: role.allowedMemberTypes,
  description: role.description,
  displayName: role.displayName,
  id: role.id,
  isEnabled: role.isEnabled,
  origin: 'Application',
  value: role.value,
});

export function applicationJson(app: ApplicationRecord, passwords: readonly PasswordCredential[], keys: readonly KeyCredential[]) {
  return {
    id: app.id,
    deletedDateTime: null,
    appId: app.appId,
    createdDateTime: app.createdDateTime,
    description: app.description,
    displayName: app.displayName,
    identifierUris: app.identifierUris,
    signInAudience: 'AzureADMyOrg',
    api: { requestedAccessTokenVersion: app.requestedAccessTokenVersion },
    appRoles: app.appRoles.map(appRoleJson),
    keyCredentials: keys.map((k) => ({
      customKeyIdentifier: k.customKeyIdentifier,
      displayName: k.displayName,
      endDateTime: k.endDateTime,
      key: null, // the certificate is accepted on upload and never returned
      keyId: k.keyId,
      startDateTime: k.startDateTime,
      type: k.type,
      usage: k.usage,
    })),
    passwordCredentials: passwords.map((p) => ({
      customKeyIdentifier: null,
      displayName: p.displayName,
      endDateTime: p.endDateTime,
      hint: p.hint,
      keyId: p.keyId,
      secretText: null,
      startDateTime: p.startDateTime,
    })),
    requiredResourceAccess: app.requiredResourceAccess,
  };
}

export function servicePrincipalJson(sp: ServicePrincipalRecord, app: ApplicationRecord | undefined, tenantId: string) {
  return {
    id: sp.id,
    deletedDateTime: null,
    accountEnabled: sp.accountEnabled,
    appDisplayName: app?.displayName ?? null,
    appId: sp.appId,
    appOwnerOrganizationId: app ? tenantId : null,
    appRoleAssignmentRequired: sp.appRoleAssignmentRequired,
    displayName: sp.displayName,
    servicePrincipalNames: [sp.appId, ...(app?.identifierUris ?? [])],
    servicePrincipalType: sp.servicePrincipalType,
    appRoles: (app?.appRoles ?? []).map(appRoleJson),
  };
}

export function appRoleAssignmentJson(a: AppRoleAssignmentRecord, names: ReadonlyMap<string, string>) {
  return {
    id: a.id,
    deletedDateTime: null,
    appRoleId: a.appRoleId,
    createdDateTime: a.createdDateTime,
    principalDisplayName: names.get(a.principalId) ?? null,
    principalId: a.principalId,
    principalType: 'ServicePrincipal',
    resourceDisplayName: names.get(a.resourceId) ?? null,
    resourceId: a.resourceId,
  };
}

export function roleDefinitionJson(role: DirectoryRoleDefinition) {
  return {
    id: role.id,
    description: role.description,
    displayName: role.displayName,
    isBuiltIn: true,
    isEnabled: true,
    resourceScopes: ['/'],
    templateId: role.templateId,
    version: '1',
    rolePermissions: [{ allowedResourceActions: role.allowedResourceActions, condition: null }],
    inheritsPermissionsFrom: [],
  };
}

export function roleAssignmentJson(a: DirectoryRoleAssignmentRecord) {
  return {
    id: a.id,
    principalId: a.principalId,
    roleDefinitionId: a.roleDefinitionId,
    directoryScopeId: a.directoryScopeId,
    appScopeId: null,
    condition: null,
    createdDateTime: a.createdDateTime,
  };
}
