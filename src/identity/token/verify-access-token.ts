import { errors, jwtVerify, type CryptoKey, type JWTHeaderParameters, type JWTPayload } from 'jose';
import { SIGNING_ALG } from '../keys/generate-key.js';

export type TokenRejection = 'malformed' | 'signature' | 'expired' | 'not_yet_valid' | 'issuer' | 'audience' | 'tenant' | 'claims';

/** Why a token was refused; `reason` is safe to show, the jose error stays in `cause` for the log. */
export class TokenVerificationError extends Error {
  constructor(readonly reason: TokenRejection, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TokenVerificationError';
  }
}

/** Tolerated difference between a verifier's clock and the issuer's, for exp and nbf. */
export const ACCESS_TOKEN_CLOCK_SKEW_SECONDS = 60;

/** Kids are attacker-controlled; ours are 27-character x5t thumbprints (43 for keys made before certificates), so longer ones are not looked up. */
const MAX_KID_LENGTH = 128;

export interface VerifyAccessTokenOptions {
  /** The public key for a kid that may verify at `now` (see isKeyPublished), else undefined. */
  readonly keyFor: (kid: string) => CryptoKey | undefined | Promise<CryptoKey | undefined>;
  readonly issuer: string;
  /**
   * The tenant of that issuer: `tid` must equal it. A token signed with our key for another
   * tenant (were the key ever shared, or the issuer check ever loosened) is refused.
   */
  readonly tenantId: string;
  /** When given, `aud` must be one of these. Left out, the caller checks the audience itself. */
  readonly audiences?: readonly string[];
  /** Claims the caller needs besides `exp`, which is always required. */
  readonly requiredClaims?: readonly string[];
  readonly now: Date;
  readonly clockToleranceSeconds: number;
}

export interface VerifiedAccessToken {
  readonly payload: JWTPayload & { readonly exp: number };
  /** The key that verified the token, so a cached result can be dropped when that key retires. */
  readonly kid: string;
}

/**
 * The one check of a Portico-issued access token, shared by every verifier: RS256 only (never the
 * header's choice), a kid naming a usable key, our issuer, `tid` our tenant, `exp` required, exp/nbf
 * within the clock tolerance, and the audience when the caller names one. Pure: keys come from `keyFor`.
 * Throws TokenVerificationError.
 */
export async function verifyAccessToken(token: string, options: VerifyAccessTokenOptions): Promise<VerifiedAccessToken> {
  if (options.audiences !== undefined && options.audiences.length === 0) throw new Error('verifyAccessToken needs at least one accepted audience');
  if (typeof options.tenantId !== 'string' || options.tenantId === '') throw new Error('verifyAccessToken needs the tenant id of its issuer');
  if (typeof token !== 'string' || token.split('.').length !== 3) throw new TokenVerificationError('malformed', 'The token is not a JWS compact serialization.');
  let kid: string | undefined;
  const getKey = async (header: JWTHeaderParameters): Promise<CryptoKey> => {
    // kid is required: without it any published key would be tried, and a cached verification
    // could not be tied to the one key whose retirement must end it.
    if (typeof header.kid !== 'string' || header.kid.length > MAX_KID_LENGTH) throw unknownKey();
    const key = await options.keyFor(header.kid);
    if (!key) throw unknownKey();
    kid = header.kid;
    return key;
  };
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, getKey, {
      algorithms: [SIGNING_ALG],
      issuer: options.issuer,
      audience: options.audiences === undefined ? undefined : [...options.audiences],
      clockTolerance: options.clockToleranceSeconds,
      requiredClaims: ['exp', ...(options.requiredClaims ?? [])],
      currentDate: options.now,
    }));
  } catch (err) {
    throw toRejection(err);
  }
  if (kid === undefined || typeof payload.exp !== 'number') throw new TokenVerificationError('claims', "The token's 'exp' claim is missing or invalid.");
  if (payload['tid'] !== options.tenantId) throw new TokenVerificationError('tenant', 'The token was issued for another tenant.');
  return { payload: payload as JWTPayload & { exp: number }, kid };
}

function unknownKey(): TokenVerificationError {
  return new TokenVerificationError('signature', 'The token names no known signing key.');
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
