import { AppError } from '../errors/index.js';
import type { DirectoryClient as IdentityDirectoryClient } from '../identity/index.js';
import type { DirectoryClient } from '../management/index.js';

/** The management plane's view of the embedded directory: lookups answer undefined instead of throwing. */
export function adaptDirectoryClient(client: IdentityDirectoryClient, principalId: string): DirectoryClient {
  const orUndefined = async <T>(call: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await call();
    } catch (error) {
      if (error instanceof AppError && error.code === 'Request_ResourceNotFound') return undefined;
      throw error;
    }
  };
  return {
    createApplication: (input) => client.createApplication(input),
    getApplicationByAppId: (appId) => orUndefined(() => client.getApplicationByAppId(appId)),
    deleteApplication: (objectId) => client.deleteApplication(objectId),
    addAppRole: (objectId, role) => client.addAppRole(objectId, role),
    createServicePrincipal: (input) => client.createServicePrincipal(input),
    getServicePrincipalByAppId: (appId) => orUndefined(() => client.getServicePrincipalByAppId(appId)),
    grantAppRole: (input) => client.grantAppRole(input),
    revokeAppRole: (assignmentId) => client.revokeAppRole(assignmentId),
    applyApplicationBatch: (batch) => client.applyApplicationBatch(batch),
    addPassword: (objectId, input) => client.addPassword(objectId, input),
    listPasswords: (objectId) => client.listPasswords(objectId),
    removePassword: (objectId, keyId) => client.removePassword(objectId, keyId),
    listOwnedApplications: () => client.listApplicationsCreatedBy(principalId),
  };
}
