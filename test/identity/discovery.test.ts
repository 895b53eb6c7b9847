import { X509Certificate, createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { IdentityHarness, expectEntraError } from './harness.js';

describeEachDialect('OpenID discovery and JWKS', (dialect) => {
  let h: IdentityHarness;

  beforeAll(async () => {
    h = await IdentityHarness.start(dialect);
  });
  afterAll(async () => h?.stop());

  test('the v2 document has the fields MSAL, @azure/identity and openid-client need, with Entra\'s headers', async () => {
    const result = await h.fetch(`${h.url}/${h.tenantId}/v2.0/.well-known/openid-configuration`);
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toMatch(/^application\/json/);
    expect(result.headers.get('cache-control')).toBe('max-age=86400, private');
    expect(result.headers.get('access-control-allow-origin')).toBe('*');
    const host = new URL(h.url).host;
    expect(result.body).toEqual({
      token_endpoint: `${h.url}/${h.tenantId}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      token_endpoint_auth_signing_alg_values_supported: ['RS256', 'PS256'],
      jwks_uri: `${h.url}/${h.tenantId}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${h.url}/${h.tenantId}/v2.0`,
      request_uri_parameter_supported: false,
      authorization_endpoint: `${h.url}/${h.tenantId}/oauth2/v2.0/authorize`,
      grant_types_supported: ['client_credentials'],
      claims_supported: expect.arrayContaining(['iss', 'aud', 'roles', 'azp', 'oid', 'tid']),
      tenant_region_scope: null,
      cloud_instance_name: host,
      msgraph_host: host,
    });
  });

  test('the same document at /{tenant}/.well-known/openid-configuration, for any tenant spelling case, and at /adfs', async () => {
    const v2 = (await h.fetch(`${h.url}/${h.tenantId}/v2.0/.well-known/openid-configuration`)).body;
    for (const path of [`/${h.tenantId}/.well-known/openid-configuration`, `/${h.tenantId.toUpperCase()}/v2.0/.well-known/openid-configuration`, '/adfs/.well-known/openid-configuration']) {
      const result = await h.fetch(`${h.url}${path}`);
      expect(result.status).toBe(200);
      expect(result.body).toEqual(v2);
    }
  });

  test('an unknown tenant gets Entra\'s error body', async () => {
    for (const path of ['/not-a-tenant/v2.0/.well-known/openid-configuration', '/common/.well-known/openid-configuration', '/other/discovery/v2.0/keys']) {
      const result = await h.fetch(`${h.url}${path}`);
      expectEntraError(result, 400, 'invalid_request', 90002, 'Tenant ');
    }
  });

  test("the JWKS lists the signing key as Entra does: kid = x5t = the certificate's SHA-1, x5c carrying the same public key, at both paths", async () => {
    const result = await h.fetch(`${h.url}/${h.tenantId}/discovery/v2.0/keys`);
    expect(result.status).toBe(200);
    expect(result.headers.get('cache-control')).toBe('max-age=86400, private');
    expect(result.body.keys).toHaveLength(1);
    const [key] = result.body.keys;
    expect(key).toEqual({
      kty: 'RSA', use: 'sig', kid: expect.any(String), x5t: expect.any(String), n: expect.any(String), e: 'AQAB',
      x5c: [expect.any(String)], issuer: `${h.url}/${h.tenantId}/v2.0`,
    });
    expect(Object.keys(key)).toEqual(['kty', 'use', 'kid', 'x5t', 'n', 'e', 'x5c', 'issuer']); // Entra's order; no alg
    expect(Buffer.from(key.n, 'base64url').length).toBe(256); // 2048 bits
    const der = Buffer.from(key.x5c[0], 'base64');
    expect(key.x5t).toBe(createHash('sha1').update(der).digest('base64url'));
    expect(key.x5t).toHaveLength(27);
    expect(key.kid).toBe(key.x5t);
    const certificate = new X509Certificate(der);
    expect(certificate.verify(certificate.publicKey)).toBe(true); // self-signed
    expect(certificate.publicKey.export({ format: 'jwk' })).toEqual({ kty: 'RSA', n: key.n, e: key.e });
    expect(Date.parse(certificate.validTo)).toBeGreaterThan(Date.now() + 365 * 24 * 3_600_000);
    expect((await h.fetch(`${h.url}/${h.tenantId}/discovery/keys`)).body).toEqual(result.body);
  });

  test('the private key is stored sealed, never as PEM', async () => {
    const [record] = await h.store.directory.listSigningKeys();
    expect(record!.privateKeyEncrypted).toMatch(/^v1\./);
    expect(record!.privateKeyEncrypted).not.toContain('PRIVATE KEY');
  });

  test('unknown routes get a JSON 404', async () => {
    const result = await h.fetch(`${h.url}/${h.tenantId}/oauth2/token`);
    expect(result.status).toBe(404);
    expect(result.body).toEqual({ error: { code: 'NotFound', message: `No route matches GET /${h.tenantId}/oauth2/token.` } });
  });
});
