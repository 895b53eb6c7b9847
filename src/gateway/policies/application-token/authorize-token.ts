import type { JWTPayload } from 'jose';
import { clientAppByEntraId, userIsActive, type ProductEntry } from '../../snapshot.js';
import { Refusals, type Refusal } from '../refusals.js';
import type { GatewayCall } from '../types.js';

/**
 * The live part, run on every request even for cached tokens: the calling client application
 * exists, is active, its owner is an active user, and it is linked to a product holding this API
 * whose audience the token is for and whose role the token carries. On success it sets the call's
 * product and client application and returns true; otherwise it sets the call's credentialRefusal
 * to the first check that failed (for the product that came closest). `products` are the API's token products
 * (ApiAccess.tokenProducts).
 * Unlike identity's AccessTokenVerifier (its callers act as the token's `oid`, so it requires
 * oid and azp), the gateway needs only the client's app id, from `azp` or a v1 token's `appid`.
 */
export function authorizeToken(call: GatewayCall, products: readonly ProductEntry[], payload: JWTPayload): boolean {
  const snapshot = call.snapshot;
  const appId = typeof payload['azp'] === 'string' ? payload['azp'] : typeof payload['appid'] === 'string' ? payload['appid'] : undefined;
  if (appId === undefined) return refuse(call, Refusals.tokenNoClientId);
  const clientApp = clientAppByEntraId(snapshot, appId);
  if (!clientApp) return refuse(call, Refusals.tokenAppUnknown);
  if (clientApp.state !== 'active') return refuse(call, Refusals.tokenAppInactive);
  if (!userIsActive(snapshot, clientApp.ownerId)) return refuse(call, Refusals.ownerBlocked);
  const aud = payload.aud;
  const roles = Array.isArray(payload['roles']) ? (payload['roles'] as unknown[]) : undefined;
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
  return refuse(call, closest);
}

function refuse(call: GatewayCall, reason: Refusal): false {
  call.credentialRefusal = reason;
  return false;
}

/** `aud` (a string or an array) names the product's audience, bare or as `api://<audience>`. */
function audienceMatches(aud: JWTPayload['aud'], audience: string): boolean {
  if (typeof aud === 'string') return aud === audience || (aud.length === audience.length + 6 && aud.startsWith('api://') && aud.endsWith(audience));
  if (!Array.isArray(aud)) return false;
  for (const one of aud) if (audienceMatches(one, audience)) return true;
  return false;
}
