import { AppError } from '../../errors/index.js';
import { newGuid } from '../../shared/index.js';
import type { GrantAppRoleInput } from './directory-client.js';
import { commit, isoNow, type DirectoryContext } from './directory-context.js';
import type { AppRoleAssignmentRecord } from './directory-store.js';
import { addResourceAccessFor, removeResourceAccessFor } from './required-resource-access.js';
import { invalidProperty, notFound, requireGuidProperty, requireObjectId } from './validate.js';

const RESOURCE = 'AppRoleAssignment';

/** The "admin consent" step: client principal gets a role of the resource's application. */
export async function grantAppRole(ctx: DirectoryContext, input: GrantAppRoleInput): Promise<AppRoleAssignmentRecord> {
  if (typeof input !== 'object' || input === null) throw new AppError('Request_BadRequest', 'The request body must be an AppRoleAssignment object.');
  const principalId = requireGuidProperty(input.principalId, 'principalId', RESOURCE);
  const resourceId = requireGuidProperty(input.resourceId, 'resourceId', RESOURCE);
  const appRoleId = requireGuidProperty(input.appRoleId, 'appRoleId', RESOURCE);

  return commit(ctx, async (tx) => {
    const principal = await tx.directory.getServicePrincipal(principalId);
    if (!principal) throw invalidProperty('principalId', RESOURCE, `no service principal has id '${principalId}'.`);
    const resource = await tx.directory.getServicePrincipal(resourceId);
    if (!resource) throw invalidProperty('resourceId', RESOURCE, `no service principal has id '${resourceId}'.`);
    const resourceApp = await tx.directory.getApplicationByAppId(resource.appId);
    const role = resourceApp?.appRoles.find((r) => r.id === appRoleId);
    if (!resourceApp || !role) {
      throw invalidProperty('appRoleId', RESOURCE, `the resource '${resource.displayName}' defines no app role with id '${appRoleId}'.`);
    }
    if (!role.isEnabled) throw invalidProperty('appRoleId', RESOURCE, `the app role '${role.value}' is disabled.`);
    if (!role.allowedMemberTypes.includes('Application')) {
      throw invalidProperty('appRoleId', RESOURCE, `the app role '${role.value}' cannot be assigned to applications.`);
    }
    const existing = (await tx.directory.listAppRoleAssignments({ principalId }))
      .find((a) => a.resourceId === resourceId && a.appRoleId === appRoleId);
    if (existing) return { result: existing, event: undefined };

    const assignment: AppRoleAssignmentRecord = { id: newGuid(), principalId, resourceId, appRoleId, createdDateTime: isoNow(ctx) };
    await tx.directory.insertAppRoleAssignment(assignment);
    const changedApp = await addResourceAccessFor(tx, principalId, resourceApp.appId, appRoleId);
    return {
      result: assignment,
      event: { type: 'appRoleAssignment.created', assignmentId: assignment.id, principalId, changedObjectIds: [assignment.id, principalId, ...(changedApp ? [changedApp] : [])] },
    };
  });
}

export async function revokeAppRole(ctx: DirectoryContext, assignmentId: string): Promise<void> {
  const id = requireObjectId(assignmentId);
  await commit(ctx, async (tx) => {
    const assignment = await tx.directory.getAppRoleAssignment(id);
    if (!assignment) throw notFound(assignmentId);
    await tx.directory.deleteAppRoleAssignment(id);
    const resource = await tx.directory.getServicePrincipal(assignment.resourceId);
    const changedApp = resource ? await removeResourceAccessFor(tx, assignment.principalId, resource.appId, assignment.appRoleId) : undefined;
    return {
      result: undefined,
      event: { type: 'appRoleAssignment.deleted', assignmentId: id, principalId: assignment.principalId, changedObjectIds: [id, assignment.principalId, ...(changedApp ? [changedApp] : [])] },
    };
  });
}

export async function listAppRoleAssignments(
  ctx: DirectoryContext,
  filter: { principalId?: string; resourceId?: string },
): Promise<AppRoleAssignmentRecord[]> {
  const query: { principalId?: string; resourceId?: string } = {};
  if (filter.principalId !== undefined) query.principalId = requireObjectId(filter.principalId);
  if (filter.resourceId !== undefined) query.resourceId = requireObjectId(filter.resourceId);
  return ctx.store.directory.listAppRoleAssignments(query);
}
