export { buildManagementApp, type MetricsEndpoint } from './http/app.js';
export type { ManagementAppOptions, PortalMount } from './http/app.js';
export { MANAGEMENT_ROLES, MANAGEMENT_RESOURCE_URI } from './http/auth.js';
export type { Caller, SessionAuthenticator, TokenVerifier } from './http/auth.js';
export { serviceResourceId } from './context.js';
export { storedSubscriptionKey } from './services/subscription-keys.js';
export type { ManagementContext, ServiceInstance } from './context.js';
export type { DirectoryClient } from './directory-client.js';
export type {
  UserState, UserRecord, GroupRecord, ProductAuthType, ProductRecord, ApiRecord, OperationParameter, OperationRecord,
  SubscriptionState, SubscriptionRecord, ClientApplicationState, ClientApplicationRecord, ProductLinkRecord, ProductLinkState, ManagementStore,
} from './management-store.js';
export { reconcileDirectory } from './services/reconcile.js';
export type { ReconcileResult } from './services/reconcile.js';
// The developer portal (src/portal/developer) reuses these rules rather than restating them.
export { putUser } from './services/users.js';
export { applicationState, newClientSecret } from './services/client-applications.js';
export { putSubscription, subscriptionSecrets } from './services/subscriptions.js';
export { linkGrantsAccess } from './management-store.js';
