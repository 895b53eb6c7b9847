/**
 * What the directory needs from storage. Names follow Microsoft Graph so anyone who knows Entra
 * recognises them. `store/` implements this interface; identity never imports a database driver.
 * Timestamps are ISO-8601 strings in UTC. Lists are ordered by creation time, then id.
 */

export interface AppRole {
  readonly id: string;
  readonly value: string;
  readonly displayName: string;
  readonly description: string;
  readonly allowedMemberTypes: readonly ('Application' | 'User')[];
  readonly isEnabled: boolean;
}

export interface RequiredResourceAccess {
  readonly resourceAppId: string;
  readonly resourceAccess: readonly { readonly id: string; readonly type: 'Role' | 'Scope' }[];
}

/** An app registration. */
export interface ApplicationRecord {
  readonly id: string; // object id
  readonly appId: string; // client id
  readonly displayName: string;
  readonly description: string | null;
  readonly identifierUris: readonly string[];
  readonly appRoles: readonly AppRole[];
  readonly requiredResourceAccess: readonly RequiredResourceAccess[];
  /** 2 = v2 access tokens (the default here); 1 = v1. */
  readonly requestedAccessTokenVersion: 1 | 2;
  readonly createdDateTime: string;
  /**
   * The service principal that created it (Entra makes it an owner); null for first-start objects
   * and applications older than migration 0011. Never changes.
   */
  readonly createdBy?: string | null;
}

/** A client secret. Only the SHA-256 digest of the secret is stored. */
export interface PasswordCredentialRecord {
  readonly keyId: string;
  readonly applicationId: string; // application object id
  readonly displayName: string | null;
  /** First three characters of the secret, as Entra shows them. */
  readonly hint: string;
  /** base64url SHA-256 of the secret. */
  readonly secretHash: string;
  readonly startDateTime: string;
  readonly endDateTime: string;
}

/**
 * A certificate credential (Graph's keyCredential of type AsymmetricX509Cert, usage Verify): the
 * public certificate an application signs its client assertions with. Never a private key.
 */
export interface KeyCredentialRecord {
  readonly keyId: string;
  readonly applicationId: string; // application object id
  readonly displayName: string | null;
  /** The certificate, base64 DER. */
  readonly certificate: string;
  /** SHA-1 of the DER, hex upper case: Graph's customKeyIdentifier, the `x5t` header. */
  readonly thumbprintSha1: string;
  /** SHA-256 of the DER, hex upper case: the `x5t#S256` header. */
  readonly thumbprintSha256: string;
  /** The certificate's validity (notBefore, notAfter). */
  readonly startDateTime: string;
  readonly endDateTime: string;
  readonly createdDateTime: string;
}

export interface ServicePrincipalRecord {
  readonly id: string; // object id
  readonly appId: string;
  readonly displayName: string;
  readonly servicePrincipalType: 'Application' | 'ManagedIdentity';
  readonly appRoleAssignmentRequired: boolean;
  readonly accountEnabled: boolean;
  readonly createdDateTime: string;
}

/** A granted app role: client service principal → role on a resource service principal. */
export interface AppRoleAssignmentRecord {
  readonly id: string;
  readonly principalId: string;
  readonly resourceId: string;
  readonly appRoleId: string;
  readonly createdDateTime: string;
}

/** A built-in directory role (Application Administrator, …) held by a principal. */
export interface DirectoryRoleAssignmentRecord {
  readonly id: string;
  readonly principalId: string;
  readonly roleDefinitionId: string;
  readonly directoryScopeId: string;
  readonly createdDateTime: string;
}

/**
 * A token-signing key pair; the private half is encrypted at rest. Its lifecycle (see
 * keys/key-selection.ts): published in the JWKS from creation until `retiresAt`; signs from
 * `activatesAt` while it is the newest activated key that is still published.
 */
export interface SigningKeyRecord {
  /** Since certificates: the certificate's SHA-1 thumbprint (base64url, = x5t). Older keys: the RFC 7638 JWK thumbprint. */
  readonly kid: string;
  /** AES-256-GCM ciphertext of the PKCS#8 PEM private key (SecretBox in shared/crypto.ts). */
  readonly privateKeyEncrypted: string;
  /** Public JWK as JSON text. */
  readonly publicJwk: string;
  readonly createdAt: string;
  /** The key may sign from this time on; published in JWKS from createdAt. */
  readonly activatesAt: string;
  /** null while no successor is scheduled; the key leaves the JWKS (and verifies nothing) from this time. */
  readonly retiresAt: string | null;
  /** Self-signed X.509 certificate of the key, base64 DER (the JWKS `x5c` entry); null for keys made before certificates. */
  readonly certificate: string | null;
}

/** Where a directory list continues: the creation time and id of the last object of the previous page. */
export interface DirectoryPosition {
  readonly createdDateTime: string;
  readonly id: string;
}

/** A page of a directory list in list order (createdDateTime, then id): at most top + 1 objects after `after`. */
export interface DirectoryPage {
  readonly top: number;
  readonly after?: DirectoryPosition | undefined;
}

/**
 * One page of applications or service principals in list order (createdDateTime, then id, code unit
 * order), read in SQL: at most top + 1 objects after `after`, so the caller knows whether another
 * page exists. `appId` compares exactly (ids are stored lower case); `displayName` case-insensitively.
 */
export interface DirectoryPageQuery extends DirectoryPage {
  readonly filter?: { readonly appId?: string | undefined; readonly displayName?: string | undefined } | undefined;
}

/** Identifier URIs compare case-insensitively and without a trailing slash, as the token endpoint resolves them. */
export const normaliseIdentifierUri = (uri: string): string => uri.toLowerCase().replace(/\/+$/, '');

export interface DirectoryStore {
  /** STORE_CONFLICT when another application has one of its identifier URIs (normaliseIdentifierUri). */
  insertApplication(app: ApplicationRecord): Promise<void>;
  /** Replaces every field but id, appId and createdDateTime. STORE_NOT_FOUND when absent; STORE_CONFLICT as insert. */
  updateApplication(app: ApplicationRecord): Promise<void>;
  /** The id of an application holding any of these identifier URIs (compared as normaliseIdentifierUri does), by index. */
  findApplicationIdByIdentifierUris(uris: readonly string[]): Promise<string | undefined>;
  getApplication(id: string): Promise<ApplicationRecord | undefined>;
  getApplicationByAppId(appId: string): Promise<ApplicationRecord | undefined>;
  listApplications(): Promise<ApplicationRecord[]>;
  /** The applications a service principal created (object id, lower case), by index. */
  listApplicationsCreatedBy(principalId: string): Promise<ApplicationRecord[]>;
  /** A page of applications, filtered and paged in SQL by index. */
  pageApplications(query: DirectoryPageQuery): Promise<ApplicationRecord[]>;
  /** The applications of these appIds (exactly as stored), in one query; missing ones are left out. */
  listApplicationsByAppIds(appIds: readonly string[]): Promise<ApplicationRecord[]>;
  /** Also deletes the application's password and key credentials. */
  deleteApplication(id: string): Promise<void>;

  insertPasswordCredential(credential: PasswordCredentialRecord): Promise<void>;
  listPasswordCredentials(applicationId: string): Promise<PasswordCredentialRecord[]>;
  /** Every application's, in the same order per application (the token endpoint's view reads them at once). */
  listAllPasswordCredentials(): Promise<PasswordCredentialRecord[]>;
  /** Each application's password credentials (ordered as listPasswordCredentials), in one query. */
  listPasswordCredentialsOfApplications(applicationIds: readonly string[]): Promise<Map<string, PasswordCredentialRecord[]>>;
  deletePasswordCredential(keyId: string): Promise<void>;

  /** STORE_REFERENCE without the application; STORE_CONFLICT for a keyId, or a certificate the application already has. */
  insertKeyCredential(credential: KeyCredentialRecord): Promise<void>;
  /** Ordered by createdDateTime, then keyId. */
  listKeyCredentials(applicationId: string): Promise<KeyCredentialRecord[]>;
  /** Every application's certificates, for the token endpoint's in-memory view. */
  listAllKeyCredentials(): Promise<KeyCredentialRecord[]>;
  /** Each application's key credentials (ordered as listKeyCredentials), in one query. */
  listKeyCredentialsOfApplications(applicationIds: readonly string[]): Promise<Map<string, KeyCredentialRecord[]>>;
  deleteKeyCredential(keyId: string): Promise<void>;

  insertServicePrincipal(sp: ServicePrincipalRecord): Promise<void>;
  /** Replaces displayName, appRoleAssignmentRequired and accountEnabled. */
  updateServicePrincipal(sp: ServicePrincipalRecord): Promise<void>;
  getServicePrincipal(id: string): Promise<ServicePrincipalRecord | undefined>;
  getServicePrincipalByAppId(appId: string): Promise<ServicePrincipalRecord | undefined>;
  listServicePrincipals(): Promise<ServicePrincipalRecord[]>;
  /** A page of service principals, filtered and paged in SQL by index. */
  pageServicePrincipals(query: DirectoryPageQuery): Promise<ServicePrincipalRecord[]>;
  /** The service principals of these ids (exactly as stored), in one query; missing ones are left out. */
  listServicePrincipalsByIds(ids: readonly string[]): Promise<ServicePrincipalRecord[]>;
  /** Also deletes app role assignments where it is principal or resource, and its directory role assignments. */
  deleteServicePrincipal(id: string): Promise<void>;

  insertAppRoleAssignment(assignment: AppRoleAssignmentRecord): Promise<void>;
  getAppRoleAssignment(id: string): Promise<AppRoleAssignmentRecord | undefined>;
  listAppRoleAssignments(filter: { principalId?: string; resourceId?: string }): Promise<AppRoleAssignmentRecord[]>;
  /** A page of one principal's assignments, or of one resource's, in list order, by index. */
  pageAppRoleAssignments(filter: { principalId: string } | { resourceId: string }, page: DirectoryPage): Promise<AppRoleAssignmentRecord[]>;
  deleteAppRoleAssignment(id: string): Promise<void>;

  insertDirectoryRoleAssignment(assignment: DirectoryRoleAssignmentRecord): Promise<void>;
  getDirectoryRoleAssignment(id: string): Promise<DirectoryRoleAssignmentRecord | undefined>;
  listDirectoryRoleAssignments(filter: { principalId?: string; roleDefinitionId?: string }): Promise<DirectoryRoleAssignmentRecord[]>;
  deleteDirectoryRoleAssignment(id: string): Promise<void>;

  insertSigningKey(key: SigningKeyRecord): Promise<void>;
  listSigningKeys(): Promise<SigningKeyRecord[]>;
  /** STORE_NOT_FOUND when absent. */
  setSigningKeyRetirement(kid: string, retiresAt: string): Promise<void>;
  /** STORE_NOT_FOUND when absent. */
  setSigningKeyActivation(kid: string, activatesAt: string): Promise<void>;
}
