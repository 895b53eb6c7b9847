/** Row ↔ record conversions for the directory tables. */
import type {
  AppRoleAssignmentRecord,
  ApplicationRecord,
  DirectoryRoleAssignmentRecord,
  KeyCredentialRecord,
  PasswordCredentialRecord,
  ServicePrincipalRecord,
  SigningKeyRecord,
} from '../../identity/directory/directory-store.js';
import type {
  AppRoleAssignmentsTable,
  ApplicationsTable,
  DirectoryRoleAssignmentsTable,
  KeyCredentialsTable,
  PasswordCredentialsTable,
  ServicePrincipalsTable,
  SigningKeysTable,
} from '../schema.js';
import { fromJson, toBool, toInt, toJson } from './support.js';

export function applicationRow(app: ApplicationRecord): ApplicationsTable {
  return {
    id: app.id,
    app_id: app.appId,
    display_name: app.displayName,
    description: app.description,
    identifier_uris: toJson(app.identifierUris),
    app_roles: toJson(app.appRoles),
    required_resource_access: toJson(app.requiredResourceAccess),
    requested_access_token_version: app.requestedAccessTokenVersion,
    created_date_time: app.createdDateTime,
    created_by: app.createdBy ?? null,
  };
}

export function applicationRecord(row: ApplicationsTable): ApplicationRecord {
  return {
    id: row.id,
    appId: row.app_id,
    displayName: row.display_name,
    description: row.description,
    identifierUris: fromJson(row.identifier_uris),
    appRoles: fromJson(row.app_roles),
    requiredResourceAccess: fromJson(row.required_resource_access),
    requestedAccessTokenVersion: row.requested_access_token_version === 1 ? 1 : 2,
    createdDateTime: row.created_date_time,
    ...(row.created_by !== null ? { createdBy: row.created_by } : {}),
  };
}

export function passwordCredentialRow(c: PasswordCredentialRecord): PasswordCredentialsTable {
  return {
    key_id: c.keyId,
    application_id: c.applicationId,
    display_name: c.displayName,
    hint: c.hint,
    secret_hash: c.secretHash,
    start_date_time: c.startDateTime,
    end_date_time: c.endDateTime,
  };
}

export function passwordCredentialRecord(row: PasswordCredentialsTable): PasswordCredentialRecord {
  return {
    keyId: row.key_id,
    applicationId: row.application_id,
    displayName: row.display_name,
    hint: row.hint,
    secretHash: row.secret_hash,
    startDateTime: row.start_date_time,
    endDateTime: row.end_date_time,
  };
}

export function keyCredentialRow(c: KeyCredentialRecord): KeyCredentialsTable {
  return {
    key_id: c.keyId,
    application_id: c.applicationId,
    display_name: c.displayName,
    certificate: c.certificate,
    thumbprint_sha1: c.thumbprintSha1,
    thumbprint_sha256: c.thumbprintSha256,
    start_date_time: c.startDateTime,
    end_date_time: c.endDateTime,
    created_date_time: c.createdDateTime,
  };
}

export function keyCredentialRecord(row: KeyCredentialsTable): KeyCredentialRecord {
  return {
    keyId: row.key_id,
    applicationId: row.application_id,
    displayName: row.display_name,
    certificate: row.certificate,
    thumbprintSha1: row.thumbprint_sha1,
    thumbprintSha256: row.thumbprint_sha256,
    startDateTime: row.start_date_time,
    endDateTime: row.end_date_time,
    createdDateTime: row.created_date_time,
  };
}

export function servicePrincipalRow(sp: ServicePrincipalRecord): ServicePrincipalsTable {
  return {
    id: sp.id,
    app_id: sp.appId,
    display_name: sp.displayName,
    service_principal_type: sp.servicePrincipalType,
    app_role_assignment_required: toInt(sp.appRoleAssignmentRequired),
    account_enabled: toInt(sp.accountEnabled),
    created_date_time: sp.createdDateTime,
  };
}

export function servicePrincipalRecord(row: ServicePrincipalsTable): ServicePrincipalRecord {
  return {
    id: row.id,
    appId: row.app_id,
    displayName: row.display_name,
    servicePrincipalType: row.service_principal_type as ServicePrincipalRecord['servicePrincipalType'],
    appRoleAssignmentRequired: toBool(row.app_role_assignment_required),
    accountEnabled: toBool(row.account_enabled),
    createdDateTime: row.created_date_time,
  };
}

export function appRoleAssignmentRow(a: AppRoleAssignmentRecord): AppRoleAssignmentsTable {
  return {
    id: a.id,
    principal_id: a.principalId,
    resource_id: a.resourceId,
    app_role_id: a.appRoleId,
    created_date_time: a.createdDateTime,
  };
}

export function appRoleAssignmentRecord(row: AppRoleAssignmentsTable): AppRoleAssignmentRecord {
  return {
    id: row.id,
    principalId: row.principal_id,
    resourceId: row.resource_id,
    appRoleId: row.app_role_id,
    createdDateTime: row.created_date_time,
  };
}

export function directoryRoleAssignmentRow(a: DirectoryRoleAssignmentRecord): DirectoryRoleAssignmentsTable {
  return {
    id: a.id,
    principal_id: a.principalId,
    role_definition_id: a.roleDefinitionId,
    directory_scope_id: a.directoryScopeId,
    created_date_time: a.createdDateTime,
  };
}

export function directoryRoleAssignmentRecord(row: DirectoryRoleAssignmentsTable): DirectoryRoleAssignmentRecord {
  return {
    id: row.id,
    principalId: row.principal_id,
    roleDefinitionId: row.role_definition_id,
    directoryScopeId: row.directory_scope_id,
    createdDateTime: row.created_date_time,
  };
}

export function signingKeyRow(k: SigningKeyRecord): SigningKeysTable {
  return {
    kid: k.kid,
    private_key_encrypted: k.privateKeyEncrypted,
    public_jwk: k.publicJwk,
    created_at: k.createdAt,
    activates_at: k.activatesAt,
    retires_at: k.retiresAt,
    certificate: k.certificate,
  };
}

export function signingKeyRecord(row: SigningKeysTable): SigningKeyRecord {
  return {
    kid: row.kid,
    privateKeyEncrypted: row.private_key_encrypted,
    publicJwk: row.public_jwk,
    createdAt: row.created_at,
    activatesAt: row.activates_at,
    retiresAt: row.retires_at,
    certificate: row.certificate,
  };
}
