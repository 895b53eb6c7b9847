import { AppError } from '../../errors/index.js';
import { newGuid } from '../../shared/index.js';
import type { AssignDirectoryRoleInput } from './directory-client.js';
import { commit, isoNow, type DirectoryContext } from './directory-context.js';
import type { DirectoryRoleAssignmentRecord } from './directory-store.js';
import { findDirectoryRole } from './roles.js';
import { invalidProperty, isGuid, notFound, requireGuidProperty, requireObjectId } from './validate.js';

const RESOURCE = 'UnifiedRoleAssignment';

export async function assignDirectoryRole(ctx: DirectoryContext, input: AssignDirectoryRoleInput): Promise<DirectoryRoleAssignmentRecord> {
  if (typeof input !== 'object' || input === null) throw new AppError('Request_BadRequest', 'The request body must be a unifiedRoleAssignment object.');
  const principalId = requireGuidProperty(input.principalId, 'principalId', RESOURCE);
  const roleDefinitionId = requireGuidProperty(input.roleDefinitionId, 'roleDefinitionId', RESOURCE);
  const directoryScopeId = input.directoryScopeId ?? '/';
  if (directoryScopeId !== '/') throw invalidProperty('directoryScopeId', RESOURCE, "only the tenant-wide scope '/' is supported.");
  if (!findDirectoryRole(roleDefinitionId)) throw invalidProperty('roleDefinitionId', RESOURCE, `no role definition has id '${roleDefinitionId}'.`);

  return commit(ctx, async (tx) => {
    if (!(await tx.directory.getServicePrincipal(principalId))) {
      throw invalidProperty('principalId', RESOURCE, `no service principal has id '${principalId}'.`);
    }
    const existing = (await tx.directory.listDirectoryRoleAssignments({ principalId, roleDefinitionId }))
      .find((a) => a.directoryScopeId === directoryScopeId);
    if (existing) return { result: existing, event: undefined };
    const assignment: DirectoryRoleAssignmentRecord = { id: newGuid(), principalId, roleDefinitionId, directoryScopeId, createdDateTime: isoNow(ctx) };
    await tx.directory.insertDirectoryRoleAssignment(assignment);
    return { result: assignment, event: { type: 'directoryRoleAssignment.created', assignmentId: assignment.id, principalId } };
  });
}

export const getDirectoryRoleAssignment = (ctx: DirectoryContext, id: string): Promise<DirectoryRoleAssignmentRecord | undefined> =>
  ctx.store.directory.getDirectoryRoleAssignment(requireObjectId(id));

export async function removeDirectoryRoleAssignment(ctx: DirectoryContext, id: string): Promise<void> {
  const assignmentId = requireObjectId(id);
  await commit(ctx, async (tx) => {
    const assignment = await tx.directory.getDirectoryRoleAssignment(assignmentId);
    if (!assignment) throw notFound(id);
    await tx.directory.deleteDirectoryRoleAssignment(assignmentId);
    return { result: undefined, event: { type: 'directoryRoleAssignment.deleted', assignmentId, principalId: assignment.principalId } };
  });
}

export async function listDirectoryRoleAssignments(
  ctx: DirectoryContext,
  filter: { principalId?: string; roleDefinitionId?: string },
): Promise<DirectoryRoleAssignmentRecord[]> {
  const query: { principalId?: string; roleDefinitionId?: string } = {};
  if (filter.principalId !== undefined) query.principalId = requireObjectId(filter.principalId);
  if (filter.roleDefinitionId !== undefined) query.roleDefinitionId = requireObjectId(filter.roleDefinitionId);
  return ctx.store.directory.listDirectoryRoleAssignments(query);
}

/** Roles of an enabled, existing principal; a missing or disabled principal holds none. */
export async function effectiveRoles(ctx: DirectoryContext, principalId: string): Promise<Set<string>> {
  if (!isGuid(principalId)) return new Set();
  const sp = await ctx.store.directory.getServicePrincipal(principalId.toLowerCase());
  if (!sp || !sp.accountEnabled) return new Set();
  const assignments = await ctx.store.directory.listDirectoryRoleAssignments({ principalId: sp.id });
  return new Set(assignments.map((a) => a.roleDefinitionId));
}
