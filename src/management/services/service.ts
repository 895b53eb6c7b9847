import { AppError } from '../../errors/index.js';
import type { GroupRecord } from '../management-store.js';
import type { ManagementContext } from '../context.js';
import { serviceResourceId } from '../context.js';
import { armResource, type ArmResource } from '../arm/resource.js';

export function serviceResource(ctx: ManagementContext): ArmResource {
  return {
    id: serviceResourceId(ctx.instance),
    type: 'Microsoft.ApiManagement/service',
    name: ctx.instance.serviceName,
    properties: { provisioningState: 'Succeeded', publisherName: 'Portico', publisherEmail: 'admin@portico.local' },
    ...{ location: 'local', sku: { name: 'Developer', capacity: 1 }, identity: { type: 'SystemAssigned', principalId: ctx.instance.managedIdentityPrincipalId, tenantId: ctx.instance.tenantId } },
  } as ArmResource;
}

export function groupResource(ctx: ManagementContext, group: GroupRecord): ArmResource {
  return armResource(ctx.instance, [['groups', group.id]], {
    displayName: group.displayName,
    description: group.description,
    builtIn: group.builtIn,
    type: group.type,
  });
}

export async function requireGroup(ctx: ManagementContext, id: string): Promise<GroupRecord> {
  const group = await ctx.store.management.getGroup(id);
  if (!group) throw new AppError('ResourceNotFound', 'Group not found.');
  return group;
}
