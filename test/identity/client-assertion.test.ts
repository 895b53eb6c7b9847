/** verifyClientAssertion as a pure function: the time and audience boundaries, expired certificates, the replay window. */
import { randomUUID } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { beforeAll, describe, expect, test } from 'vitest';
import { OAuthError } from '../../src/errors/index.js';
import type { KeyCredentialRecord } from '../../src/identity/directory/directory-store.js';
import { verifyClientAssertion, type ClientAssertionInput } from '../../src/identity/token/client-auth/client-assertion.js';
import { InMemoryReplayCache } from '../../src/identity/token/client-auth/replay-cache.js';
import { makeCertificate, type TestCertificate } from '../helpers/certificates.js';

const NOW = new Date('2026-11-30T12:00:00.000Z');
const T = NOW.getTime() / 1000;
const CLIENT = '3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b';
const TENANT = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const TOKEN_ENDPOINT = `https://localhost:8082/${TENANT}/oauth2/v2.0/token`;
const ISSUER = `https://localhost:8082/${TENANT}/v2.0`;

let cert: TestCertificate;
let credential: KeyCredentialRecord;

beforeAll(async () => {
  cert = await makeCertificate();
  credential = {
    keyId: 'k-1', applicationId: 'app', displayName: null, certificate: cert.derBase64, thumbprintSha1: cert.sha1, thumbprintSha256: cert.sha256,
    startDateTime: '2026-01-01T00:00:00.000Z', endDateTime: '2027-01-01T00:00:00.000Z', createdDateTime: '2026-01-01T00:00:00.000Z',
  };
});

async function verify(claims: JWTPayload = {}, options: Partial<ClientAssertionInput> = {}): Promise<string | number> {
  const assertion = await new SignJWT({ aud: TOKEN_ENDPOINT, iss: CLIENT, sub: CLIENT, jti: randomUUID(), nbf: T, exp: T + 600, ...claims })
    .setProtectedHeader({ alg: 'PS256', 'x5t#S256': cert.x5tS256 })
    .sign(cert.privateKey);
  try {
    return await verifyClientAssertion({
      assertion, clientId: CLIENT, credentials: [credential], audiences: [TOKEN_ENDPOINT, ISSUER], now: NOW, replay: new InMemoryReplayCache(), ...options,
    });
  } catch (error) {
    if (error instanceof OAuthError) return error.aadsts;
    throw error;
  }
}

describe('verifyClientAssertion', () => {
  test('returns the keyId of the certificate that verified', async () => {
    expect(await verify()).toBe('k-1');
  });

  test('exp: 5 minutes of skew in the past, at most an hour (+ skew) ahead', async () => {
    expect(await verify({ nbf: T - 1000, exp: T - 299 })).toBe('k-1');
    expect(await verify({ nbf: T - 1000, exp: T - 300 })).toBe(700024);
    expect(await verify({ exp: T + 3600 + 300 })).toBe('k-1');
    expect(await verify({ exp: T + 3600 + 301 })).toBe(700024);
    expect(await verify({ exp: String(T + 60) as unknown as number })).toBe(50027);
  });

  test('nbf and iat may be up to 5 minutes ahead; iat is optional, as MSAL sends none', async () => {
    expect(await verify({ nbf: T + 300 })).toBe('k-1');
    expect(await verify({ nbf: T + 301 })).toBe(700024);
    expect(await verify({ iat: T + 301 })).toBe(700024);
    expect(await verify({ nbf: 'soon' as unknown as number })).toBe(50027);
  });

  test('aud: the token endpoint or the issuer of this tenant, case-insensitively (MSAL lowercases the authority)', async () => {
    expect(await verify({ aud: ISSUER })).toBe('k-1');
    expect(await verify({ aud: TOKEN_ENDPOINT.toUpperCase() })).toBe('k-1');
    expect(await verify({ aud: `${TOKEN_ENDPOINT}?x=1` })).toBe('k-1');
    expect(await verify({ aud: `${TOKEN_ENDPOINT}/` })).toBe(700023);
    expect(await verify({ aud: TOKEN_ENDPOINT.replace(TENANT, randomUUID()) })).toBe(700023);
    expect(await verify({ aud: 'https://localhost:8082/common/oauth2/v2.0/token' })).toBe(700023);
  });

  test('an expired or not yet valid registered certificate does not verify', async () => {
    expect(await verify({}, { credentials: [{ ...credential, endDateTime: '2026-11-30T11:59:59.000Z' }] })).toBe(700027);
    expect(await verify({}, { credentials: [{ ...credential, startDateTime: '2026-11-30T12:06:00.000Z' }] })).toBe(700027);
    expect(await verify({}, { credentials: [] })).toBe(700027);
  });

  test('the jti is remembered until exp + skew, per client', async () => {
    let clock = NOW.getTime();
    const replay = new InMemoryReplayCache(100, 100, () => clock);
    const jti = randomUUID();
    expect(await verify({ jti, exp: T + 60 }, { replay })).toBe('k-1');
    expect(await verify({ jti, exp: T + 60 }, { replay })).toBe(50013);
    clock = (T + 60 + 300) * 1000 - 1;
    expect(await verify({ jti, exp: T + 60 }, { replay })).toBe(50013);
    clock = (T + 60 + 300) * 1000;
    expect(await verify({ jti, exp: T + 600 }, { replay })).toBe('k-1');
  });

  test('a fractional exp is remembered until the whole second after it, so no sub-second replay window opens', async () => {
    let clock = NOW.getTime();
    const replay = new InMemoryReplayCache(100, 100, () => clock);
    const jti = randomUUID();
    expect(await verify({ jti, exp: T + 60.9 }, { replay })).toBe('k-1');
    clock = (T + 60 + 300) * 1000 + 950; // past exp + skew in ms, still the same whole second
    expect(await verify({ jti, exp: T + 60.9 }, { replay })).toBe(50013);
  });

  test('an application with 1,000 unexpired assertions on record is refused with 429 (AADSTS90055); others are not', async () => {
    const replay = new InMemoryReplayCache(100, 2, () => NOW.getTime());
    expect(await verify({ jti: randomUUID() }, { replay })).toBe('k-1');
    expect(await verify({ jti: randomUUID() }, { replay })).toBe('k-1');
    expect(await verify({ jti: randomUUID() }, { replay })).toBe(90055);
  });

  test('a failed check does not use up the jti', async () => {
    const replay = new InMemoryReplayCache();
    const jti = randomUUID();
    expect(await verify({ jti, aud: 'https://elsewhere/token' }, { replay })).toBe(700023);
    expect(await verify({ jti }, { replay })).toBe('k-1');
  });
});
