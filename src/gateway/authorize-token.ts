import type { JWTPayload } from 'jose';
import { userIsActive, type ClientAppEntry, type ProductEntry, type Snapshot } from './snapshot.js';

export type TokenGrant =
  | { readonly ok: true; readonly product: ProductEntry; readonly clientApp: ClientAppEntry }
  | { readonly ok: false };

/**
 * The live part, run on every request even for cached tokens: the calling client application
 * exists, is active, its owner is an active user, and it is linked to a product holding this API
 * whose audience the token is for and whose role the token carries.
 * Unlike identity's AccessTokenVerifier (its callers act as the token's `oid`, so it requires
 * oid and azp), the gateway needs only the client's app id, from `azp` or a v1 token's `appid`.
 */
export function authorizeToken(snapshot: Snapshot, products: readonly ProductEntry[], payload: JWTPayload): TokenGrant {
  const appId = typeof payload['azp'] === 'string' ? payload['azp'] : typeof payload['appid'] === 'string' ? payload['appid'] : undefined;
  if (appId === undefined) return { ok: false };
  const clientApp = snapshot.clientAppsByEntraId.get(appId);
  if (!clientApp || clientApp.state !== 'active') return { ok: false };
  if (!userIsActive(snapshot, clientApp.ownerId)) return { ok: false };
  const audiences = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];
  const roles = Array.isArray(payload['roles']) ? (payload['roles'] as unknown[]) : [];
  for (const product of products) {
    if (!product.acceptsTokens || product.audience === null || product.roleValue === null) continue;
    if (!audiences.includes(product.audience) && !audiences.includes(`api://${product.audience}`)) continue;
    if (!roles.includes(product.roleValue)) continue;
    if (!clientApp.productIds.has(product.id)) continue;
    return { ok: true, product, clientApp };
  }
  return { ok: false };
}
