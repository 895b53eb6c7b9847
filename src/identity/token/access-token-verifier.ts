import { errors, jwtVerify, type JWTHeaderParameters } from 'jose';
import type { SigningKeys } from '../keys/signing-keys.js';
import { SIGNING_ALG } from '../keys/generate-key.js';
import type { AccessTokenClaims } from './access-token-claims.js';

export type TokenRejection = 'malformed' | 'signature' | 'expired' | 'not_yet_valid' | 'issuer' | 'audience' | 'claims';

/** Why a token was refused; `reason` is safe to show, the jose error stays in `cause` for the log. */
export class TokenVerificationError extends Error {
  constructor(readonly reason: TokenRejection, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TokenVerificationError';
  }
}

export interface AccessTokenVerifierDeps {
  readonly keys: SigningKeys;
  readonly issuer: () => string;
  readonly now?: () => Date;
}

const CLOCK_SKEW_SECONDS = 60; // tolerated difference between our clock and the issuer's

/**
 * Verifies Portico-issued access tokens: RS256 only (never the header's choice), a published kid,
 * our issuer, exp/nbf within 60 s of skew, and an audience the caller names.
 */
export class AccessTokenVerifier {
  constructor(private readonly deps: AccessTokenVerifierDeps) {}

  async verify(token: string, options: { audiences: readonly string[] }): Promise<AccessTokenClaims> {
    if (options.audiences.length === 0) throw new Error('verify needs at least one accepted audience');
    if (typeof token !== 'string' || token.split('.').length !== 3) throw new TokenVerificationError('malformed', 'The token is not a JWS compact serialization.');
    try {
      const { payload } = await jwtVerify(token, (header: JWTHeaderParameters) => this.keyFor(header), {
        algorithms: [SIGNING_ALG],
        issuer: this.deps.issuer(),
        audience: [...options.audiences],
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ['exp', 'iat', 'oid', 'tid', 'azp'],
        currentDate: this.deps.now?.(),
      });
      return payload as unknown as AccessTokenClaims;
    } catch (err) {
      throw toRejection(err);
    }
  }

  private async keyFor(header: JWTHeaderParameters) {
    if (typeof header.kid !== 'string' || header.kid.length > 128) throw new TokenVerificationError('signature', 'The token names no known signing key.');
    const key = await this.deps.keys.verificationKey(header.kid);
    if (!key) throw new TokenVerificationError('signature', 'The token names no known signing key.');
    return key;
  }
}

function toRejection(err: unknown): TokenVerificationError {
  if (err instanceof TokenVerificationError) return err;
  const options = { cause: err };
  if (err instanceof errors.JWTExpired) return new TokenVerificationError('expired', 'The token is expired.', options);
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return new TokenVerificationError('audience', 'The token is for another audience.', options);
    if (err.claim === 'iss') return new TokenVerificationError('issuer', 'The token was issued by another issuer.', options);
    if (err.claim === 'nbf' || err.claim === 'iat') return new TokenVerificationError('not_yet_valid', 'The token is not valid yet.', options);
    return new TokenVerificationError('claims', `The token's '${err.claim}' claim is missing or invalid.`, options);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JOSEAlgNotAllowed) {
    return new TokenVerificationError('signature', 'The token signature is invalid.', options);
  }
  return new TokenVerificationError('malformed', 'The token is malformed.', options);
}
