import type { TokenRejection } from '../../identity/index.js';

/**
 * Why the gateway refused a call: a machine-readable code written as `reason` in the access-log
 * line (docs/gateway.md lists them), while the caller still gets APIM's message, which says only
 * "invalid subscription key" or "invalid access token". Constant strings: setting one allocates
 * nothing, and a call that succeeds never sets one.
 */
export const Refusals = {
  // route
  routeNotFound: 'route.notFound',
  pathUnsafe: 'route.unsafePath',
  // credentials missing (access policy)
  keyMissing: 'key.missing',
  tokenMissing: 'token.missing',
  credentialsMissing: 'credentials.missing',
  // a subscription key that was presented and not accepted (subscription-key policy)
  keyEmpty: 'key.empty',
  keyUnknown: 'key.unknown',
  subscriptionSuspended: 'subscription.suspended',
  subscriptionSubmitted: 'subscription.submitted',
  subscriptionRejected: 'subscription.rejected',
  subscriptionCancelled: 'subscription.cancelled',
  subscriptionExpired: 'subscription.expired',
  ownerBlocked: 'owner.blocked',
  keyOutOfScope: 'key.outOfScope',
  keyProductTakesTokensOnly: 'key.productTakesTokensOnly',
  // an access token that was presented and not accepted (application-token policy)
  tokenEmpty: 'token.empty',
  tokenMalformed: 'token.malformed',
  tokenSignature: 'token.signature',
  tokenExpired: 'token.expired',
  tokenNotYetValid: 'token.notYetValid',
  tokenIssuer: 'token.issuer',
  tokenTenant: 'token.tenant',
  tokenClaims: 'token.claims',
  tokenNoClientId: 'token.noClientId',
  tokenAppUnknown: 'token.appUnknown',
  tokenAppInactive: 'token.appInactive',
  tokenNoRoles: 'token.noRoles',
  tokenAudienceUnknown: 'token.audienceUnknown',
  tokenRoleMissing: 'token.roleMissing',
  tokenAppNotLinked: 'token.appNotLinked',
  // limits, backend, gateway state
  rateLimitExceeded: 'limit.rate',
  quotaExceeded: 'limit.quota',
  countersUnavailable: 'limit.countersUnavailable',
  backendNotConfigured: 'backend.notConfigured',
  backendTimeout: 'backend.timeout',
  backendUnreachable: 'backend.unreachable',
  configurationStale: 'gateway.configurationStale',
} as const;

export type Refusal = (typeof Refusals)[keyof typeof Refusals];

/** identity's verification failures, as refusal codes. */
export const TOKEN_REJECTION_REFUSALS: Readonly<Record<TokenRejection, Refusal>> = {
  malformed: Refusals.tokenMalformed,
  signature: Refusals.tokenSignature,
  expired: Refusals.tokenExpired,
  not_yet_valid: Refusals.tokenNotYetValid,
  issuer: Refusals.tokenIssuer,
  audience: Refusals.tokenAudienceUnknown, // not checked by the gateway's verification (per product, later)
  tenant: Refusals.tokenTenant,
  claims: Refusals.tokenClaims,
};

/** A subscription's state other than active, as a refusal code. */
export const SUBSCRIPTION_STATE_REFUSALS: Readonly<Record<string, Refusal>> = {
  suspended: Refusals.subscriptionSuspended,
  submitted: Refusals.subscriptionSubmitted,
  rejected: Refusals.subscriptionRejected,
  cancelled: Refusals.subscriptionCancelled,
  expired: Refusals.subscriptionExpired,
};
