/**
 * Certificate credentials end to end, against the booted program over HTTP: a certificate is
 * uploaded with Graph's PATCH, a hand-made client assertion (as MSAL builds it) gets a token with
 * azpacr "2" that opens the gateway, and every attack on the assertion gets Entra's AADSTS error.
 */
import { createHmac, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { ClientAssertion, CryptoProvider } from '@azure/msal-node';
import { SignJWT, decodeJwt, decodeProtectedHeader, exportJWK, type JWTPayload } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { makeCertificate, type TestCertificate } from '../helpers/certificates.js';
import { ManagementClient, clientCredentialsToken, requestToken, type TokenResult } from '../helpers/clients.js';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

let portico: Booted;
let clientId: string;
let scope: string;
let cert: TestCertificate;
let tokenEndpoint: string;

beforeAll(async () => {
  portico = await bootPortico();
  const { credentials, identityUrl } = portico;
  tokenEndpoint = `${identityUrl}/${credentials.tenantId}/oauth2/v2.0/token`;
  const admin = new ManagementClient(credentials);
  const audience = (await admin.call('PATCH', '/products/starter', { properties: { authenticationType: ['application-token'] } })).body.properties.application.entra.audience;
  scope = `api://${audience}/.default`;
  cert = await makeCertificate({ subject: 'carol-app' });
  clientId = await registerClientWithCertificate('carol');
});
afterAll(async () => portico?.stop());

/** A client application on Starter, owned by a new user, with `cert` uploaded through Graph's PATCH. */
async function registerClientWithCertificate(name: string): Promise<string> {
  const { credentials, identityUrl } = portico;
  const admin = new ManagementClient(credentials);
  await admin.call('PUT', `/users/${name}`, { properties: { email: `${name}@example.com`, firstName: name, lastName: 'Example' } });
  const id = (await admin.call('PUT', `/clientApplications/${name}-app`, { properties: { displayName: `${name} app`, ownerId: `/users/${name}`, productIds: ['/products/starter'] } })).body.properties.entraApplicationId;
  const graphToken = await clientCredentialsToken(identityUrl, credentials.tenantId, credentials.admin.clientId, credentials.admin.clientSecret, 'https://graph.microsoft.com/.default');
  const graph = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${identityUrl}/v1.0${path}`, { method, headers: { authorization: `Bearer ${graphToken}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return { status: response.status, body: response.status === 204 ? undefined : (await response.json()) as any };
  };
  const application = (await graph('GET', `/applications?$filter=appId eq '${id}'`)).body.value[0];
  const patched = await graph('PATCH', `/applications/${application.id}`, { keyCredentials: [{ type: 'AsymmetricX509Cert', usage: 'Verify', key: cert.derBase64, displayName: `CN=${name}-app` }] });
  expect(patched.status).toBe(204);
  const shown = (await graph('GET', `/applications/${application.id}`)).body.keyCredentials;
  expect(shown).toEqual([expect.objectContaining({ customKeyIdentifier: cert.sha1, key: null, type: 'AsymmetricX509Cert', usage: 'Verify' })]);
  return id;
}

/** Claims as MSAL sends them: aud = token endpoint, iss = sub = client id, jti, nbf, exp = +10 min. */
function claims(overrides: Partial<JWTPayload> = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return { aud: tokenEndpoint, iss: clientId, sub: clientId, jti: randomUUID(), nbf: now, exp: now + 600, ...overrides };
}

async function assertion(options: { claims?: JWTPayload; header?: Record<string, unknown>; alg?: string; key?: KeyObject } = {}): Promise<string> {
  const alg = options.alg ?? 'PS256';
  return new SignJWT(options.claims ?? claims())
    .setProtectedHeader({ alg, typ: 'JWT', 'x5t#S256': cert.x5tS256, ...options.header })
    .sign(options.key ?? cert.privateKey);
}

function tokenWith(clientAssertion: string, extra: Record<string, string> = {}): Promise<TokenResult> {
  return requestToken(portico.identityUrl, portico.credentials.tenantId, {
    grant_type: 'client_credentials', client_id: clientId, scope,
    client_assertion_type: JWT_BEARER, client_assertion: clientAssertion, ...extra,
  });
}

function expectError(result: TokenResult, status: number, error: string, code: number, descriptionStart = ''): void {
  expect({ status: result.status, error: result.body.error, codes: result.body.error_codes }).toEqual({ status, error, codes: [code] });
  expect(String(result.body.error_description)).toMatch(new RegExp(`^AADSTS${code}: ${descriptionStart.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
}

const unsigned = (header: Record<string, unknown>, payload: JWTPayload): string =>
  `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;

describe('private_key_jwt with an uploaded certificate', () => {
  test('PS256 + x5t#S256 gets a token with azpacr "2" that opens the gateway', async () => {
    const result = await tokenWith(await assertion());
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    const accessToken = result.body.access_token as string;
    expect(decodeJwt(accessToken)).toMatchObject({ azp: clientId, azpacr: '2', roles: ['Product.Starter.All'], tid: portico.credentials.tenantId });
    const call = await fetch(`${portico.gatewayUrl}/echo/resource?param1=sample`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(call.status).toBe(200);
    expect(portico.logLines.some((line) => line.includes('"method":"private_key_jwt"'))).toBe(true);
  });

  test('RS256 + x5t (SHA-1), the issuer as aud, and the token endpoint with a query as aud are accepted too', async () => {
    const rs256 = await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t: cert.x5t }).sign(cert.privateKey);
    expect((await tokenWith(rs256)).status).toBe(200);
    const issuerAud = await assertion({ claims: claims({ aud: `${portico.identityUrl}/${portico.credentials.tenantId}/v2.0` }) });
    expect((await tokenWith(issuerAud)).status).toBe(200);
    const withQuery = await assertion({ claims: claims({ aud: `${tokenEndpoint}?client-request-id=${randomUUID()}` }) });
    expect((await tokenWith(withQuery)).status).toBe(200);
  });

  // MSAL and @azure/identity refuse http:// authorities (their own tests wait for HTTPS, see
  // test/clients/certificate-clients.test.ts), but the assertion they send is built by MSAL Node's
  // public ClientAssertion class, which ConfidentialClientApplication calls exactly like this.
  test('the assertion MSAL Node builds (PS256, x5t#S256, x5c, no iat) gets a token', async () => {
    const msal = ClientAssertion.fromCertificateWithSha256Thumbprint(cert.sha256, cert.privateKeyPem, cert.pem);
    const built = msal.getJwt(new CryptoProvider(), clientId, tokenEndpoint);
    expect(decodeProtectedHeader(built)).toMatchObject({ alg: 'PS256', 'x5t#S256': cert.x5tS256, x5c: [expect.any(String)] });
    const result = await tokenWith(built);
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(decodeJwt(result.body.access_token as string).azpacr).toBe('2');
    const legacy = ClientAssertion.fromCertificate(cert.sha1, cert.privateKeyPem).getJwt(new CryptoProvider(), clientId, tokenEndpoint);
    expect(decodeProtectedHeader(legacy)).toMatchObject({ alg: 'RS256', x5t: cert.x5t });
    expect((await tokenWith(legacy)).status).toBe(200);
  });

  test('the discovery document lists private_key_jwt with RS256 and PS256', async () => {
    const discovery = (await (await fetch(`${portico.identityUrl}/${portico.credentials.tenantId}/v2.0/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
    expect(discovery.token_endpoint_auth_signing_alg_values_supported).toEqual(['RS256', 'PS256']);
  });
});

describe('attacks on the client assertion, each refused with Entra\'s error', () => {
  // Each attack on a client of its own: failed assertions count towards the client's failure throttle.
  let attacked = 0;
  beforeEach(async () => {
    clientId = await registerClientWithCertificate(`attacked${++attacked}`);
  });

  test('alg none → AADSTS700027', async () => {
    const result = await tokenWith(`${unsigned({ alg: 'none', typ: 'JWT', 'x5t#S256': cert.x5tS256 }, claims())}.`);
    expectError(result, 401, 'invalid_client', 700027, "Client assertion contains an invalid signature. [Reason - The assertion is signed with 'none'; only RS256 and PS256 are accepted.]");
  });

  test('HS256 keyed with the certificate\'s public key → AADSTS700027', async () => {
    const publicPem = createPublicKey(cert.privateKey).export({ format: 'pem', type: 'spki' }).toString();
    const input = unsigned({ alg: 'HS256', typ: 'JWT', 'x5t#S256': cert.x5tS256 }, claims());
    const signature = createHmac('sha256', publicPem).update(input).digest('base64url');
    expectError(await tokenWith(`${input}.${signature}`), 401, 'invalid_client', 700027, "Client assertion contains an invalid signature. [Reason - The assertion is signed with 'HS256'");
  });

  test('an unknown x5t#S256 (a certificate never uploaded) → AADSTS700027', async () => {
    const stranger = await makeCertificate({ subject: 'stranger' });
    const result = await tokenWith(await assertion({ header: { 'x5t#S256': stranger.x5tS256 }, key: stranger.privateKey }));
    expectError(result, 401, 'invalid_client', 700027, `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${stranger.sha256}'`);
  });

  test('no thumbprint, or a malformed one, in the header → AADSTS700027', async () => {
    const noThumbprint = await new SignJWT(claims()).setProtectedHeader({ alg: 'PS256', typ: 'JWT' }).sign(cert.privateKey);
    expectError(await tokenWith(noThumbprint), 401, 'invalid_client', 700027, "Client assertion contains an invalid signature. [Reason - The assertion's header names no registered certificate");
    // A valid x5t next to a malformed x5t#S256 does not let the malformed one be skipped.
    const malformed = await assertion({ header: { 'x5t#S256': cert.x5t, x5t: cert.x5t } });
    expectError(await tokenWith(malformed), 401, 'invalid_client', 700027, "Client assertion contains an invalid signature. [Reason - The assertion's x5t#S256 or x5t header is not");
  });

  test('x5c or jwk in the header is not trusted: the attacker\'s key with the registered thumbprint → AADSTS700027', async () => {
    const attacker = await makeCertificate({ subject: 'attacker' });
    const x5c = await assertion({ header: { x5c: [attacker.derBase64] }, key: attacker.privateKey });
    expectError(await tokenWith(x5c), 401, 'invalid_client', 700027, "Client assertion contains an invalid signature. [Reason - The signature does not verify with the certificate it names. Thumbprint of key used by client: '" + cert.sha1);
    const jwk = await assertion({ header: { jwk: await exportJWK(createPublicKey(attacker.privateKey)) }, key: attacker.privateKey });
    expectError(await tokenWith(jwk), 401, 'invalid_client', 700027, 'Client assertion contains an invalid signature. [Reason - The signature does not verify');
    // …and with the attacker's own thumbprint, the certificate in x5c is simply not registered.
    const own = await assertion({ header: { 'x5t#S256': attacker.x5tS256, x5c: [attacker.derBase64] }, key: attacker.privateKey });
    expectError(await tokenWith(own), 401, 'invalid_client', 700027, 'The certificate with identifier used to sign the client assertion is not registered on application.');
  });

  test('a wrong aud → AADSTS700023', async () => {
    const result = await tokenWith(await assertion({ claims: claims({ aud: 'https://login.microsoftonline.com/common/oauth2/v2.0/token' }) }));
    expectError(result, 401, 'invalid_client', 700023, "Client assertion audience claim does not match Realm issuer. [Reason - The assertion's 'aud' is 'https://login.microsoftonline.com/common/oauth2/v2.0/token'; it must be '" + tokenEndpoint);
  });

  test('the aud of another tenant (another tenant id in the path) → AADSTS700023', async () => {
    const otherTenant = `${portico.identityUrl}/${randomUUID()}/oauth2/v2.0/token`;
    expectError(await tokenWith(await assertion({ claims: claims({ aud: otherTenant }) })), 401, 'invalid_client', 700023);
    const otherIssuer = `${portico.identityUrl}/${randomUUID()}/v2.0`;
    expectError(await tokenWith(await assertion({ claims: claims({ aud: otherIssuer }) })), 401, 'invalid_client', 700023);
    const twoAudiences = await assertion({ claims: claims({ aud: [tokenEndpoint, otherTenant] }) });
    expectError(await tokenWith(twoAudiences), 400, 'invalid_request', 50027, "JWT token is invalid or malformed: the claim 'aud' is required and must be one string");
  });

  test('a replayed jti → AADSTS50013, even with a fresh signature', async () => {
    const first = await assertion();
    expect((await tokenWith(first)).status).toBe(200);
    expectError(await tokenWith(first), 401, 'invalid_client', 50013, 'The client assertion was already used');
    const jti = decodeJwt(first).jti!;
    expectError(await tokenWith(await assertion({ claims: claims({ jti }) })), 401, 'invalid_client', 50013);
  });

  test('20 failed assertions in a minute throttle the client (429, AADSTS90055, Retry-After); a good one then waits too', async () => {
    for (let i = 0; i < 20; i++) expectError(await tokenWith(await assertion({ claims: claims({ aud: 'https://elsewhere.example/token' }) })), 401, 'invalid_client', 700023);
    const response = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, scope, client_assertion_type: JWT_BEARER, client_assertion: await assertion() }).toString(),
    });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expectError({ status: response.status, body: (await response.json()) as Record<string, unknown> }, 429, 'temporarily_unavailable', 90055, 'Too many failed client authentications.');
  });

  test('an expired assertion, one valid only later, one signed for too long → AADSTS700024', async () => {
    const now = Math.floor(Date.now() / 1000);
    expectError(await tokenWith(await assertion({ claims: claims({ nbf: now - 1200, exp: now - 600 }) })), 401, 'invalid_client', 700024, 'Client assertion is not within its valid time range. Current time: ');
    expectError(await tokenWith(await assertion({ claims: claims({ nbf: now + 900, exp: now + 1200 }) })), 401, 'invalid_client', 700024);
    expectError(await tokenWith(await assertion({ claims: claims({ exp: now + 2 * 3600 }) })), 401, 'invalid_client', 700024);
  });

  test('missing jti or exp → AADSTS50027', async () => {
    const { jti: _jti, ...withoutJti } = claims();
    expectError(await tokenWith(await assertion({ claims: withoutJti })), 400, 'invalid_request', 50027, "JWT token is invalid or malformed: the claim 'jti' is required");
    const { exp: _exp, ...withoutExp } = claims();
    expectError(await tokenWith(await assertion({ claims: withoutExp })), 400, 'invalid_request', 50027, "JWT token is invalid or malformed: the claim 'exp' is required");
  });

  test('iss other than the client id → AADSTS700021; sub other than iss → AADSTS50048', async () => {
    const other = randomUUID();
    expectError(await tokenWith(await assertion({ claims: claims({ iss: other, sub: other }) })), 401, 'invalid_client', 700021, "Client assertion application identifier doesn't match 'client_id' parameter.");
    expectError(await tokenWith(await assertion({ claims: claims({ sub: other }) })), 401, 'invalid_client', 50048);
  });

  test('a client secret and an assertion together → AADSTS90014; a wrong or missing assertion type → AADSTS90011 / AADSTS900144', async () => {
    const both = await tokenWith(await assertion(), { client_secret: 'whatever' });
    expectError(both, 400, 'invalid_request', 90014, 'The request uses more than one client authentication method; send either client_assertion or a client secret, not both.');
    const wrongType = await tokenWith(await assertion(), { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' });
    expectError(wrongType, 400, 'invalid_request', 90011, "Unexpected client assertion type 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer'");
    const missingType = await requestToken(portico.identityUrl, portico.credentials.tenantId, { grant_type: 'client_credentials', client_id: clientId, scope, client_assertion: await assertion() });
    expectError(missingType, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_assertion_type'.");
  });

  test('the assertion and the private key never reach the log', async () => {
    const sent = await assertion();
    await tokenWith(sent);
    const log = portico.logLines.join('\n');
    expect(log).not.toContain(sent.split('.')[2]);
    expect(log).not.toContain(cert.privateKeyPem.split('\n')[1]);
  });
});
