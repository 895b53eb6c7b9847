import { X509Certificate } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, type ProtectedHeaderParameters } from 'jose';
import { OAuthError } from '../../../errors/index.js';
import type { KeyCredentialRecord } from '../../directory/directory-store.js';
import { ReplayLimitError, type AssertionReplayCache } from './replay-cache.js';

/** RFC 7523 §2.2: the only client_assertion_type accepted. */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Fixed server-side; never taken from the assertion. What MSAL (PS256) and older clients (RS256) sign with. */
export const CLIENT_ASSERTION_ALGORITHMS: readonly string[] = Object.freeze(['RS256', 'PS256']);
/** Clock difference tolerated on exp, nbf and iat (5 minutes, as Entra). */
export const ASSERTION_CLOCK_SKEW_SECONDS = 300;
/**
 * `exp` may be at most this far ahead (1 hour). MSAL and @azure/identity sign for 10 minutes; a
 * longer-lived assertion is a longer replay window and a sign of a mistake.
 */
export const MAX_ASSERTION_LIFETIME_SECONDS = 3600;
/** Longest jti kept; longer ones are refused so the replay cache stays small. */
const MAX_JTI_LENGTH = 256;

/** client_assertion_type must be present and be the jwt-bearer URN. */
export function requireJwtBearerType(type: string | undefined): void {
  if (type === undefined || type === '') {
    throw new OAuthError(900144, "The request body must contain the following parameter: 'client_assertion_type'.");
  }
  if (type !== JWT_BEARER_ASSERTION_TYPE) {
    throw new OAuthError(90011, `Unexpected client assertion type '${printable(type)}'; it must be '${JWT_BEARER_ASSERTION_TYPE}'.`);
  }
}

export interface ClientAssertionInput {
  /** The compact JWS from the `client_assertion` parameter. */
  readonly assertion: string;
  /** The client_id the request names (an appId). */
  readonly clientId: string;
  /** The application's registered certificates. */
  readonly credentials: readonly KeyCredentialRecord[];
  /** What `aud` may be: this tenant's token endpoint and issuer (compared exactly, see audienceMatches). */
  readonly audiences: readonly string[];
  readonly now: Date;
  readonly replay: AssertionReplayCache;
}

/**
 * private_key_jwt (RFC 7523 §3, as Entra checks certificate credentials). The header's `x5t#S256`
 * (preferred) or `x5t` selects one of the application's registered, currently valid certificates;
 * keys carried in the header (x5c, jwk, jku, x5u) are never used. Then: signature with RS256 or
 * PS256, iss = sub = client_id, aud = this tenant's token endpoint or issuer, exp required and
 * bounded, nbf and iat not in the future, jti required and not seen before. Returns the keyId of
 * the certificate that verified; any failure is an OAuthError with Entra's AADSTS code.
 */
export async function verifyClientAssertion(input: ClientAssertionInput): Promise<string> {
  const { assertion, clientId } = input;
  const header = readHeader(assertion);
  if (typeof header.alg !== 'string' || !CLIENT_ASSERTION_ALGORITHMS.includes(header.alg)) {
    throw invalidSignature(`The assertion is signed with '${printable(String(header.alg))}'; only ${CLIENT_ASSERTION_ALGORITHMS.join(' and ')} are accepted.`);
  }

  const credential = selectCredential(header, input.credentials, clientId, input.now);
  let payloadBytes: Uint8Array;
  try {
    const publicKey = new X509Certificate(Buffer.from(credential.certificate, 'base64')).publicKey;
    ({ payload: payloadBytes } = await compactVerify(assertion, publicKey, { algorithms: [...CLIENT_ASSERTION_ALGORITHMS] }));
  } catch {
    throw invalidSignature(`The signature does not verify with the certificate it names. Thumbprint of key used by client: '${credential.thumbprintSha1}'.`);
  }

  const claims = readClaims(payloadBytes);
  if (typeof claims.iss !== 'string' || typeof claims.sub !== 'string') throw malformed("the claims 'iss' and 'sub' are required and must be the client id.");
  if (claims.iss.toLowerCase() !== clientId.toLowerCase()) {
    throw new OAuthError(700021, `Client assertion application identifier doesn't match 'client_id' parameter. [Reason - The assertion's 'iss' is '${printable(claims.iss)}' but client_id is '${printable(clientId)}'.]`);
  }
  if (claims.sub !== claims.iss) throw new OAuthError(50048, 'Subject mismatches Issuer claim in the client assertion: both must be the client id.');

  if (typeof claims.aud !== 'string') throw malformed("the claim 'aud' is required and must be one string: this tenant's token endpoint URL.");
  if (!input.audiences.some((audience) => audienceMatches(claims.aud as string, audience))) {
    throw new OAuthError(700023, `Client assertion audience claim does not match Realm issuer. [Reason - The assertion's 'aud' is '${printable(claims.aud)}'; it must be '${input.audiences[0]}'${input.audiences.length > 1 ? ` or '${input.audiences[1]}'` : ''}.]`);
  }

  const expiresAt = checkTimes(claims, input.now);
  if (typeof claims.jti !== 'string' || claims.jti === '' || claims.jti.length > MAX_JTI_LENGTH) {
    throw malformed(`the claim 'jti' is required: a unique id (at most ${MAX_JTI_LENGTH} characters) for each assertion.`);
  }
  // Recorded until the assertion stops being accepted (exp + skew); only after every other check passed.
  // Whole seconds up: a fractional exp must not end the record before the assertion stops being accepted.
  let fresh: boolean;
  try {
    fresh = await input.replay.claim(clientId.toLowerCase(), claims.jti, (Math.ceil(expiresAt) + ASSERTION_CLOCK_SKEW_SECONDS) * 1000);
  } catch (error) {
    if (!(error instanceof ReplayLimitError)) throw error;
    throw new OAuthError(90055, `Too many client assertions are in use for this application (${error.limit} not yet expired). Sign assertions that expire sooner (MSAL's last 10 minutes) and reuse tokens until they expire.`);
  }
  if (!fresh) {
    throw new OAuthError(50013, `The client assertion was already used (jti '${printable(claims.jti)}'). Sign a new assertion, with a new jti, for each token request.`);
  }
  return credential.keyId;
}

/**
 * `aud` must name this tenant's token endpoint or issuer. Compared exactly, except that a query on
 * the token endpoint is dropped and case is ignored: MSAL lowercases the whole authority it was
 * given, and the tenant id in the path is a GUID, so neither widens the audience beyond this tenant.
 */
export function audienceMatches(aud: string, expected: string): boolean {
  const withoutQuery = aud.split('?')[0]!;
  return aud.toLowerCase() === expected.toLowerCase() || withoutQuery.toLowerCase() === expected.toLowerCase();
}

function readHeader(assertion: string): ProtectedHeaderParameters {
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/.test(assertion)) {
    throw malformed('client_assertion must be a signed JWT in compact form (header.payload.signature).');
  }
  try {
    return decodeProtectedHeader(assertion);
  } catch {
    throw malformed('the JWT header cannot be decoded.');
  }
}

function selectCredential(header: ProtectedHeaderParameters, credentials: readonly KeyCredentialRecord[], clientId: string, now: Date): KeyCredentialRecord {
  const s256 = thumbprintOf(header['x5t#S256'], 32);
  const sha1 = thumbprintOf(header.x5t, 20);
  if ((header['x5t#S256'] !== undefined && s256 === undefined) || (header.x5t !== undefined && sha1 === undefined)) {
    throw invalidSignature('The assertion\'s x5t#S256 or x5t header is not the base64url SHA-256 or SHA-1 thumbprint of a certificate.');
  }
  if (s256 === undefined && sha1 === undefined) {
    throw invalidSignature('The assertion\'s header names no registered certificate: set x5t#S256 (base64url SHA-256 thumbprint of the certificate) or x5t (SHA-1). Keys in the header (x5c, jwk, jku, x5u) are never trusted.');
  }
  const match = s256 !== undefined
    ? credentials.find((c) => c.thumbprintSha256 === s256)
    : credentials.find((c) => c.thumbprintSha1 === sha1);
  const shown = s256 ?? sha1!;
  if (!match || (s256 !== undefined && sha1 !== undefined && match.thumbprintSha1 !== sha1)) {
    throw new OAuthError(700027, `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${shown}', Please visit the Graph-shaped directory API to see configured keys for app Id '${printable(clientId)}'.]`);
  }
  const at = now.getTime();
  if (Date.parse(match.endDateTime) <= at) {
    throw invalidSignature(`The key used is expired. Thumbprint of key used by client: '${match.thumbprintSha1}'. Upload a new certificate.`);
  }
  if (Date.parse(match.startDateTime) > at + ASSERTION_CLOCK_SKEW_SECONDS * 1000) {
    throw invalidSignature(`The key used is not yet valid (its certificate starts at ${match.startDateTime}). Thumbprint of key used by client: '${match.thumbprintSha1}'.`);
  }
  return match;
}

/** base64url of a digest of the given length, as hex upper case; undefined when absent or malformed. */
function thumbprintOf(value: unknown, bytes: number): string | undefined {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]+$/.test(value)) return undefined;
  const digest = Buffer.from(value, 'base64url');
  return digest.length === bytes ? digest.toString('hex').toUpperCase() : undefined;
}

function readClaims(bytes: Uint8Array): Record<string, unknown> {
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw malformed('the JWT payload is not a JSON object.');
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw malformed('the JWT payload is not a JSON object.');
  return claims as Record<string, unknown>;
}

/** Checks exp (required, not past, at most an hour ahead), nbf and iat (not in the future); returns exp. */
function checkTimes(claims: Record<string, unknown>, now: Date): number {
  const seconds = Math.floor(now.getTime() / 1000);
  const { exp, nbf, iat } = claims;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw malformed("the claim 'exp' is required: a NumericDate at most an hour ahead.");
  for (const [name, value] of [['nbf', nbf], ['iat', iat]] as const) {
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) throw malformed(`the claim '${name}' must be a NumericDate.`);
  }
  const outOfRange = (reason: string) => new OAuthError(700024, `Client assertion is not within its valid time range. Current time: ${iso(seconds)}, assertion valid from ${iso(typeof nbf === 'number' ? nbf : typeof iat === 'number' ? iat : undefined)}, expiry time of assertion ${iso(exp)}. [Reason - ${reason}]`);
  if (exp + ASSERTION_CLOCK_SKEW_SECONDS <= seconds) throw outOfRange('The assertion has expired.');
  if (exp > seconds + MAX_ASSERTION_LIFETIME_SECONDS + ASSERTION_CLOCK_SKEW_SECONDS) {
    throw outOfRange(`The assertion expires more than ${MAX_ASSERTION_LIFETIME_SECONDS / 60} minutes from now; sign it for a shorter time.`);
  }
  if (typeof nbf === 'number' && nbf > seconds + ASSERTION_CLOCK_SKEW_SECONDS) throw outOfRange('The assertion is not valid yet (nbf is in the future).');
  if (typeof iat === 'number' && iat > seconds + ASSERTION_CLOCK_SKEW_SECONDS) throw outOfRange('The assertion was issued in the future (iat).');
  return exp;
}

function iso(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || Math.abs(seconds) > 1e11) return '(not set)';
  return new Date(seconds * 1000).toISOString();
}

function invalidSignature(reason: string): OAuthError {
  return new OAuthError(700027, `Client assertion contains an invalid signature. [Reason - ${reason}]`);
}

function malformed(reason: string): OAuthError {
  return new OAuthError(50027, `JWT token is invalid or malformed: ${reason}`);
}

/** Values from the assertion end up in messages; keep them short and printable. */
function printable(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?').slice(0, 128);
}
