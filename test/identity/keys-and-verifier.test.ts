import { randomBytes } from 'node:crypto';
import { SignJWT, UnsecuredJWT, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { SecretBox } from '../../src/shared/index.js';
import { SigningKeys, TokenVerificationError } from '../../src/identity/index.js';
import { generateSigningKey } from '../../src/identity/keys/generate-key.js';
import { describeEachDialect } from '../helpers/databases.js';
import { IdentityHarness, type TestClient } from './harness.js';

describeEachDialect('signing keys and the access-token verifier', (dialect) => {
  let h: IdentityHarness;
  let client: TestClient;
  let api: Awaited<ReturnType<IdentityHarness['createResource']>>;

  beforeAll(async () => {
    h = await IdentityHarness.start(dialect);
    client = await h.createClient();
    api = await h.createResource();
  });
  afterAll(async () => h?.stop());

  const issuer = () => `${h.url}/${h.tenantId}/v2.0`;
  const rejection = async (token: string, audiences = [api.app.appId]) => {
    try {
      await h.identity.verifier.verify(token, { audiences });
    } catch (err) {
      if (err instanceof TokenVerificationError) return err.reason;
      throw err;
    }
    return 'accepted';
  };
  const signed = async (claims: Record<string, unknown>, header: Record<string, unknown> = {}) => {
    const signer = await h.identity.keys.currentSigner();
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ aud: api.app.appId, iss: issuer(), iat: now, nbf: now, exp: now + 600, azp: client.app.appId, oid: client.sp.id, tid: h.tenantId, ...claims })
      .setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid: signer.kid, ...header })
      .sign(signer.key);
  };

  test('accepts an issued token for its audience and returns its claims', async () => {
    const token = await h.token(client, `api://${api.app.appId}/.default`);
    const claims = await h.identity.verifier.verify(token, { audiences: [api.app.appId] });
    expect(claims).toMatchObject({ aud: api.app.appId, azp: client.app.appId, oid: client.sp.id, tid: h.tenantId });
  });

  test('refuses another audience, another issuer, and expiry beyond 60 s of skew', async () => {
    const token = await h.token(client, `api://${api.app.appId}/.default`);
    expect(await rejection(token, ['00000000-0000-0000-0000-000000000001'])).toBe('audience');
    expect(await rejection(await signed({ iss: 'https://login.microsoftonline.com/x/v2.0' }))).toBe('issuer');
    const now = Math.floor(Date.now() / 1000);
    expect(await rejection(await signed({ iat: now - 700, nbf: now - 700, exp: now - 30 }))).toBe('accepted');
    expect(await rejection(await signed({ iat: now - 700, nbf: now - 700, exp: now - 90 }))).toBe('expired');
    expect(await rejection(await signed({ nbf: now + 300 }))).toBe('not_yet_valid');
    expect(await rejection(await signed({ exp: undefined }))).toBe('claims');
  });

  test('refuses alg none, HS256 keyed with the public key, an unknown kid and a tampered payload', async () => {
    const unsecured = new UnsecuredJWT({ aud: api.app.appId, iss: issuer(), exp: Math.floor(Date.now() / 1000) + 600 }).encode();
    expect(await rejection(unsecured)).not.toBe('accepted');

    const jwks = (await h.fetch(`${h.url}/${h.tenantId}/discovery/v2.0/keys`)).body;
    const now = Math.floor(Date.now() / 1000);
    const confused = await new SignJWT({ aud: api.app.appId, iss: issuer(), iat: now, exp: now + 600, oid: client.sp.id, tid: h.tenantId, azp: client.app.appId })
      .setProtectedHeader({ alg: 'HS256', kid: jwks.keys[0].kid })
      .sign(new TextEncoder().encode(JSON.stringify(jwks.keys[0])));
    expect(await rejection(confused)).toBe('signature');

    expect(await rejection(await signed({}, { kid: '../../etc/passwd' }))).toBe('signature');

    const good = await signed({});
    const [header, , signature] = good.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ aud: api.app.appId, iss: issuer(), exp: now + 9999, oid: client.sp.id, tid: h.tenantId, azp: client.app.appId, roles: ['Admin'] })).toString('base64url');
    expect(await rejection(`${header}.${forgedPayload}.${signature}`)).toBe('signature');
    expect(await rejection('not-a-token')).toBe('malformed');
  });

  test('ensureCurrentKey is idempotent across instances sharing the store', async () => {
    const again = new SigningKeys({ store: h.store, secretBox: new SecretBox(randomBytes(32)), issuer });
    const before = await h.store.directory.listSigningKeys();
    const { kid } = await again.ensureCurrentKey();
    expect(kid).toBe(before[0]!.kid);
    expect(await h.store.directory.listSigningKeys()).toHaveLength(before.length);
  });

  test('a next key is published before it signs; a retired key leaves the JWKS after its retirement time', async () => {
    const box = new SecretBox(randomBytes(32));
    const current = (await h.identity.keys.currentSigner()).kid;
    const next = await generateSigningKey(box, new Date(), new Date(Date.now() + 3_600_000));
    const retired = await generateSigningKey(box, new Date(Date.now() - 7_200_000), new Date(Date.now() - 7_200_000));
    await h.store.directory.insertSigningKey(next);
    await h.store.directory.insertSigningKey(retired);
    await h.store.directory.setSigningKeyRetirement(retired.kid, new Date(Date.now() - 1000).toISOString());
    h.identity.keys.invalidate();

    const kids = (await h.identity.keys.publicJwks()).keys.map((k) => k.kid);
    expect(kids).toContain(next.kid);
    expect(kids).toContain(current);
    expect(kids).not.toContain(retired.kid);
    const token = await h.token(client, `api://${api.app.appId}/.default`);
    expect(decodeProtectedHeader(token).kid).toBe(current);
  });
});
