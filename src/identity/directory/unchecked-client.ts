import type { DirectoryClient } from './directory-client.js';
import type { DirectoryContext } from './directory-context.js';
import * as applications from './applications.js';
import * as servicePrincipals from './service-principals.js';
import * as appRoles from './app-role-assignments.js';
import { applyApplicationBatch } from './application-batch.js';
import * as passwords from './password-credentials.js';
import * as keys from './key-credentials.js';
import * as roles from './directory-role-assignments.js';
import { requireObjectId } from './validate.js';
import { DIRECTORY_ROLES } from './roles.js';
import type { DirectoryPageQuery } from './directory-store.js';

/** The directory operations without permission checks; wrapped by PermissionCheckedClient. */
export class UncheckedDirectoryClient implements DirectoryClient {
  constructor(private readonly ctx: DirectoryContext) {}

  createApplication: DirectoryClient['createApplication'] = (input) => applications.createApplication(this.ctx, input);
  addAppRole: DirectoryClient['addAppRole'] = (objectId, role) => applications.addAppRole(this.ctx, objectId, role);
  getApplication: DirectoryClient['getApplication'] = (id) => applications.getApplication(this.ctx, id);
  getApplicationByAppId: DirectoryClient['getApplicationByAppId'] = (appId) => applications.getApplicationByAppId(this.ctx, appId);
  listApplications: DirectoryClient['listApplications'] = () => this.ctx.store.directory.listApplications();
  listApplicationsCreatedBy: DirectoryClient['listApplicationsCreatedBy'] = (principalId) =>
    this.ctx.store.directory.listApplicationsCreatedBy(requireObjectId(principalId));
  pageApplications: DirectoryClient['pageApplications'] = (query) => this.ctx.store.directory.pageApplications(storedCase(query));
  getApplicationsByAppIds: DirectoryClient['getApplicationsByAppIds'] = (appIds) =>
    this.ctx.store.directory.listApplicationsByAppIds(appIds.map((appId) => appId.toLowerCase()));
  listCredentialsOfApplications: DirectoryClient['listCredentialsOfApplications'] = async (objectIds) => {
    const ids = objectIds.map((id) => id.toLowerCase());
    const [passwordsOf, keysOf] = await Promise.all([
      this.ctx.store.directory.listPasswordCredentialsOfApplications(ids),
      this.ctx.store.directory.listKeyCredentialsOfApplications(ids),
    ]);
    return new Map(ids.map((id) => [id, { passwords: (passwordsOf.get(id) ?? []).map(passwords.toPasswordCredential), keys: (keysOf.get(id) ?? []).map(keys.toKeyCredential) }]));
  };
  deleteApplication: DirectoryClient['deleteApplication'] = (id) => applications.deleteApplication(this.ctx, id);

  createServicePrincipal: DirectoryClient['createServicePrincipal'] = (input) => servicePrincipals.createServicePrincipal(this.ctx, input);
  getServicePrincipal: DirectoryClient['getServicePrincipal'] = (id) => servicePrincipals.getServicePrincipal(this.ctx, id);
  getServicePrincipalByAppId: DirectoryClient['getServicePrincipalByAppId'] = (appId) => servicePrincipals.getServicePrincipalByAppId(this.ctx, appId);
  listServicePrincipals: DirectoryClient['listServicePrincipals'] = () => this.ctx.store.directory.listServicePrincipals();
  pageServicePrincipals: DirectoryClient['pageServicePrincipals'] = (query) => this.ctx.store.directory.pageServicePrincipals(storedCase(query));
  getServicePrincipalsByIds: DirectoryClient['getServicePrincipalsByIds'] = (ids) => this.ctx.store.directory.listServicePrincipalsByIds(ids.map((id) => id.toLowerCase()));

  grantAppRole: DirectoryClient['grantAppRole'] = (input) => appRoles.grantAppRole(this.ctx, input);
  revokeAppRole: DirectoryClient['revokeAppRole'] = (id) => appRoles.revokeAppRole(this.ctx, id);
  applyApplicationBatch: DirectoryClient['applyApplicationBatch'] = (batch) => applyApplicationBatch(this.ctx, batch);
  listAppRoleAssignments: DirectoryClient['listAppRoleAssignments'] = (filter) => appRoles.listAppRoleAssignments(this.ctx, filter);
  pageAppRoleAssignments: DirectoryClient['pageAppRoleAssignments'] = (filter, page) =>
    this.ctx.store.directory.pageAppRoleAssignments('principalId' in filter ? { principalId: requireObjectId(filter.principalId) } : { resourceId: requireObjectId(filter.resourceId) }, page);

  addPassword: DirectoryClient['addPassword'] = (appObjectId, input) => passwords.addPassword(this.ctx, appObjectId, input);
  removePassword: DirectoryClient['removePassword'] = (appObjectId, keyId) => passwords.removePassword(this.ctx, appObjectId, keyId);
  listPasswords: DirectoryClient['listPasswords'] = (appObjectId) => passwords.listPasswords(this.ctx, appObjectId);

  addKeyCredential: DirectoryClient['addKeyCredential'] = (appObjectId, input) => keys.addKeyCredential(this.ctx, appObjectId, input);
  removeKeyCredential: DirectoryClient['removeKeyCredential'] = (appObjectId, keyId) => keys.removeKeyCredential(this.ctx, appObjectId, keyId);
  listKeyCredentials: DirectoryClient['listKeyCredentials'] = (appObjectId) => keys.listKeyCredentials(this.ctx, appObjectId);
  replaceKeyCredentials: DirectoryClient['replaceKeyCredentials'] = (appObjectId, entries) => keys.replaceKeyCredentials(this.ctx, appObjectId, entries);

  listDirectoryRoleDefinitions: DirectoryClient['listDirectoryRoleDefinitions'] = async () => [...DIRECTORY_ROLES];
  listDirectoryRoleAssignments: DirectoryClient['listDirectoryRoleAssignments'] = (filter) => roles.listDirectoryRoleAssignments(this.ctx, filter);
  getDirectoryRoleAssignment: DirectoryClient['getDirectoryRoleAssignment'] = (id) => roles.getDirectoryRoleAssignment(this.ctx, id);
  assignDirectoryRole: DirectoryClient['assignDirectoryRole'] = (input) => roles.assignDirectoryRole(this.ctx, input);
  removeDirectoryRoleAssignment: DirectoryClient['removeDirectoryRoleAssignment'] = (id) => roles.removeDirectoryRoleAssignment(this.ctx, id);

  hasDirectoryRole: DirectoryClient['hasDirectoryRole'] = async (principalId, roleDefinitionId) => {
    const filter = { principalId: requireObjectId(principalId), roleDefinitionId: requireObjectId(roleDefinitionId) };
    return (await this.ctx.store.directory.listDirectoryRoleAssignments(filter)).length > 0;
  };
}

/** appIds are stored lower case (GUIDs); a filter may name one in any case. */
function storedCase(query: DirectoryPageQuery): DirectoryPageQuery {
  const appId = query.filter?.appId;
  return { ...query, filter: query.filter && { ...query.filter, appId: appId?.toLowerCase() } };
}
