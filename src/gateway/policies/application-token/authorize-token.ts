import type { JWTPayload } from 'jose';
import { clientAppByEntraId, userIsActive, type ClientAppEntry, type ProductEntry } from '../../snapshot.js';
import { Refusals, type Refusal } from '../refusals.js';
import type { GatewayCall } from '../types.js';

/**
 * A token issued for a product of this API (its audience and role) whose application has since lost
 * access: deleted, made inactive, its owner blocked, or unlinked from every such product.
 */
export interface RevokedApplication {
  readonly appId: string;
  /** The token's `oid`: the application's service principal. */
  readonly objectId: string | undefined;
  readonly clientApplicationId: string | undefined;
  readonly reason: 'applicationDeleted' | 'applicationInactive' | 'ownerBlocked' | 'notLinked';
}

/** Told (synchronously; it must not block) when a valid token's application has lost access. */
export type OnRevoked = (revoked: RevokedApplication) => void;

/**
 * The live part, run on every request even for cached tokens: the calling client application
 * exists, is active, its owner is an active user, and it is linked to a product holding this API
 * whose audience the token is for and whose role the token carries. On success it sets the call's
 * product and client application and returns true; otherwise it sets the call's credentialRefusal
 * to the first check that failed (for the product that came closest). `products` are the API's token products
 * (ApiAccess.tokenProducts).
 * Unlike identity's AccessTokenVerifier (its callers act as the token's `oid`, so it requires
 * oid and azp), the gateway needs only the client's app id, from `azp` or a v1 token's `appid`.
 *
 * When a token issued for one of these products is refused because its application lost access,
 * `onRevoked` is told why (the audit log's refusal recorder). The success path allocates nothing;
 * the reason is worked out only on refusal.
 */
export function authorizeToken(call: GatewayCall, products: readonly ProductEntry[], payload: JWTPayload, onRevoked?: OnRevoked): boolean {
  const snapshot = call.snapshot;
  const appId = typeof payload['azp'] === 'string' ? payload['azp'] : typeof payload['appid'] === 'string' ? payload['appid'] : undefined;
  if (appId === undefined) return refuse(call, Refusals.tokenNoClientId);
  const aud = payload.aud;
  const roles = Array.isArray(payload['roles']) ? (payload['roles'] as unknown[]) : undefined;
  const clientApp = clientAppByEntraId(snapshot, appId);
  if (!clientApp || clientApp.state !== 'active' || !userIsActive(snapshot, clientApp.ownerId)) {
    if (onRevoked !== undefined && roles !== undefined && issuedForAny(products, aud, roles)) {
      onRevoked(revocation(appId, payload, clientApp, !clientApp ? 'applicationDeleted' : clientApp.state !== 'active' ? 'applicationInactive' : 'ownerBlocked'));
    }
    return refuse(call, !clientApp ? Refusals.tokenAppUnknown : clientApp.state !== 'active' ? Refusals.tokenAppInactive : Refusals.ownerBlocked);
  }
  if (roles === undefined) return refuse(call, Refusals.tokenNoRoles);
  let closest: Refusal = Refusals.tokenAudienceUnknown;
  for (let i = 0; i < products.length; i++) {
    const product = products[i]!;
    if (product.audience === null || product.roleValue === null) continue;
    if (!audienceMatches(aud, product.audience)) continue;
    if (closest === Refusals.tokenAudienceUnknown) closest = Refusals.tokenRoleMissing;
    if (!roles.includes(product.roleValue)) continue;
    closest = Refusals.tokenAppNotLinked;
    if (!clientApp.productIds.has(product.id)) continue;
    call.product = product;
    call.clientApplicationId = clientApp.id;
    call.clientAppId = clientApp.entraApplicationId;
    call.limitSubject = 'clientApplication';
    return true;
  }
  // Issued for one of these products (its audience and role) but not linked to any: access was revoked.
  if (closest === Refusals.tokenAppNotLinked && onRevoked !== undefined) onRevoked(revocation(appId, payload, clientApp, 'notLinked'));
  return refuse(call, closest);
}

function refuse(call: GatewayCall, reason: Refusal): false {
  call.credentialRefusal = reason;
  return false;
}

function issuedForProduct(product: ProductEntry, aud: JWTPayload['aud'], roles: readonly unknown[]): boolean {
  return product.audience !== null && product.roleValue !== null && audienceMatches(aud, product.audience) && roles.includes(product.roleValue);
}

function issuedForAny(products: readonly ProductEntry[], aud: JWTPayload['aud'], roles: readonly unknown[]): boolean {
  for (let i = 0; i < products.length; i++) if (issuedForProduct(products[i]!, aud, roles)) return true;
  return false;
}

function revocation(appId: string, payload: JWTPayload, clientApp: ClientAppEntry | undefined, reason: RevokedApplication['reason']): RevokedApplication {
  return { appId, objectId: typeof payload['oid'] === 'string' ? payload['oid'] : undefined, clientApplicationId: clientApp?.id, reason };
}

/** `aud` (a string or an array) names the product's audience, bare or as `api://<audience>`. */
function audienceMatches(aud: JWTPayload['aud'], audience: string): boolean {
  if (typeof aud === 'string') return aud === audience || (aud.length === audience.length + 6 && aud.startsWith('api://') && aud.endsWith(audience));
  if (!Array.isArray(aud)) return false;
  for (const one of aud) if (audienceMatches(one, audience)) return true;
  return false;
}
