import { AppError } from '../../errors/index.js';
import { newGuid } from '../../shared/index.js';
import type { CreateServicePrincipalInput } from './directory-client.js';
import { commit, isoNow, type DirectoryContext } from './directory-context.js';
import type { ServicePrincipalRecord } from './directory-store.js';
import { duplicate } from './applications.js';
import { invalidProperty, requireGuidProperty, requireObjectId, requireText } from './validate.js';

const RESOURCE = 'ServicePrincipal';

export async function createServicePrincipal(ctx: DirectoryContext, input: CreateServicePrincipalInput): Promise<ServicePrincipalRecord> {
  if (typeof input !== 'object' || input === null) throw new AppError('Request_BadRequest', 'The request body must be a ServicePrincipal object.');
  const appId = requireGuidProperty(input.appId, 'appId', RESOURCE);
  const type = input.servicePrincipalType ?? 'Application';
  if (type !== 'Application' && type !== 'ManagedIdentity') {
    throw invalidProperty('servicePrincipalType', RESOURCE, "it must be 'Application' or 'ManagedIdentity'.");
  }
  if (type === 'ManagedIdentity' && !ctx.privileged) {
    throw invalidProperty('servicePrincipalType', RESOURCE, 'managed identities are created by the system, not through the directory API.');
  }
  const assignmentRequired = input.appRoleAssignmentRequired ?? false;
  if (typeof assignmentRequired !== 'boolean') throw invalidProperty('appRoleAssignmentRequired', RESOURCE, 'it must be true or false.');
  const displayName = input.displayName === undefined ? undefined : requireText(input.displayName, 'displayName', RESOURCE, 256);

  return commit(ctx, async (tx) => {
    const app = await tx.directory.getApplicationByAppId(appId);
    // A managed identity has no app registration; every other principal instantiates one.
    if (!app && type !== 'ManagedIdentity') {
      throw new AppError('Request_BadRequest', `The appId '${appId}' of the service principal does not reference a valid application object.`);
    }
    const name = displayName ?? app?.displayName;
    if (name === undefined) throw invalidProperty('displayName', RESOURCE, 'it is required for a managed identity.');
    if (await tx.directory.getServicePrincipalByAppId(appId)) throw duplicate('appId');
    const sp: ServicePrincipalRecord = {
      id: newGuid(), appId, displayName: name, servicePrincipalType: type,
      appRoleAssignmentRequired: assignmentRequired, accountEnabled: true, createdDateTime: isoNow(ctx),
    };
    await tx.directory.insertServicePrincipal(sp);
    return { result: sp, event: { type: 'servicePrincipal.created', servicePrincipalId: sp.id, appId } };
  });
}

export const getServicePrincipal = (ctx: DirectoryContext, id: string): Promise<ServicePrincipalRecord | undefined> =>
  ctx.store.directory.getServicePrincipal(requireObjectId(id));

export const getServicePrincipalByAppId = (ctx: DirectoryContext, appId: string): Promise<ServicePrincipalRecord | undefined> =>
  ctx.store.directory.getServicePrincipalByAppId(requireObjectId(appId));
