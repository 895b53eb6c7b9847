import { AppError } from '../../errors/index.js';
import type { ManagementContext } from '../context.js';
import type { DirectoryClient } from '../directory-client.js';

/**
 * Runs a directory call as the service's managed identity and turns a permission refusal into an
 * ARM error that says which role is missing and how to grant it.
 */
export async function asManagedIdentity<T>(ctx: ManagementContext, action: string, call: (directory: DirectoryClient) => Promise<T>): Promise<T> {
  try {
    return await call(ctx.directory);
  } catch (error) {
    if (error instanceof AppError && error.code === 'Authorization_RequestDenied') {
      throw new AppError(
        'ManagedIdentityNotAuthorized',
        `The managed identity of API Management service '${ctx.instance.serviceName}' (principal id ${ctx.instance.managedIdentityPrincipalId}) ` +
          `cannot ${action}: it must hold the Application Administrator directory role in tenant ${ctx.instance.tenantId}. ` +
          `Assign it (for example: portico directory role assign --role "Application Administrator" --principal ${ctx.instance.serviceName}) and try again.`,
        [],
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * A directory removal as the managed identity; an object that is already gone counts as removed,
 * so a retried delete finishes the job instead of failing on what the first attempt did.
 */
export async function removeAsManagedIdentity(ctx: ManagementContext, action: string, call: (directory: DirectoryClient) => Promise<void>): Promise<void> {
  try {
    await asManagedIdentity(ctx, action, call);
  } catch (error) {
    if (error instanceof AppError && error.code === 'Request_ResourceNotFound') return;
    throw error;
  }
}
