import { OAuthError } from '../../../errors/index.js';
import { need, type TokenStep } from '../token-context.js';

/**
 * Collects the client's enabled roles on the resource. Without any assignment Entra still issues a
 * token (without `roles`) unless the resource requires assignment, which is AADSTS501051.
 */
export const checkAssignment: TokenStep = (ctx) => {
  const client = need(ctx.client, 'client');
  const resource = need(ctx.resource, 'resource');
  const assignments = need(ctx.directory, 'directory').appRoleAssignments(client.servicePrincipal.id)
    .filter((a) => a.resourceId === resource.servicePrincipal.id);
  if (assignments.length === 0 && resource.servicePrincipal.appRoleAssignmentRequired) {
    throw new OAuthError(501051, `Application '${client.app.appId}'(${client.app.displayName}) is not assigned to a role for the application '${resource.identifier}'(${resource.app.displayName}).`);
  }
  const roles = new Set<string>();
  for (const assignment of assignments) {
    const role = resource.app.appRoles.find((r) => r.id === assignment.appRoleId);
    if (role?.isEnabled) roles.add(role.value);
  }
  ctx.roles = [...roles];
};
