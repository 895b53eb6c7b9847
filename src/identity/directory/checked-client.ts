import { AppError } from '../../errors/index.js';
import type { DirectoryClient } from './directory-client.js';
import type { DirectoryContext } from './directory-context.js';
import { effectiveRoles } from './directory-role-assignments.js';
import { PERMISSION_ROLES, describeRoles, type DirectoryPermission } from './roles.js';
import { isGuid } from './validate.js';

/** Which permission each DirectoryClient method needs. */
const REQUIRED: Readonly<Record<keyof DirectoryClient, DirectoryPermission>> = {
  createApplication: 'manageApplications',
  getApplication: 'read',
  getApplicationByAppId: 'read',
  listApplications: 'read',
  listApplicationsCreatedBy: 'read',
  pageApplications: 'read',
  getApplicationsByAppIds: 'read',
  listCredentialsOfApplications: 'read',
  deleteApplication: 'manageApplications',
  addAppRole: 'manageApplications',
  createServicePrincipal: 'manageApplications',
  getServicePrincipal: 'read',
  getServicePrincipalByAppId: 'read',
  listServicePrincipals: 'read',
  pageServicePrincipals: 'read',
  getServicePrincipalsByIds: 'read',
  grantAppRole: 'manageApplications',
  revokeAppRole: 'manageApplications',
  applyApplicationBatch: 'manageApplications',
  listAppRoleAssignments: 'read',
  pageAppRoleAssignments: 'read',
  addPassword: 'manageApplications',
  removePassword: 'manageApplications',
  listPasswords: 'read',
  addKeyCredential: 'manageApplications',
  removeKeyCredential: 'manageApplications',
  listKeyCredentials: 'read',
  replaceKeyCredentials: 'manageApplications',
  listDirectoryRoleDefinitions: 'read',
  listDirectoryRoleAssignments: 'read',
  getDirectoryRoleAssignment: 'read',
  assignDirectoryRole: 'manageRoleAssignments',
  removeDirectoryRoleAssignment: 'manageRoleAssignments',
  hasDirectoryRole: 'read',
};

/**
 * Acts as one service principal: every call first checks, live from the store, that the caller
 * holds a directory role granting it. A principal may always ask about its own roles, so the
 * management plane can explain a missing role instead of just failing.
 */
export function permissionCheckedClient(ctx: DirectoryContext, principalId: string, inner: DirectoryClient): DirectoryClient {
  const caller = principalId.toLowerCase();
  const demand = async (permission: DirectoryPermission): Promise<void> => {
    const held = await effectiveRoles(ctx, caller);
    const allowed = PERMISSION_ROLES[permission];
    if (!allowed.some((role) => held.has(role))) {
      throw new AppError('Authorization_RequestDenied',
        `Insufficient privileges to complete the operation. The caller needs the ${describeRoles(allowed)} directory role.`);
    }
  };
  const isSelf = (id: unknown): boolean => typeof id === 'string' && id.toLowerCase() === caller;

  const client = {} as Record<keyof DirectoryClient, (...args: never[]) => Promise<unknown>>;
  for (const method of Object.keys(REQUIRED) as (keyof DirectoryClient)[]) {
    const call = inner[method] as (...args: unknown[]) => Promise<unknown>;
    client[method] = async (...args: unknown[]) => {
      if (!selfQuery(method, args, isSelf)) await demand(REQUIRED[method]);
      // Whoever holds an application's credentials acts with its directory roles: changing the
      // credentials of (or deleting) an application whose principal holds any directory role is
      // role management, not application management. Otherwise an Application Administrator could
      // mint a secret for the bootstrap admin and take over the instance.
      if (CREDENTIAL_METHODS.has(method) && (await holdsDirectoryRoles(ctx, args[0]))) await demand('manageRoleAssignments');
      // The creator is recorded as the acting principal, never as whatever the input claims.
      if (method === 'createApplication' && typeof args[0] === 'object' && args[0] !== null) args = [{ ...args[0], createdBy: caller }, ...args.slice(1)];
      return call(...args);
    };
  }
  return client as unknown as DirectoryClient;
}

const CREDENTIAL_METHODS: ReadonlySet<keyof DirectoryClient> = new Set([
  'addPassword', 'removePassword', 'addKeyCredential', 'removeKeyCredential', 'replaceKeyCredentials', 'deleteApplication',
]);

async function holdsDirectoryRoles(ctx: DirectoryContext, applicationObjectId: unknown): Promise<boolean> {
  if (typeof applicationObjectId !== 'string' || !isGuid(applicationObjectId)) return false;
  const application = await ctx.store.directory.getApplication(applicationObjectId.toLowerCase());
  const principal = application ? await ctx.store.directory.getServicePrincipalByAppId(application.appId) : undefined;
  // Assignments as stored, enabled or not: a disabled role holder would regain its roles when re-enabled.
  return principal !== undefined && (await ctx.store.directory.listDirectoryRoleAssignments({ principalId: principal.id })).length > 0;
}

function selfQuery(method: keyof DirectoryClient, args: unknown[], isSelf: (id: unknown) => boolean): boolean {
  if (method === 'hasDirectoryRole') return isSelf(args[0]);
  if (method === 'listDirectoryRoleAssignments') {
    const filter = args[0] as { principalId?: unknown } | undefined;
    return isSelf(filter?.principalId);
  }
  return false;
}
