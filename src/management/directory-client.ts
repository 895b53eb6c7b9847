/**
 * What the control plane asks of the directory, acting as the service's managed identity. The
 * embedded identity provider implements it with the same permission checks as its Graph-shaped
 * HTTP API; a Microsoft Graph–backed implementation can be added later.
 */
export interface DirectoryAppRoleRef {
  readonly id: string;
  readonly value: string;
  readonly isEnabled: boolean;
}

export interface DirectoryApplicationRef {
  readonly id: string;
  readonly appId: string;
  readonly displayName: string;
  readonly appRoles: readonly DirectoryAppRoleRef[];
}

export interface DirectoryClient {
  createApplication(input: {
    displayName: string;
    description?: string;
    appRoles?: { value: string; displayName: string; description: string }[];
  }): Promise<DirectoryApplicationRef>;
  getApplicationByAppId(appId: string): Promise<DirectoryApplicationRef | undefined>;
  deleteApplication(objectId: string): Promise<void>;
  addAppRole(applicationObjectId: string, role: { value: string; displayName: string; description: string }): Promise<DirectoryApplicationRef>;
  createServicePrincipal(input: { appId: string; appRoleAssignmentRequired?: boolean }): Promise<{ readonly id: string }>;
  getServicePrincipalByAppId(appId: string): Promise<{ readonly id: string } | undefined>;
  grantAppRole(input: { principalId: string; resourceId: string; appRoleId: string }): Promise<{ readonly id: string }>;
  revokeAppRole(assignmentId: string): Promise<void>;
  /**
   * The applications the service's managed identity created (Graph: its ownedObjects), to find
   * those a crashed registration left behind. Only these may be removed as orphans.
   */
  listOwnedApplications(): Promise<readonly DirectoryApplicationRef[]>;
  /** Many registrations, grants and revocations in one directory transaction, all or nothing (bulk import). */
  applyApplicationBatch(batch: {
    register?: readonly { displayName: string; description?: string | null; grants: readonly { resourceId: string; appRoleId: string }[] }[];
    grant?: readonly { principalId: string; resourceId: string; appRoleId: string }[];
    revoke?: readonly string[];
  }): Promise<{
    readonly registered: readonly { readonly application: { readonly id: string; readonly appId: string }; readonly servicePrincipal: { readonly id: string }; readonly assignments: readonly { readonly id: string; readonly resourceId: string }[] }[];
    readonly granted: readonly { readonly id: string; readonly principalId: string; readonly resourceId: string }[];
  }>;
  addPassword(applicationObjectId: string, input: { displayName?: string }): Promise<{ readonly keyId: string; readonly secretText: string; readonly endDateTime: string }>;
  listPasswords(applicationObjectId: string): Promise<readonly { readonly keyId: string; readonly displayName: string | null; readonly startDateTime: string }[]>;
  removePassword(applicationObjectId: string, keyId: string): Promise<void>;
}
