import type { JWTPayload } from 'jose';
import { userIsActive, type ClientAppEntry, type ProductEntry, type Snapshot } from './snapshot.js';

export type TokenGrant =
  | { readonly ok: true; readonly product: ProductEntry; readonly clientApp: ClientAppEntry }
  | { readonly ok: false; readonly revoked?: RevokedApplication };

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
  const audiences = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];
  const roles = Array.isArray(payload['roles']) ? (payload['roles'] as unknown[]) : [];
  const issuedFor = products.filter((product) =>
    product.acceptsTokens && product.audience !== null && product.roleValue !== null &&
    (audiences.includes(product.audience) || audiences.includes(`api://${product.audience}`)) && roles.includes(product.roleValue));
  if (issuedFor.length === 0) return { ok: false };
  const clientApp = snapshot.clientAppsByEntraId.get(appId);
  const revoked = (reason: RevokedApplication['reason']): TokenGrant => ({
    ok: false,
    revoked: { appId, objectId: typeof payload['oid'] === 'string' ? payload['oid'] : undefined, clientApplicationId: clientApp?.id, reason },
  });
  if (!clientApp) return revoked('applicationDeleted');
  if (clientApp.state !== 'active') return revoked('applicationInactive');
  if (!userIsActive(snapshot, clientApp.ownerId)) return revoked('ownerBlocked');
  const product = issuedFor.find((p) => clientApp.productIds.has(p.id));
  return product ? { ok: true, product, clientApp } : revoked('notLinked');
}
