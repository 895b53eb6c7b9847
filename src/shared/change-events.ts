/**
 * What a committed write announces: `<entity>.<past verb>` with the ids a consumer needs to re-read
 * exactly the rows it names. docs/events.md lists every event, its payload and its consumers.
 */

/** Management plane (ARM API). Each is the single event of one management write. */
export type ManagementChange =
  | { readonly type: 'product.created' | 'product.updated'; readonly productId: string }
  /**
   * Subscriptions scoped to the product went with it (deleteSubscriptions=true), and so did its
   * backend application (client id entraApplicationId, null when application-token was never on).
   */
  | { readonly type: 'product.deleted'; readonly productId: string; readonly subscriptionIds: readonly string[]; readonly entraApplicationId: string | null }
  | { readonly type: 'product.apiAdded' | 'product.apiRemoved'; readonly productId: string; readonly apiId: string }
  | { readonly type: 'api.created' | 'api.updated'; readonly apiId: string }
  /** Subscriptions scoped to the API went with it. */
  | { readonly type: 'api.deleted'; readonly apiId: string; readonly subscriptionIds: readonly string[] }
  | { readonly type: 'operation.created' | 'operation.updated' | 'operation.deleted'; readonly apiId: string; readonly operationId: string }
  | { readonly type: 'subscription.created' | 'subscription.updated' | 'subscription.deleted'; readonly subscriptionId: string }
  | { readonly type: 'subscription.keyRegenerated'; readonly subscriptionId: string; readonly key: 'primary' | 'secondary' }
  | { readonly type: 'user.created' | 'user.updated'; readonly userId: string }
  | { readonly type: 'user.stateChanged'; readonly userId: string; readonly state: string }
  /** The user's subscriptions went with it. */
  | { readonly type: 'user.deleted'; readonly userId: string; readonly subscriptionIds: readonly string[] }
  | ({ readonly type: 'clientApplication.created' | 'clientApplication.updated' | 'clientApplication.deleted' } & ClientApplicationIds)
  | ({ readonly type: 'productLink.created' | 'productLink.deleted'; readonly productLinkId: string; readonly productId: string } & ClientApplicationIds)
  /** An administrator approved (role granted) or rejected (role revoked) the link: a Portico extension action. */
  | ({ readonly type: 'productLink.approved' | 'productLink.rejected'; readonly productLinkId: string; readonly productId: string } & ClientApplicationIds)
  /**
   * One bulk import batch (POST …/portico.import): the users, client applications (with their
   * directory objects and product links) and subscriptions it created or changed, in one transaction.
   */
  | {
      readonly type: 'batch.imported';
      readonly userIds: readonly string[];
      readonly clientApplications: readonly ClientApplicationIds[];
      readonly subscriptionIds: readonly string[];
    };

/** The management record and the directory objects it owns (app registration, service principal). */
export interface ClientApplicationIds {
  readonly clientApplicationId: string;
  readonly entraApplicationId: string | null;
  readonly entraObjectId: string | null;
  readonly entraServicePrincipalId: string | null;
}

/** The embedded directory (Graph-shaped API, or the management plane's directory steps). */
export type DirectoryChange =
  | { readonly type: 'application.created' | 'application.deleted'; readonly applicationObjectId: string; readonly appId: string; readonly changedObjectIds: readonly string[] }
  | {
      readonly type: 'application.credentialAdded' | 'application.credentialRemoved' | 'application.keyCredentialsChanged';
      readonly applicationObjectId: string;
      readonly keyIds: readonly string[];
    }
  | { readonly type: 'servicePrincipal.created'; readonly servicePrincipalId: string; readonly appId: string }
  /** changedObjectIds: the assignment, its principal and an application whose requiredResourceAccess followed. */
  | { readonly type: 'appRoleAssignment.created' | 'appRoleAssignment.deleted'; readonly assignmentId: string; readonly principalId: string; readonly changedObjectIds: readonly string[] }
  | { readonly type: 'directoryRoleAssignment.created' | 'directoryRoleAssignment.deleted'; readonly assignmentId: string; readonly principalId: string }
  /**
   * A multi-step write (change-unit.ts) committed directory steps but no final record (it failed,
   * or undid itself): the objects named may have changed.
   */
  | { readonly type: 'directory.changed'; readonly changedObjectIds: readonly string[] };

/**
 * Token signing keys (identity/keys): the first key made at start, the next key added by a
 * rotation (signing now or later), an announced key made to sign now. Retirements ride along.
 */
export type SigningKeyChange = { readonly type: 'signingKey.created' | 'signingKey.rotated' | 'signingKey.activated'; readonly kid: string };

export type ChangeEventBody = ManagementChange | DirectoryChange | SigningKeyChange;
export type ChangeEventType = ChangeEventBody['type'];

/** A committed write: its body and the config version its transaction bumped the store to. */
export type ChangeEvent = ChangeEventBody & { readonly version: number };

const DIRECTORY_PREFIXES = ['application.', 'servicePrincipal.', 'appRoleAssignment.', 'directoryRoleAssignment.', 'directory.'];

/** Events written by the directory itself (absorbed into the enclosing management write's event). */
export function isDirectoryChange(event: ChangeEventBody): event is DirectoryChange {
  return DIRECTORY_PREFIXES.some((prefix) => event.type.startsWith(prefix));
}
