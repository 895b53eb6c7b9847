import type { SigningKeys } from '../keys/signing-keys.js';
import type { AccessTokenClaims } from './access-token-claims.js';
import { ACCESS_TOKEN_CLOCK_SKEW_SECONDS, verifyAccessToken } from './verify-access-token.js';

// Kept importable from here for the Graph-shaped API's auth.
export { TokenVerificationError } from './verify-access-token.js';
export type { TokenRejection } from './verify-access-token.js';

export interface AccessTokenVerifierDeps {
  readonly keys: SigningKeys;
  readonly issuer: () => string;
  /** The issuer's tenant; tokens must carry it as `tid`. */
  readonly tenantId: string;
  readonly now?: () => Date;
}

/**
 * Claims this verifier's callers (the management API, the Graph-shaped API) need beyond
 * verifyAccessToken's: they act as the token's `oid` service principal, so an app-only v2 token as
 * Portico issues it is required. The gateway differs on purpose: it needs no `oid` and accepts a
 * v1 `appid` in place of `azp`.
 */
const REQUIRED_CLAIMS = ['iat', 'oid', 'tid', 'azp'] as const;

/** verifyAccessToken with the identity provider's published keys and an audience the caller names. */
export class AccessTokenVerifier {
  constructor(private readonly deps: AccessTokenVerifierDeps) {}

  async verify(token: string, options: { audiences: readonly string[] }): Promise<AccessTokenClaims> {
    if (options.audiences.length === 0) throw new Error('verify needs at least one accepted audience');
    const { payload } = await verifyAccessToken(token, {
      keyFor: (kid) => this.deps.keys.verificationKey(kid),
      issuer: this.deps.issuer(),
      tenantId: this.deps.tenantId,
      audiences: options.audiences,
      requiredClaims: REQUIRED_CLAIMS,
      now: this.deps.now?.() ?? new Date(),
      clockToleranceSeconds: ACCESS_TOKEN_CLOCK_SKEW_SECONDS,
    });
    return payload as unknown as AccessTokenClaims;
  }
}
