import type {
  ApplicationRecord,
  AppRoleAssignmentRecord,
  DirectoryPage,
  DirectoryPageQuery,
  DirectoryRoleAssignmentRecord,
  ServicePrincipalRecord,
} from './directory-store.js';
import type { DirectoryRoleDefinition } from './roles.js';

/**
 * The directory as its callers see it. The management plane holds one acting as the service's
 * managed identity (`DirectoryService.forPrincipal`), the Graph-shaped API one per caller, so both
 * pass the same permission checks. A Microsoft Graph–backed implementation can be added later.
 * Failures are AppErrors with Graph codes: Request_BadRequest, Request_ResourceNotFound,
 * Authorization_RequestDenied.
 */
export interface DirectoryClient {
  createApplication(input: CreateApplicationInput): Promise<ApplicationRecord>;
  /** get* resolve to undefined when the object does not exist (a malformed id is Request_BadRequest). */
  getApplication(objectId: string): Promise<ApplicationRecord | undefined>;
  getApplicationByAppId(appId: string): Promise<ApplicationRecord | undefined>;
  listApplications(): Promise<ApplicationRecord[]>;
  /** The applications this service principal created (Graph: its ownedObjects), oldest first. */
  listApplicationsCreatedBy(principalId: string): Promise<ApplicationRecord[]>;
  /** One page of applications (top + 1 at most), filtered and ordered in the store; see DirectoryPageQuery. */
  pageApplications(query: DirectoryPageQuery): Promise<ApplicationRecord[]>;
  /** The applications of these appIds, in one read; unknown ones are left out. */
  getApplicationsByAppIds(appIds: readonly string[]): Promise<ApplicationRecord[]>;
  /** The password and key credentials of each application (object ids), in one read per kind. */
  listCredentialsOfApplications(applicationObjectIds: readonly string[]): Promise<Map<string, ApplicationCredentials>>;
  /** Deletes the app, its secrets, its service principal and that principal's assignments. */
  deleteApplication(objectId: string): Promise<void>;
  /** Adds an app role to an existing application; one with the same value is kept as it is. */
  addAppRole(applicationObjectId: string, role: AppRoleInput): Promise<ApplicationRecord>;

  createServicePrincipal(input: CreateServicePrincipalInput): Promise<ServicePrincipalRecord>;
  getServicePrincipal(id: string): Promise<ServicePrincipalRecord | undefined>;
  getServicePrincipalByAppId(appId: string): Promise<ServicePrincipalRecord | undefined>;
  listServicePrincipals(): Promise<ServicePrincipalRecord[]>;
  /** One page of service principals (top + 1 at most), filtered and ordered in the store. */
  pageServicePrincipals(query: DirectoryPageQuery): Promise<ServicePrincipalRecord[]>;
  /** The service principals of these object ids, in one read; unknown ones are left out. */
  getServicePrincipalsByIds(ids: readonly string[]): Promise<ServicePrincipalRecord[]>;

  /** Idempotent: an identical existing assignment is returned unchanged. */
  grantAppRole(input: GrantAppRoleInput): Promise<AppRoleAssignmentRecord>;
  revokeAppRole(assignmentId: string): Promise<void>;
  /**
   * Registrations (application + service principal + grants), grants and revocations, many at once
   * in one transaction, all or nothing (bulk import). Needs what createApplication needs.
   */
  applyApplicationBatch(batch: ApplicationBatch): Promise<ApplicationBatchResult>;
  listAppRoleAssignments(filter: { principalId?: string; resourceId?: string }): Promise<AppRoleAssignmentRecord[]>;
  /** One page (top + 1 at most) of a principal's assignments, or of a resource's. */
  pageAppRoleAssignments(filter: { principalId: string } | { resourceId: string }, page: DirectoryPage): Promise<AppRoleAssignmentRecord[]>;

  /** The secret text is returned once and never stored. */
  addPassword(applicationObjectId: string, input?: AddPasswordInput): Promise<NewPasswordCredential>;
  removePassword(applicationObjectId: string, keyId: string): Promise<void>;
  listPasswords(applicationObjectId: string): Promise<PasswordCredential[]>;

  /** Registers a public certificate (RSA ≥ 2048 bits, unexpired) for private_key_jwt. */
  addKeyCredential(applicationObjectId: string, input: AddKeyCredentialInput): Promise<KeyCredential>;
  removeKeyCredential(applicationObjectId: string, keyId: string): Promise<void>;
  listKeyCredentials(applicationObjectId: string): Promise<KeyCredential[]>;
  /**
   * Graph's PATCH of `keyCredentials`: the list given becomes the application's list. Entries
   * with `key` are new certificates; entries without it keep the existing credential of that
   * keyId; credentials not listed are removed. All or nothing.
   */
  replaceKeyCredentials(applicationObjectId: string, entries: readonly KeyCredentialInput[]): Promise<KeyCredential[]>;

  /** The built-in role definitions (Graph's roleManagement/directory/roleDefinitions). */
  listDirectoryRoleDefinitions(): Promise<DirectoryRoleDefinition[]>;
  listDirectoryRoleAssignments(filter: { principalId?: string; roleDefinitionId?: string }): Promise<DirectoryRoleAssignmentRecord[]>;
  getDirectoryRoleAssignment(id: string): Promise<DirectoryRoleAssignmentRecord | undefined>;
  /** Idempotent: an identical existing assignment is returned unchanged. */
  assignDirectoryRole(input: AssignDirectoryRoleInput): Promise<DirectoryRoleAssignmentRecord>;
  removeDirectoryRoleAssignment(id: string): Promise<void>;
  hasDirectoryRole(principalId: string, roleDefinitionId: string): Promise<boolean>;
}

export interface AppRoleInput {
  readonly value: string;
  readonly displayName: string;
  readonly description: string;
}

export interface CreateApplicationInput {
  readonly displayName: string;
  readonly description?: string | null;
  /** Default: [`api://{appId}`]. */
  readonly identifierUris?: readonly string[];
  readonly appRoles?: readonly AppRoleInput[];
  /** Only the system client may choose it (e.g. Microsoft Graph's well-known appId). */
  readonly appId?: string;
  /** Default 2. */
  readonly requestedAccessTokenVersion?: 1 | 2;
  /** Who creates it: a permission-checked client always sets its own principal here. */
  readonly createdBy?: string | null;
}

export interface CreateServicePrincipalInput {
  readonly appId: string;
  readonly appRoleAssignmentRequired?: boolean;
  /** 'ManagedIdentity' only for the system client; such a principal needs no application. */
  readonly servicePrincipalType?: 'Application' | 'ManagedIdentity';
  /** Default: the application's displayName. */
  readonly displayName?: string;
}

export interface GrantAppRoleInput {
  readonly principalId: string;
  readonly resourceId: string;
  readonly appRoleId: string;
}

export interface ApplicationBatch {
  /** New client registrations: each gets an application (`api://{appId}`), its service principal and these grants. */
  readonly register?: readonly { readonly displayName: string; readonly description?: string | null; readonly grants: readonly Omit<GrantAppRoleInput, 'principalId'>[] }[];
  /** Grants to existing principals (an identical existing grant is kept). */
  readonly grant?: readonly GrantAppRoleInput[];
  /** App role assignment ids to revoke. */
  readonly revoke?: readonly string[];
}

export interface RegisteredApplication {
  readonly application: ApplicationRecord;
  readonly servicePrincipal: ServicePrincipalRecord;
  readonly assignments: readonly AppRoleAssignmentRecord[];
}

export interface ApplicationBatchResult {
  /** In the order of `register`. */
  readonly registered: readonly RegisteredApplication[];
  /** In the order of `grant`. */
  readonly granted: readonly AppRoleAssignmentRecord[];
}

export interface AddPasswordInput {
  readonly displayName?: string | null;
}

/** A password credential as Graph shows it: never the secret, never its digest. */
export interface PasswordCredential {
  readonly keyId: string;
  readonly displayName: string | null;
  readonly hint: string;
  readonly startDateTime: string;
  readonly endDateTime: string;
}

export interface NewPasswordCredential extends PasswordCredential {
  readonly secretText: string;
}

export interface ApplicationCredentials {
  readonly passwords: readonly PasswordCredential[];
  readonly keys: readonly KeyCredential[];
}

export interface AddKeyCredentialInput {
  /** The certificate: base64 of its DER encoding (Graph's `key`), or PEM text. */
  readonly key: string;
  readonly displayName?: string | null;
}

/** One element of Graph's `keyCredentials` as a PATCH body carries it. */
export interface KeyCredentialInput {
  readonly keyId?: string;
  /** Only on new entries: base64 DER (or PEM). */
  readonly key?: string | null;
  readonly type?: string;
  readonly usage?: string;
  readonly displayName?: string | null;
  readonly customKeyIdentifier?: string | null;
  readonly startDateTime?: string | null;
  readonly endDateTime?: string | null;
}

/** A certificate credential as Graph shows it: never the certificate itself (`key` is null). */
export interface KeyCredential {
  readonly keyId: string;
  readonly displayName: string | null;
  /** SHA-1 thumbprint of the certificate, hex upper case. */
  readonly customKeyIdentifier: string;
  readonly type: 'AsymmetricX509Cert';
  readonly usage: 'Verify';
  readonly startDateTime: string;
  readonly endDateTime: string;
}

export interface AssignDirectoryRoleInput {
  readonly principalId: string;
  readonly roleDefinitionId: string;
  /** Only the tenant-wide scope '/' exists here. Default '/'. */
  readonly directoryScopeId?: string;
}
