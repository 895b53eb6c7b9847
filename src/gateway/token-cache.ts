import type { JWTPayload } from 'jose';
import {
  ACCESS_TOKEN_CLOCK_SKEW_SECONDS,
  isKeyPublished,
  tenantOfIssuer,
  TokenVerificationError,
  verifyAccessToken,
  type TokenRejection,
  type VerifiedAccessToken,
} from '../identity/index.js';
import type { SigningKeys } from './snapshot.js';

const DEFAULT_CACHE_ENTRIES = 10_000; // verified tokens remembered; the oldest go first
/** Characters of the token's end (its signature's) that index the cache. */
const INDEX_CHARS = 32;

interface CachedToken {
  /** The whole token as verified: a presented token is accepted only when it is equal to it. */
  readonly token: string;
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
 *
 * Indexed by the token's last 32 characters (the end of its RS256 signature), not the whole
 * ~1 KB token: a `Map` hashes its string key on every lookup, and each request's token is a new
 * string, so the whole token was hashed per request (2 % of a profile). The entry holds the whole
 * verified token and a lookup answers only when the presented token is equal to it, byte for byte
 * — a token sharing the end of a cached one (forged or not) is a miss and gets verified. Two
 * verified tokens with the same end replace each other (a miss later, never a wrong answer).
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
    const index = indexOf(token);
    const hit = this.cache.get(index);
    if (hit === undefined || hit.token !== token) return undefined;
    if (hit.validUntilMs > now && keyUsable(keys, hit.kid, hit.keyFingerprint, now)) return hit.payload;
    this.cache.delete(index);
    return undefined;
  }

  /** The payload, or why the token is refused (for the access log; the caller's message does not say). */
  async verify(token: string, keys: SigningKeys, now: number = Date.now()): Promise<JWTPayload | TokenRejection> {
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
    } catch (err) {
      return err instanceof TokenVerificationError ? err.reason : 'malformed';
    }
    const { payload, kid } = verified;
    const key = keys.byKid.get(kid)!; // keyFor found it a moment ago in this same immutable set
    const index = indexOf(token);
    if (this.cache.size >= this.maxEntries && !this.cache.has(index)) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(index, {
      token,
      payload,
      kid,
      keyFingerprint: key.fingerprint,
      validUntilMs: (payload.exp + ACCESS_TOKEN_CLOCK_SKEW_SECONDS) * 1000,
    });
    return payload;
  }

  /** Drops verifications made with keys that are no longer in the key set. */
  retainKeys(keys: SigningKeys): void {
    for (const [index, entry] of this.cache) {
      if (!keys.fingerprints.has(entry.keyFingerprint)) this.cache.delete(index);
    }
  }
}

function indexOf(token: string): string {
  return token.length > INDEX_CHARS ? token.slice(-INDEX_CHARS) : token;
}

function keyUsable(keys: SigningKeys, kid: string, fingerprint: string, now: number): boolean {
  const key = keys.byKid.get(kid);
  return key !== undefined && key.fingerprint === fingerprint && isKeyPublished(key, now);
}
