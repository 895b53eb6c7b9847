import { InProcessChangeFeed, hashPassword, newGuid, newSubscriptionKey, type ChangeFeed, type SecretBox } from '../shared/index.js';
import type { Store } from '../store/store.js';
import { oneChange } from '../store/change-unit.js';
import { DirectoryService, ROLE_IDS, GRAPH_APP_ID, GRAPH_RESOURCE_URIS } from '../identity/index.js';
import { MANAGEMENT_RESOURCE_URI, MANAGEMENT_ROLES, serviceResourceId, storedSubscriptionKey, type ServiceInstance } from '../management/index.js';
import { auditRecordsOf, currentAuditScope, type AuditEntry } from '../audit/index.js';
import { DEFAULT_GROUPS, DEFAULT_PRODUCTS, ECHO_OPERATIONS, STARTER_POLICY, echoApi } from './defaults.js';
import { randomBytes } from 'node:crypto';

const INSTANCE_KEY = 'instance';
const ECHO_URL_KEY = 'echo.serviceUrl';
export const ADMIN_USER_ID = '1';
export const ADMIN_USER_EMAIL = 'admin@portico.local';
export const ADMIN_APP_NAME = 'Portico Administrator';

export interface StoredInstance extends ServiceInstance {
  readonly adminAppId: string;
  readonly adminAppObjectId: string;
}

/** Secrets that exist only at the moment they are made; they go to credentials.json, never to the log. */
export interface FreshSecrets {
  readonly adminClientSecret: string;
  readonly adminUserPassword: string;
}

export interface BootstrapResult {
  readonly instance: StoredInstance;
  readonly firstStart: boolean;
  readonly secrets?: FreshSecrets;
}

export interface BootstrapOptions {
  readonly store: Store;
  readonly secretBox: SecretBox;
  readonly secretValidityDays: number;
  /** Base URL of the built-in echo listener; the Echo API's backend. */
  readonly echoUrl: string;
}

/** The instance a first start created, or undefined before any has (nodes without the management role read it). */
export async function readInstance(store: Store): Promise<StoredInstance | undefined> {
  const stored = await store.settings.getSetting(INSTANCE_KEY);
  return stored === undefined ? undefined : (JSON.parse(stored) as StoredInstance);
}

/**
 * Creates everything a new API Management instance has, in one transaction, the first time; later
 * starts only re-point the Echo API at the echo listener if its address changed and the API still
 * used the old one.
 */
export async function ensureInstance(options: BootstrapOptions): Promise<BootstrapResult> {
  const { store } = options;
  const existing = await store.settings.getSetting(INSTANCE_KEY);
  const echoServiceUrl = `${options.echoUrl}/api`;
  if (existing !== undefined) {
    await followEchoListener(store, echoServiceUrl);
    return { instance: JSON.parse(existing) as StoredInstance, firstStart: false };
  }
  return store.transaction(async (tx) => {
    const directory = new DirectoryService({ store: tx, feed: new InProcessChangeFeed(), secretValidityDays: options.secretValidityDays }).system;
    const tenantId = newGuid();
    const serviceName = 'portico';

    const graph = await directory.createApplication({ displayName: 'Microsoft Graph', appId: GRAPH_APP_ID, identifierUris: GRAPH_RESOURCE_URIS });
    await directory.createServicePrincipal({ appId: graph.appId });

    const management = await directory.createApplication({
      displayName: 'Portico Management API',
      description: 'The Azure Resource Manager–shaped management API of this Portico instance.',
      identifierUris: [MANAGEMENT_RESOURCE_URI],
      appRoles: [
        { value: MANAGEMENT_ROLES.contributor, displayName: 'API Management Service Contributor', description: 'Read and change everything in the API Management service.' },
        { value: MANAGEMENT_ROLES.reader, displayName: 'API Management Service Reader', description: 'Read everything in the API Management service.' },
      ],
    });
    const managementSp = await directory.createServicePrincipal({ appId: management.appId });

    // The service's system-assigned managed identity, holding Application Administrator as the seed page asks.
    const identity = await directory.createServicePrincipal({ appId: newGuid(), servicePrincipalType: 'ManagedIdentity', displayName: serviceName });
    await directory.assignDirectoryRole({ principalId: identity.id, roleDefinitionId: ROLE_IDS.applicationAdministrator });

    // The bootstrap admin: may manage the service, assign directory roles (Privileged Role Administrator)
    // and manage directory applications and their secrets (Application Administrator).
    const admin = await directory.createApplication({ displayName: ADMIN_APP_NAME, description: 'Created at first start; its secret is in credentials.json.' });
    const adminSp = await directory.createServicePrincipal({ appId: admin.appId });
    const contributorRole = management.appRoles.find((role) => role.value === MANAGEMENT_ROLES.contributor)!;
    await directory.grantAppRole({ principalId: adminSp.id, resourceId: managementSp.id, appRoleId: contributorRole.id });
    await directory.assignDirectoryRole({ principalId: adminSp.id, roleDefinitionId: ROLE_IDS.privilegedRoleAdministrator });
    await directory.assignDirectoryRole({ principalId: adminSp.id, roleDefinitionId: ROLE_IDS.applicationAdministrator });
    const adminSecret = await directory.addPassword(admin.id, { displayName: 'credentials.json' });

    const instance: StoredInstance = {
      tenantId,
      subscriptionId: newGuid(),
      resourceGroup: 'portico',
      serviceName,
      managedIdentityPrincipalId: identity.id,
      managementAppId: management.appId,
      adminAppId: admin.appId,
      adminAppObjectId: admin.id,
    };
    const adminUserPassword = randomBytes(18).toString('base64url');
    await seedApiManagement(tx, options, echoServiceUrl, adminUserPassword);
    await auditSeed(tx, instance);
    await tx.settings.putSetting(ECHO_URL_KEY, echoServiceUrl);
    await tx.settings.putSetting(INSTANCE_KEY, JSON.stringify(instance));
    return { instance, firstStart: true, secrets: { adminClientSecret: adminSecret.secretText, adminUserPassword } };
  });
}

/**
 * The service's own resources made at first start are audited like any write, with full ARM ids as
 * targets (the scope learns the service's id here: it did not exist when the scope was opened).
 * Directory objects made before are recorded by the directory with their object ids.
 */
async function auditSeed(tx: Store, instance: ServiceInstance): Promise<void> {
  const scope = currentAuditScope();
  if (!scope) return;
  scope.serviceResourceId = serviceResourceId(instance);
  const via = { via: 'first start' };
  const entries: AuditEntry[] = [
    { operation: 'users.write', target: `/users/${ADMIN_USER_ID}`, status: null, details: via },
    { operation: 'apis.write', target: '/apis/echo-api', status: null, details: via },
    ...ECHO_OPERATIONS.map((o): AuditEntry => ({ operation: 'apis/operations.write', target: `/apis/${o.apiId}/operations/${o.id}`, status: null, details: via })),
    ...DEFAULT_PRODUCTS.flatMap((p): AuditEntry[] => [
      { operation: 'products.write', target: `/products/${p.id}`, status: null, details: via },
      { operation: 'products/apis.write', target: `/products/${p.id}/apis/echo-api`, status: null, details: via },
    ]),
    { operation: 'products/policies.write', target: `/products/${STARTER_POLICY.productId}/policies/policy`, status: null, details: via },
    { operation: 'subscriptions.write', target: '/subscriptions/master', status: null, details: via },
  ];
  await tx.audit.append(auditRecordsOf(entries, scope));
}

async function seedApiManagement(tx: Store, options: BootstrapOptions, echoServiceUrl: string, adminUserPassword: string): Promise<void> {
  const m = tx.management;
  for (const group of DEFAULT_GROUPS) await m.putGroup(group);
  await m.putUser({
    id: ADMIN_USER_ID,
    email: ADMIN_USER_EMAIL,
    firstName: 'Administrator',
    lastName: 'Portico',
    state: 'active',
    note: null,
    passwordHash: await hashPassword(adminUserPassword),
    registrationDate: new Date().toISOString(),
  });
  await m.addGroupUser('administrators', ADMIN_USER_ID);
  await m.addGroupUser('developers', ADMIN_USER_ID);
  await m.putApi(echoApi(echoServiceUrl));
  for (const operation of ECHO_OPERATIONS) await m.putOperation(operation);
  for (const product of DEFAULT_PRODUCTS) {
    await m.putProduct(product);
    await m.addProductApi(product.id, 'echo-api');
    for (const group of DEFAULT_GROUPS) await m.addProductGroup(product.id, group.id);
  }
  // Enforced from the first start (stores created before product policies got it from migration 0008).
  await m.putProductPolicy(STARTER_POLICY);
  const primary = storedSubscriptionKey(options.secretBox, newSubscriptionKey());
  const secondary = storedSubscriptionKey(options.secretBox, newSubscriptionKey());
  const now = new Date().toISOString();
  await m.putSubscription({
    id: 'master',
    displayName: 'Built-in all-access subscription',
    ownerId: ADMIN_USER_ID,
    scope: '/',
    state: 'active',
    primaryKeyHash: primary.hash,
    secondaryKeyHash: secondary.hash,
    primaryKeyEncrypted: primary.encrypted,
    secondaryKeyEncrypted: secondary.encrypted,
    allowTracing: false,
    stateComment: null,
    createdDate: now,
    startDate: now, // active from the start
  });
}

/** Ports may change between starts (0 = pick a free one); keep the Echo API pointing at our echo listener. */
async function followEchoListener(store: Store, echoServiceUrl: string): Promise<void> {
  const previous = await store.settings.getSetting(ECHO_URL_KEY);
  if (previous === echoServiceUrl) return;
  const api = await store.management.getApi('echo-api');
  if (api && api.serviceUrl === previous) await store.management.putApi({ ...api, serviceUrl: echoServiceUrl });
  await store.settings.putSetting(ECHO_URL_KEY, echoServiceUrl);
}

/**
 * Mints a new admin secret and admin-user password when credentials.json was lost, and revokes the
 * earlier admin secrets: whoever has the lost file must not keep administrator access.
 * `feed` must be the running process's feed once the identity listener serves tokens: the token
 * endpoint reads the directory from memory and learns of the revocation only through it.
 */
export async function reissueAdminCredentials(store: Store, instance: StoredInstance, secretValidityDays: number, feed: ChangeFeed): Promise<FreshSecrets> {
  const directory = new DirectoryService({ store, feed, secretValidityDays }).system;
  // One event (directory.changed) once the new secret is added and every earlier one removed.
  const secret = await oneChange({ store, feed }, async () => {
    const earlier = await directory.listPasswords(instance.adminAppObjectId);
    const added = await directory.addPassword(instance.adminAppObjectId, { displayName: 'credentials.json (reissued)' });
    for (const credential of earlier) await directory.removePassword(instance.adminAppObjectId, credential.keyId);
    return added;
  });
  const adminUserPassword = randomBytes(18).toString('base64url');
  const user = await store.management.getUser(ADMIN_USER_ID);
  if (user) await store.management.putUser({ ...user, passwordHash: await hashPassword(adminUserPassword) });
  return { adminClientSecret: secret.secretText, adminUserPassword };
}
