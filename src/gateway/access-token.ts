import { jwtVerify, type JWTPayload } from 'jose';
import type { ClientAppEntry, ProductEntry, Snapshot, SigningKeys } from './snapshot.js';

const CLOCK_TOLERANCE_SECONDS = 60; // allowed skew for exp/nbf between the identity provider and us
const DEFAULT_CACHE_ENTRIES = 10_000; // verified tokens remembered; the oldest go first

interface CachedToken {
  readonly payload: JWTPayload;
  readonly kid: string;
  /** When the signing key is no longer in the snapshot, the verification no longer counts. */
  readonly keyFingerprint: string;
  /** exp + tolerance, in ms: after this jose would refuse the token, so the cache does too. */
  readonly validUntilMs: number;
}

/**
 * Verifies access-token signatures and standard claims (RS256 only, issuer, exp required, nbf),
 * remembering successes per raw token so the signature is checked once per token. Failures are
 * not cached (an attacker could otherwise fill the cache). Authorization is separate and live.
 */
export class AccessTokenVerifier {
  private readonly cache = new Map<string, CachedToken>();

  constructor(
    private readonly issuer: string,
    private readonly maxEntries: number = DEFAULT_CACHE_ENTRIES,
  ) {}

  get cacheSize(): number {
    return this.cache.size;
  }

  async verify(token: string, keys: SigningKeys, now: number = Date.now()): Promise<JWTPayload | undefined> {
    const hit = this.cache.get(token);
    if (hit) {
      if (hit.validUntilMs > now && keyUsable(keys, hit.kid, hit.keyFingerprint, now)) return hit.payload;
      this.cache.delete(token);
    }
    let payload: JWTPayload;
    let kid: string | undefined;
    try {
      const result = await jwtVerify(token, keys.getKey, {
        algorithms: ['RS256'],
        issuer: this.issuer,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp'],
        currentDate: new Date(now),
      });
      payload = result.payload;
      kid = result.protectedHeader.kid;
    } catch {
      return undefined;
    }
    // kid is required: it ties the cached verification to one key, which may later be retired.
    if (kid === undefined) return undefined;
    const key = keys.byKid.get(kid);
    if (!key || !(key.retiresAtMs > now) || typeof payload.exp !== 'number') return undefined;
    if (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(token, {
      payload,
      kid,
      keyFingerprint: key.fingerprint,
      validUntilMs: (payload.exp + CLOCK_TOLERANCE_SECONDS) * 1000,
    });
    return payload;
  }

  /** Drops verifications made with keys that are no longer in the key set. */
  retainKeys(keys: SigningKeys): void {
    for (const [token, entry] of this.cache) {
      if (!keys.fingerprints.has(entry.keyFingerprint)) this.cache.delete(token);
    }
  }

  clear(): void {
    this.cache.clear();
  }
}

function keyUsable(keys: SigningKeys, kid: string, fingerprint: string, now: number): boolean {
  const key = keys.byKid.get(kid);
  return key !== undefined && key.fingerprint === fingerprint && key.retiresAtMs > now;
}

export type TokenGrant =
  | { readonly ok: true; readonly product: ProductEntry; readonly clientApp: ClientAppEntry }
  | { readonly ok: false };

/**
 * The live part, run on every request even for cached tokens: the calling client application
 * (azp, or appid in v1 tokens) exists, is active, its owner is an active user, and it is linked to
 * a product holding this API whose audience the token is for and whose role the token carries.
 */
export function authorizeToken(snapshot: Snapshot, products: readonly ProductEntry[], payload: JWTPayload): TokenGrant {
  const appId = typeof payload['azp'] === 'string' ? payload['azp'] : typeof payload['appid'] === 'string' ? payload['appid'] : undefined;
  if (appId === undefined) return { ok: false };
  const clientApp = snapshot.clientAppsByEntraId.get(appId);
  if (!clientApp || clientApp.state !== 'active') return { ok: false };
  if (snapshot.userStates.get(clientApp.ownerId) !== 'active') return { ok: false };
  const audiences = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];
  const roles = Array.isArray(payload['roles']) ? (payload['roles'] as unknown[]) : [];
  for (const product of products) {
    if (!product.acceptsTokens || product.audience === null) continue;
    if (!audiences.includes(product.audience) && !audiences.includes(`api://${product.audience}`)) continue;
    if (!roles.includes(product.roleValue)) continue;
    if (!clientApp.productIds.has(product.id)) continue;
    return { ok: true, product, clientApp };
  }
  return { ok: false };
}
