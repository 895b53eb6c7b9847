/** Record factories for the store contract tests: valid defaults, overridable per test. */
import type {
  AppRoleAssignmentRecord,
  ApplicationRecord,
  DirectoryRoleAssignmentRecord,
  KeyCredentialRecord,
  PasswordCredentialRecord,
  ServicePrincipalRecord,
  SigningKeyRecord,
} from '../../src/identity/directory/directory-store.js';
import type {
  ApiRecord,
  ClientApplicationRecord,
  GroupRecord,
  OperationRecord,
  ProductLinkRecord,
  ProductRecord,
  SubscriptionRecord,
  UserRecord,
} from '../../src/management/management-store.js';

export const T0 = '2026-01-01T00:00:00.000Z';
export const T1 = '2026-01-02T00:00:00.000Z';
export const T2 = '2026-01-03T00:00:00.000Z';

export function application(o: Partial<ApplicationRecord> = {}): ApplicationRecord {
  const appId = o.appId ?? `app-${o.id ?? 'a1'}`;
  return {
    id: 'a1',
    appId,
    displayName: 'Backend',
    description: null,
    identifierUris: [`api://${appId}`],
    appRoles: [
      {
        id: 'r1',
        value: 'Product.starter.All',
        displayName: 'All',
        description: 'Everything',
        allowedMemberTypes: ['Application'],
        isEnabled: true,
      },
    ],
    requiredResourceAccess: [{ resourceAppId: 'res', resourceAccess: [{ id: 'r1', type: 'Role' }] }],
    requestedAccessTokenVersion: 2,
    createdDateTime: T0,
    ...o,
  };
}

export function keyCredential(o: Partial<KeyCredentialRecord> = {}): KeyCredentialRecord {
  return {
    keyId: 'c1',
    applicationId: 'a1',
    displayName: 'ci certificate',
    certificate: 'MIIBcertificate',
    thumbprintSha1: 'A1'.repeat(20),
    thumbprintSha256: `${o.keyId ?? 'c1'}`.toUpperCase().padEnd(64, 'B'),
    startDateTime: T0,
    endDateTime: T2,
    createdDateTime: T0,
    ...o,
  };
}

export function passwordCredential(o: Partial<PasswordCredentialRecord> = {}): PasswordCredentialRecord {
  return {
    keyId: 'k1',
    applicationId: 'a1',
    displayName: 'ci',
    hint: 'abc',
    secretHash: 'hash',
    startDateTime: T0,
    endDateTime: T2,
    ...o,
  };
}

export function servicePrincipal(o: Partial<ServicePrincipalRecord> = {}): ServicePrincipalRecord {
  return {
    id: 'sp1',
    appId: `app-${o.id ?? 'sp1'}`,
    displayName: 'Backend',
    servicePrincipalType: 'Application',
    appRoleAssignmentRequired: true,
    accountEnabled: true,
    createdDateTime: T0,
    ...o,
  };
}

export function appRoleAssignment(o: Partial<AppRoleAssignmentRecord> = {}): AppRoleAssignmentRecord {
  return { id: 'ara1', principalId: 'sp1', resourceId: 'sp2', appRoleId: 'r1', createdDateTime: T0, ...o };
}

export function directoryRoleAssignment(o: Partial<DirectoryRoleAssignmentRecord> = {}): DirectoryRoleAssignmentRecord {
  return { id: 'dra1', principalId: 'sp1', roleDefinitionId: 'role-app-admin', directoryScopeId: '/', createdDateTime: T0, ...o };
}

export function signingKey(o: Partial<SigningKeyRecord> = {}): SigningKeyRecord {
  return {
    kid: 'kid1',
    privateKeyEncrypted: 'sealed',
    publicJwk: '{"kty":"RSA"}',
    createdAt: T0,
    activatesAt: T1,
    retiresAt: null,
    certificate: 'MIIBcertificate',
    ...o,
  };
}

export function user(o: Partial<UserRecord> = {}): UserRecord {
  return {
    id: 'u1',
    email: `${o.id ?? 'u1'}@example.com`,
    firstName: 'Ada',
    lastName: 'Lovelace',
    state: 'active',
    note: null,
    passwordHash: null,
    registrationDate: T0,
    ...o,
  };
}

export function group(o: Partial<GroupRecord> = {}): GroupRecord {
  return { id: 'developers', displayName: 'Developers', description: null, type: 'system', builtIn: true, ...o };
}

export function product(o: Partial<ProductRecord> = {}): ProductRecord {
  return {
    id: 'starter',
    displayName: 'Starter',
    description: 'Try it',
    terms: null,
    subscriptionRequired: true,
    approvalRequired: false,
    subscriptionsLimit: 1,
    state: 'published',
    authenticationType: ['subscription-key'],
    entraApplicationId: null,
    entraAudience: null,
    ...o,
  };
}

export function api(o: Partial<ApiRecord> = {}): ApiRecord {
  return {
    id: 'echo-api',
    displayName: 'Echo API',
    description: null,
    path: o.id ?? 'echo',
    serviceUrl: 'http://127.0.0.1:8083',
    protocols: ['https'],
    subscriptionRequired: true,
    subscriptionKeyHeaderName: 'Ocp-Apim-Subscription-Key',
    subscriptionKeyQueryName: 'subscription-key',
    apiRevision: '1',
    isCurrent: true,
    ...o,
  };
}

export function operation(o: Partial<OperationRecord> = {}): OperationRecord {
  return {
    apiId: 'echo-api',
    id: 'retrieve-resource',
    displayName: 'Retrieve resource',
    method: 'GET',
    urlTemplate: '/resource',
    description: null,
    templateParameters: [],
    request: null,
    responses: [],
    ...o,
  };
}

export function subscription(o: Partial<SubscriptionRecord> = {}): SubscriptionRecord {
  return {
    id: 's1',
    displayName: 'Sub',
    ownerId: null,
    scope: '/',
    state: 'active',
    primaryKeyHash: 'ph',
    secondaryKeyHash: 'sh',
    primaryKeyEncrypted: 'pe',
    secondaryKeyEncrypted: 'se',
    allowTracing: false,
    stateComment: null,
    createdDate: T0,
    ...o,
  };
}

export function clientApplication(o: Partial<ClientApplicationRecord> = {}): ClientApplicationRecord {
  return {
    id: 'ca1',
    displayName: 'My app',
    description: null,
    ownerId: 'u1',
    state: 'active',
    entraApplicationId: 'client-id',
    entraObjectId: 'object-id',
    entraServicePrincipalId: 'sp-id',
    createdDate: T0,
    ...o,
  };
}

export function productLink(o: Partial<ProductLinkRecord> = {}): ProductLinkRecord {
  return { id: 'l1', clientApplicationId: 'ca1', productId: 'starter', appRoleAssignmentId: null, state: 'active', ...o };
}
