/**
 * What the API Management control plane needs from storage. Property names follow the ARM
 * resource model (reference/apim-reference.md §1.3, §2). `store/` implements this interface.
 * put* = insert or replace the whole record (by primary key). delete* of a missing row is a no-op.
 * Lists are ordered by id. Timestamps are ISO-8601 strings in UTC.
 *
 * Names (ids, and the parent's id of an operation or product link) are case-insensitive, as in Azure
 * Resource Manager, and keep the case they were created with: get*, delete*, remove* and list
 * filters match a name in any case; put* of a name that exists in another case replaces that record
 * and keeps its stored name; two names that differ only in case never both exist. A name held inside
 * a record or passed to add* (apiId, productId, ownerId, scope, …) must be the stored name.
 */

export type UserState = 'active' | 'blocked' | 'pending' | 'deleted';

export interface UserRecord {
  readonly id: string;
  readonly email: string; // unique, compared case-insensitively (store keeps a lower-cased copy)
  readonly firstName: string;
  readonly lastName: string;
  readonly state: UserState;
  readonly note: string | null;
  /** scrypt hash of the portal password (shared/crypto.ts hashPassword), or null. */
  readonly passwordHash: string | null;
  readonly registrationDate: string;
}

export interface GroupRecord {
  readonly id: string;
  readonly displayName: string;
  readonly description: string | null;
  readonly type: 'system' | 'custom' | 'external';
  readonly builtIn: boolean;
}

export type ProductAuthType = 'subscription-key' | 'application-token';

export interface ProductRecord {
  readonly id: string;
  readonly displayName: string;
  readonly description: string | null;
  readonly terms: string | null;
  readonly subscriptionRequired: boolean;
  readonly approvalRequired: boolean;
  readonly subscriptionsLimit: number | null;
  readonly state: 'notPublished' | 'published';
  readonly authenticationType: readonly ProductAuthType[];
  /** Client id of the backend app APIMProductApplication<product>, once application-token was turned on. */
  readonly entraApplicationId: string | null;
  /** `aud` value tokens for this product carry. */
  readonly entraAudience: string | null;
}

export interface ApiRecord {
  readonly id: string;
  readonly displayName: string;
  readonly description: string | null;
  readonly path: string; // unique among APIs, no leading or trailing slash ('' allowed)
  readonly serviceUrl: string | null;
  readonly protocols: readonly string[];
  readonly subscriptionRequired: boolean;
  readonly subscriptionKeyHeaderName: string;
  readonly subscriptionKeyQueryName: string;
  readonly apiRevision: string;
  readonly isCurrent: boolean;
}

export interface OperationParameter {
  readonly name: string;
  readonly type: string;
  readonly required?: boolean;
  readonly defaultValue?: string;
  readonly values?: readonly string[];
  readonly description?: string;
}

export interface OperationRecord {
  readonly apiId: string;
  readonly id: string;
  readonly displayName: string;
  readonly method: string; // upper case
  readonly urlTemplate: string; // starts with '/'
  readonly description: string | null;
  readonly templateParameters: readonly OperationParameter[];
  /** ARM `request` object (queryParameters, headers, representations), stored as given. */
  readonly request: Readonly<Record<string, unknown>> | null;
  readonly responses: readonly Readonly<Record<string, unknown>>[];
}

export type SubscriptionState = 'active' | 'suspended' | 'submitted' | 'rejected' | 'cancelled' | 'expired';

export interface SubscriptionRecord {
  readonly id: string;
  readonly displayName: string;
  readonly ownerId: string | null; // user id, not the ARM path
  /** '/' (all access), '/apis', '/apis/{apiId}' or '/products/{productId}'. */
  readonly scope: string;
  readonly state: SubscriptionState;
  /** base64url SHA-256 of each key, for the gateway's lookup. */
  readonly primaryKeyHash: string;
  readonly secondaryKeyHash: string;
  /** Keys encrypted with the instance key (SecretBox in shared/crypto.ts), for listSecrets. */
  readonly primaryKeyEncrypted: string;
  readonly secondaryKeyEncrypted: string;
  readonly allowTracing: boolean;
  readonly stateComment: string | null;
  readonly createdDate: string;
  /** APIM's expirationDate (ISO-8601): past it the key is refused. Absent or null: no expiry. */
  readonly expirationDate?: string | null;
  /** When it last became active (APIM's startDate, audit only). */
  readonly startDate?: string | null;
  /** When it was last cancelled or expired (APIM's endDate, audit only). */
  readonly endDate?: string | null;
  /** APIM's upcoming-expiry notification date; Portico sends no such notification, so it stays unset. */
  readonly notificationDate?: string | null;
}

/** APIM's product policy (`products/{id}/policies/policy`): the document as sent, in its format. */
export interface ProductPolicyRecord {
  /** The product's stored id. */
  readonly productId: string;
  readonly format: 'xml' | 'rawxml';
  readonly value: string;
}

export type ClientApplicationState = 'active' | 'pending' | 'approved' | 'rejected';

export interface ClientApplicationRecord {
  readonly id: string;
  readonly displayName: string;
  readonly description: string | null;
  readonly ownerId: string; // user id
  /**
   * The record's own standing, 'active' for every registered application (the gateway refuses one
   * that is not). The ARM `state` is not this: it is derived from the product links (applicationState).
   */
  readonly state: ClientApplicationState;
  /** The directory app APIMApplication<…>: client id, object id and service principal id. */
  readonly entraApplicationId: string;
  readonly entraObjectId: string;
  readonly entraServicePrincipalId: string;
  readonly createdDate: string;
}

export interface ProductLinkRecord {
  readonly id: string;
  readonly clientApplicationId: string;
  readonly productId: string;
  /** The app role assignment this link granted in the directory; null while the link grants nothing. */
  readonly appRoleAssignmentId: string | null;
  readonly state: ProductLinkState;
}

/**
 * A link to a product with approvalRequired starts `pending` and becomes `approved` or `rejected` by
 * an administrator's action; a link to any other product is `active` at once. Only `active` and
 * `approved` links grant access (they hold the app role assignment).
 */
export type ProductLinkState = 'pending' | 'active' | 'approved' | 'rejected';

/** The link states that grant access (hold the product's app role assignment): tokens for the product work. */
export const GRANTING_LINK_STATES: readonly ProductLinkState[] = ['active', 'approved'];

export function linkGrantsAccess(state: ProductLinkState): boolean {
  return state === 'active' || state === 'approved';
}

/**
 * One page of a list, in the list's order (by name, code unit order): the records after `after`
 * (when given), then from `skip` on, at most `top + 1` of them, so the caller knows whether a next
 * page exists without counting. `after` is a keyset continuation: the name of the last record of
 * the previous page, so following pages costs the same at any depth (no OFFSET over earlier rows).
 */
export interface PageWindow {
  readonly top: number;
  readonly skip: number;
  /** Only records whose name sorts after this one (code unit order); need not exist any more. */
  readonly after?: string | undefined;
}

/**
 * A list's `$filter`, applied in SQL by index: every property given must match (and). `name` and
 * `displayName` compare case-insensitively through the database's lower(), `email` as getUserByEmail.
 */
export interface ListFilter {
  readonly name?: string | undefined;
  readonly displayName?: string | undefined;
  readonly email?: string | undefined;
}

export interface ManagementStore {
  getUser(id: string): Promise<UserRecord | undefined>;
  getUserByEmail(email: string): Promise<UserRecord | undefined>;
  /** Batch reads (bulk import, change events naming many rows): the ones that exist, in no particular order. Names in any case. */
  getUsers(ids: readonly string[]): Promise<UserRecord[]>;
  getUsersByEmails(emails: readonly string[]): Promise<UserRecord[]>;
  listUsers(window?: PageWindow, filter?: ListFilter): Promise<UserRecord[]>;
  /** STORE_CONFLICT when another user has the same email. */
  putUser(user: UserRecord): Promise<void>;
  deleteUser(id: string): Promise<void>;

  getGroup(id: string): Promise<GroupRecord | undefined>;
  listGroups(window?: PageWindow, filter?: ListFilter): Promise<GroupRecord[]>;
  putGroup(group: GroupRecord): Promise<void>;
  addGroupUser(groupId: string, userId: string): Promise<void>;
  removeGroupUser(groupId: string, userId: string): Promise<void>;
  listGroupUsers(groupId: string): Promise<string[]>;
  listUserGroups(userId: string): Promise<string[]>;
  /** Group ids of each user, in one query; userIds are ids exactly as stored (from records). */
  listGroupsOfUsers(userIds: readonly string[]): Promise<Map<string, string[]>>;

  getProduct(id: string): Promise<ProductRecord | undefined>;
  listProducts(window?: PageWindow, filter?: ListFilter): Promise<ProductRecord[]>;
  putProduct(product: ProductRecord): Promise<void>;
  /** Also removes its API links, group links, client-application links and product-scoped subscriptions. */
  /** Returns the ids of the product-scoped subscriptions it removed with the product, so their keys can be revoked by id. */
  deleteProduct(id: string): Promise<string[]>;
  addProductGroup(productId: string, groupId: string): Promise<void>;
  listProductGroups(productId: string): Promise<string[]>;

  getProductPolicy(productId: string): Promise<ProductPolicyRecord | undefined>;
  listProductPolicies(): Promise<ProductPolicyRecord[]>;
  /** productId must be a stored product's id; deleting the product deletes its policy. */
  putProductPolicy(policy: ProductPolicyRecord): Promise<void>;
  deleteProductPolicy(productId: string): Promise<void>;

  getApi(id: string): Promise<ApiRecord | undefined>;
  /** productId (exactly as stored): the APIs linked to that product. */
  listApis(filter?: { productId?: string } & ListFilter, window?: PageWindow): Promise<ApiRecord[]>;
  /** STORE_CONFLICT when another API has the same path. */
  putApi(api: ApiRecord): Promise<void>;
  /** Also removes its operations, product links and API-scoped subscriptions; returns those subscriptions' ids. */
  deleteApi(id: string): Promise<string[]>;

  getOperation(apiId: string, id: string): Promise<OperationRecord | undefined>;
  listOperations(apiId?: string): Promise<OperationRecord[]>;
  putOperation(operation: OperationRecord): Promise<void>;
  deleteOperation(apiId: string, id: string): Promise<void>;

  /** Product ↔ API links. */
  addProductApi(productId: string, apiId: string): Promise<void>;
  removeProductApi(productId: string, apiId: string): Promise<void>;
  listProductApis(filter: { productId?: string; apiId?: string }): Promise<{ productId: string; apiId: string }[]>;

  getSubscription(id: string): Promise<SubscriptionRecord | undefined>;
  /** The ones that exist, in no particular order. */
  getSubscriptions(ids: readonly string[]): Promise<SubscriptionRecord[]>;
  /** ownerId compares exactly (subscriptions store their owner's id as stored). */
  listSubscriptions(filter?: { ownerId?: string } & ListFilter, window?: PageWindow): Promise<SubscriptionRecord[]>;
  /** How many subscriptions the owner has, or the scope has; both compare exactly (stored names), by index. */
  countSubscriptions(filter: { ownerId: string } | { scope: string }): Promise<number>;
  /** Removes every subscription of the owner (its id as stored) in one statement; returns their ids. */
  deleteSubscriptionsOfOwner(ownerId: string): Promise<string[]>;
  putSubscription(subscription: SubscriptionRecord): Promise<void>;
  deleteSubscription(id: string): Promise<void>;

  getClientApplication(id: string): Promise<ClientApplicationRecord | undefined>;
  /** The ones that exist, in no particular order. */
  getClientApplications(ids: readonly string[]): Promise<ClientApplicationRecord[]>;
  listClientApplications(filter?: { ownerId?: string } & ListFilter, window?: PageWindow): Promise<ClientApplicationRecord[]>;
  putClientApplication(app: ClientApplicationRecord): Promise<void>;
  /** Also removes its product links. */
  deleteClientApplication(id: string): Promise<void>;

  getProductLink(clientApplicationId: string, id: string): Promise<ProductLinkRecord | undefined>;
  listProductLinks(filter: { clientApplicationId?: string; productId?: string }): Promise<ProductLinkRecord[]>;
  /** Product links of each application, in one query; ids exactly as stored (from records). */
  listProductLinksOfApplications(clientApplicationIds: readonly string[]): Promise<Map<string, ProductLinkRecord[]>>;
  /** STORE_CONFLICT when the application already links the product under another id. */
  putProductLink(link: ProductLinkRecord): Promise<void>;
  /**
   * Writes the link's state and role assignment only if its stored state is still `from` (one
   * conditional UPDATE): approve and reject on one link serialize on it. False when the link changed
   * (or was deleted) since it was read.
   */
  transitionProductLink(link: ProductLinkRecord, from: ProductLinkState): Promise<boolean>;
  deleteProductLink(clientApplicationId: string, id: string): Promise<void>;
}
