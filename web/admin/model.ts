/** The management API's shapes the admin screens read (docs/management-api.md). */
import type { ArmResource } from '../shared/api.js';

export type AuthType = 'subscription-key' | 'application-token';

export interface ProductProperties {
  readonly displayName: string;
  readonly description?: string | null;
  readonly terms?: string | null;
  readonly subscriptionRequired?: boolean;
  readonly approvalRequired?: boolean;
  readonly subscriptionsLimit?: number | null;
  readonly state: 'published' | 'notPublished';
  readonly authenticationType?: AuthType[];
  readonly application?: { readonly entra?: { readonly applicationId?: string; readonly audience?: string } };
}
export type Product = ArmResource<ProductProperties>;

export interface ApiProperties {
  readonly displayName: string;
  readonly path: string;
  readonly serviceUrl?: string;
  readonly description?: string | null;
}
export type Api = ArmResource<ApiProperties>;

export interface UserProperties {
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly state: string;
}
export type User = ArmResource<UserProperties>;

export interface ClientApplicationProperties {
  readonly displayName: string;
  readonly description?: string | null;
  readonly ownerId: string;
  readonly state?: string;
  readonly entraApplicationId?: string;
  readonly entraTenantId?: string;
}
export type ClientApplication = ArmResource<ClientApplicationProperties>;

export interface ProductLinkProperties {
  readonly productId: string;
  readonly state?: string;
}
export type ProductLink = ArmResource<ProductLinkProperties>;

export interface SubscriptionProperties {
  readonly displayName?: string;
  readonly ownerId?: string | null;
  readonly scope: string;
  readonly state: string;
  readonly createdDate?: string;
}
export type Subscription = ArmResource<SubscriptionProperties>;

/** The last segment of an ARM id (`…/products/starter` → `starter`). */
export function lastSegment(id: string): string {
  return id.split('/').filter(Boolean).pop() ?? id;
}

/** How the Azure portal words the authentication types of a product. */
export function authTypeLabels(product: Product): string {
  const types = product.properties.authenticationType ?? [];
  const labels: string[] = [];
  if (types.includes('application-token')) labels.push('OAuth 2.0 token');
  if (types.length === 0 || types.includes('subscription-key')) labels.push('Subscription key');
  return labels.join(', ');
}

export function offersApplicationAccess(product: Product): boolean {
  return (product.properties.authenticationType ?? []).includes('application-token');
}

export function stateLabel(product: Product): string {
  return product.properties.state === 'published' ? 'Published' : 'Not published';
}
