import { isGuid } from '../shared/index.js';
import type { DirectoryClient } from '../identity/index.js';

/**
 * Looks up, live, which app roles of the management application a principal holds: none when the
 * principal is gone or disabled. Management calls check this instead of the token's `roles`, so
 * taking a role away works at once.
 */
export function managementRolesOf(directory: DirectoryClient, managementAppId: string): (objectId: string) => Promise<string[] | undefined> {
  return async (objectId) => {
    if (!isGuid(objectId)) return undefined;
    const principal = await directory.getServicePrincipal(objectId);
    if (!principal || !principal.accountEnabled) return undefined;
    const [application, resource] = await Promise.all([directory.getApplicationByAppId(managementAppId), directory.getServicePrincipalByAppId(managementAppId)]);
    if (!application || !resource) return [];
    const assignments = await directory.listAppRoleAssignments({ principalId: objectId, resourceId: resource.id });
    return assignments.flatMap((assignment) => application.appRoles.filter((role) => role.id === assignment.appRoleId && role.isEnabled).map((role) => role.value));
  };
}
