import type { Store } from '../store/store.js';
import type { ChangeFeed, SecretBox } from '../shared/index.js';
import type { DirectoryClient } from './directory-client.js';

/** Identifiers of this API Management instance, fixed at first start. */
export interface ServiceInstance {
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly serviceName: string;
  /** Object id of the service's system-assigned managed identity (a service principal). */
  readonly managedIdentityPrincipalId: string;
  /** Client id of the management resource application; management tokens carry it as `aud`. */
  readonly managementAppId: string;
}

/** Everything the control-plane services need, passed explicitly. */
export interface ManagementContext {
  readonly store: Store;
  readonly feed: ChangeFeed;
  readonly directory: DirectoryClient;
  readonly secretBox: SecretBox;
  readonly instance: ServiceInstance;
}

export function serviceResourceId(instance: ServiceInstance): string {
  return `/subscriptions/${instance.subscriptionId}/resourceGroups/${instance.resourceGroup}/providers/Microsoft.ApiManagement/service/${instance.serviceName}`;
}
