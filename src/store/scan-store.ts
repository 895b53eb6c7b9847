import type {
  AppRoleAssignmentRecord,
  ApplicationRecord,
  KeyCredentialRecord,
  PasswordCredentialRecord,
  ServicePrincipalRecord,
} from '../identity/directory/directory-store.js';
import type { ClientApplicationState, SubscriptionState, UserState } from '../management/management-store.js';

/**
 * Whole tables read page by page for the full build of an in-memory view (the gateway's snapshot,
 * the token endpoint's directory), each page in primary-key order and starting after the last key
 * of the one before (keyset paging, served by the primary key's index). A build then never holds a
 * whole table's rows at once, only one page of them plus what the view keeps, and each page is one
 * short statement, so the event loop turns between pages. Rows carry only the columns the views
 * keep.
 *
 * Pages are separate statements, not one snapshot of the database: a view built this way reads
 * the config version first and then applies every event above it (docs/events.md), which re-reads
 * whatever changed while it was paging.
 */
export interface ScanStore {
  /** Rows in a table the views load, to report progress ("300,000 of 1,000,000"). */
  count(table: ScannedTable): Promise<number>;
  subscriptionKeys(after: string | undefined, limit: number): Promise<SubscriptionKeyRow[]>;
  userStates(after: string | undefined, limit: number): Promise<UserStateRow[]>;
  clientApplications(after: string | undefined, limit: number): Promise<ClientApplicationRow[]>;
  /** Product links that grant access (active or approved), by (client application, link id). */
  productLinks(after: ProductLinkKey | undefined, limit: number): Promise<ProductLinkRow[]>;
  applications(after: string | undefined, limit: number): Promise<ApplicationScanRow[]>;
  servicePrincipals(after: string | undefined, limit: number): Promise<ServicePrincipalScanRow[]>;
  appRoleAssignments(after: string | undefined, limit: number): Promise<AppRoleAssignmentScanRow[]>;
  passwordCredentials(after: string | undefined, limit: number): Promise<PasswordCredentialScanRow[]>;
  keyCredentials(after: string | undefined, limit: number): Promise<KeyCredentialRecord[]>;
}

export type ScannedTable = 'subscriptions' | 'users' | 'client_applications' | 'product_links' | 'applications' | 'service_principals' | 'app_role_assignments';

/**
 * What the token endpoint keeps of the directory objects (identity/token/token-view.ts): the fields
 * its steps read, and an application's identifier URIs and required resource access. Equal role
 * lists and required resource access in one page are one shared, read-only value.
 */
export type ApplicationScanRow = Pick<ApplicationRecord, 'id' | 'appId' | 'displayName' | 'identifierUris' | 'appRoles' | 'requiredResourceAccess'>;
export type ServicePrincipalScanRow = Pick<ServicePrincipalRecord, 'id' | 'appId' | 'accountEnabled' | 'appRoleAssignmentRequired'>;
export type AppRoleAssignmentScanRow = Pick<AppRoleAssignmentRecord, 'id' | 'principalId' | 'resourceId' | 'appRoleId' | 'createdDateTime'>;
export type PasswordCredentialScanRow = Pick<PasswordCredentialRecord, 'keyId' | 'applicationId' | 'secretHash' | 'startDateTime' | 'endDateTime'>;

/** What the gateway keeps of a subscription: who it is, what it opens, and its two key digests (SHA-256 hex). */
export interface SubscriptionKeyRow {
  readonly id: string;
  readonly scope: string;
  readonly state: SubscriptionState;
  readonly ownerId: string | null;
  /** ISO 8601 as stored; null when the subscription does not expire. */
  readonly expirationDate: string | null;
  readonly primaryKeyHash: string;
  readonly secondaryKeyHash: string;
}

export interface UserStateRow {
  readonly id: string;
  readonly state: UserState;
}

export interface ClientApplicationRow {
  readonly id: string;
  readonly entraApplicationId: string;
  readonly state: ClientApplicationState;
  readonly ownerId: string;
}

export interface ProductLinkKey {
  readonly clientApplicationId: string;
  readonly id: string;
}

export interface ProductLinkRow extends ProductLinkKey {
  readonly productId: string;
}

/**
 * Every row of a scan, one page at a time: `readPage(after, limit)` returns up to `limit` rows after
 * the key `after` (undefined: from the start); a page shorter than `limit` is the last.
 */
export async function* scanPages<T, K>(
  readPage: (after: K | undefined, limit: number) => Promise<T[]>,
  keyOf: (row: T) => K,
  pageSize: number,
): AsyncGenerator<T[]> {
  let after: K | undefined;
  for (;;) {
    const page = await readPage(after, pageSize);
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    after = keyOf(page[page.length - 1]!);
  }
}
