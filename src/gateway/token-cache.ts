import type { JWTPayload } from 'jose';
import { ACCESS_TOKEN_CLOCK_SKEW_SECONDS, isKeyPublished, tenantOfIssuer, verifyAccessToken, type VerifiedAccessToken } from '../identity/index.js';
import type { SigningKeys } from './snapshot.js';

const DEFAULT_CACHE_ENTRIES = 10_000; // verified tokens remembered; the oldest go first

interface CachedToken {
  readonly payload: JWTPayload;
  readonly kid: string;
  /** When the signing key is no longer in the snapshot, the verification no longer counts. */
  readonly keyFingerprint: string;
  /** exp + tolerance, in ms: after this the verification would fail, so the cache does too. */
  readonly validUntilMs: number;
}

/**
 * Runs identity's verifyAccessToken with the snapshot's keys (never the store) and remembers
 * successes per raw token, so the signature is checked once per token. No audience is checked
 * here: that is per product, in authorizeToken. Failures are not cached (an attacker could
 * otherwise fill the cache). Authorization is separate and live.
 */
export class VerifiedTokenCache {
  private readonly cache = new Map<string, CachedToken>();
  /** `tid` must be the tenant of the issuer we trust. */
  private readonly tenantId: string;

  constructor(
    private readonly issuer: string,
    private readonly maxEntries: number = DEFAULT_CACHE_ENTRIES,
  ) {
    this.tenantId = tenantOfIssuer(issuer);
  }

  /** The payload of a token verified before and still good, without waiting; undefined otherwise (call verify). */
  cached(token: string, keys: SigningKeys, now: number = Date.now()): JWTPayload | undefined {
    const hit = this.cache.get(token);
    if (hit === undefined) return undefined;
    if (hit.validUntilMs > now && keyUsable(keys, hit.kid, hit.keyFingerprint, now)) return hit.payload;
    this.cache.delete(token);
    return undefined;
  }

  async verify(token: string, keys: SigningKeys, now: number = Date.now()): Promise<JWTPayload | undefined> {
    const hit = this.cached(token, keys, now);
    if (hit !== undefined) return hit;
    let verified: VerifiedAccessToken;
    try {
      verified = await verifyAccessToken(token, {
        keyFor: (kid) => {
          const entry = keys.byKid.get(kid);
          return entry && isKeyPublished(entry, now) ? entry.key : undefined;
        },
        issuer: this.issuer,
        tenantId: this.tenantId,
        now: new Date(now),
        clockToleranceSeconds: ACCESS_TOKEN_CLOCK_SKEW_SECONDS,
      });
    } catch {
      return undefined;
    }
    const { payload, kid } = verified;
    const key = keys.byKid.get(kid)!; // keyFor found it a moment ago in this same immutable set
    if (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(token, {
      payload,
      kid,
      keyFingerprint: key.fingerprint,
      validUntilMs: (payload.exp + ACCESS_TOKEN_CLOCK_SKEW_SECONDS) * 1000,
    });
    return payload;
  }

  /** Drops verifications made with keys that are no longer in the key set. */
  retainKeys(keys: SigningKeys): void {
    for (const [token, entry] of this.cache) {
      if (!keys.fingerprints.has(entry.keyFingerprint)) this.cache.delete(token);
    }
  }
}

function keyUsable(keys: SigningKeys, kid: string, fingerprint: string, now: number): boolean {
  const key = keys.byKid.get(kid);
  return key !== undefined && key.fingerprint === fingerprint && isKeyPublished(key, now);
}
