import { generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { isKeyPublished, TokenVerificationError, verifyAccessToken, type VerifyAccessTokenOptions } from '../../src/identity/index.js';

const TENANT = 'aaaaaaaa-2222-4333-8444-555555555555';
const ISSUER = `https://login.portico.test/${TENANT}/v2.0`;
const AUD = 'aaaaaaaa-0000-0000-0000-000000000001';
const NOW = new Date('2026-01-01T00:00:00.000Z');
const T = Math.floor(NOW.getTime() / 1000);

let privateKey: CryptoKey;
let publicKey: CryptoKey;

beforeAll(async () => {
  ({ privateKey, publicKey } = await generateKeyPair('RS256'));
});

const sign = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = { kid: 'k1' }): Promise<string> => {
  const payload: Record<string, unknown> = { iss: ISSUER, aud: AUD, iat: T, nbf: T, exp: T + 600, azp: 'client', tid: TENANT, ...claims };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', ...header }).sign(privateKey);
};

const options = (extra: Partial<VerifyAccessTokenOptions> = {}): VerifyAccessTokenOptions => ({
  keyFor: (kid) => (kid === 'k1' ? publicKey : undefined),
  issuer: ISSUER,
  tenantId: TENANT,
  now: NOW,
  clockToleranceSeconds: 60,
  ...extra,
});

async function outcome(token: string, extra: Partial<VerifyAccessTokenOptions> = {}): Promise<string> {
  try {
    await verifyAccessToken(token, options(extra));
    return 'accepted';
  } catch (err) {
    if (err instanceof TokenVerificationError) return err.reason;
    throw err;
  }
}

describe('verifyAccessToken', () => {
  it('returns the payload and the kid that verified it', async () => {
    const result = await verifyAccessToken(await sign(), options());
    expect(result.kid).toBe('k1');
    expect(result.payload).toMatchObject({ iss: ISSUER, aud: AUD, exp: T + 600, azp: 'client' });
  });

  it('checks the audience only when the caller names some', async () => {
    const token = await sign({ aud: 'someone-else' });
    expect(await outcome(token)).toBe('accepted');
    expect(await outcome(token, { audiences: [AUD] })).toBe('audience');
    expect(await outcome(await sign(), { audiences: [AUD] })).toBe('accepted');
    await expect(verifyAccessToken(token, options({ audiences: [] }))).rejects.toThrow('at least one accepted audience');
  });

  it('requires a kid naming a key keyFor knows, and does not look up overlong kids', async () => {
    const asked: string[] = [];
    const keyFor = (kid: string): CryptoKey | undefined => {
      asked.push(kid);
      return kid === 'k1' ? publicKey : undefined;
    };
    expect(await outcome(await sign({}, {}), { keyFor })).toBe('signature');
    expect(await outcome(await sign({}, { kid: 'k2' }), { keyFor })).toBe('signature');
    expect(await outcome(await sign({}, { kid: 'x'.repeat(129) }), { keyFor })).toBe('signature');
    expect(asked).toEqual(['k2']);
  });

  it('requires exp and the claims the caller names, and checks the issuer', async () => {
    expect(await outcome(await sign({ exp: undefined }))).toBe('claims');
    expect(await outcome(await sign({ oid: undefined }), { requiredClaims: ['oid'] })).toBe('claims');
    expect(await outcome(await sign({ oid: 'sp' }), { requiredClaims: ['oid'] })).toBe('accepted');
    expect(await outcome(await sign({ iss: 'https://evil.test/v2.0' }))).toBe('issuer');
  });

  it('requires tid to be the tenant of the trusted issuer', async () => {
    expect(await outcome(await sign({ tid: '99999999-2222-4333-8444-555555555555' }))).toBe('tenant');
    expect(await outcome(await sign({ tid: undefined }))).toBe('tenant');
    expect(await outcome(await sign({ tid: TENANT.toUpperCase() }))).toBe('tenant');
    await expect(verifyAccessToken(await sign(), options({ tenantId: '' }))).rejects.toThrow('tenant id of its issuer');
  });

  it('applies the clock tolerance to exp and nbf', async () => {
    expect(await outcome(await sign({ iat: T - 700, nbf: T - 700, exp: T - 30 }))).toBe('accepted');
    expect(await outcome(await sign({ iat: T - 700, nbf: T - 700, exp: T - 90 }))).toBe('expired');
    expect(await outcome(await sign({ nbf: T + 30 }))).toBe('accepted');
    expect(await outcome(await sign({ nbf: T + 300 }))).toBe('not_yet_valid');
  });

  it('refuses other algorithms and malformed input', async () => {
    const hs = await new SignJWT({ iss: ISSUER, exp: T + 600 }).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).sign(new TextEncoder().encode('a-shared-secret-of-32-bytes-long!'));
    expect(await outcome(hs)).toBe('signature');
    expect(await outcome('not-a-token')).toBe('malformed');
  });
});

describe('isKeyPublished', () => {
  it('publishes a key until its retirement time', () => {
    expect(isKeyPublished({ retiresAt: null }, NOW)).toBe(true);
    expect(isKeyPublished({ retiresAt: '2026-01-01T00:00:01.000Z' }, NOW)).toBe(true);
    expect(isKeyPublished({ retiresAt: '2026-01-01T00:00:00.000Z' }, NOW)).toBe(false);
    expect(isKeyPublished({ retiresAt: '2026-01-01T00:00:01.000Z' }, NOW.getTime() + 1000)).toBe(false);
    expect(isKeyPublished({ retiresAt: 'not a time' }, NOW)).toBe(false);
  });
});
