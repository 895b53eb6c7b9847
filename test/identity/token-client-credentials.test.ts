import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { IdentityHarness, type TestClient } from './harness.js';

describeEachDialect('token endpoint: client credentials', (dialect) => {
  let h: IdentityHarness;
  let client: TestClient;
  let api: Awaited<ReturnType<IdentityHarness['createResource']>>;

  beforeAll(async () => {
    h = await IdentityHarness.start(dialect);
    client = await h.createClient('Contoso Orders');
    api = await h.createResource({ roles: ['Orders.Read', 'Orders.Write'], displayName: 'Orders API' });
    await h.system.grantAppRole({ principalId: client.sp.id, resourceId: api.sp.id, appRoleId: h.roleId(api.app, 'Orders.Read') });
  });
  afterAll(async () => h?.stop());

  test('client_secret_post returns a bearer token with no-store headers', async () => {
    const result = await h.postToken({ grant_type: 'client_credentials', client_id: client.app.appId, client_secret: client.secret, scope: `api://${api.app.appId}/.default` });
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toMatch(/^application\/json/);
    expect(result.headers.get('cache-control')).toBe('no-store, no-cache');
    expect(result.headers.get('pragma')).toBe('no-cache');
    expect(Object.keys(result.body)).toEqual(['token_type', 'expires_in', 'ext_expires_in', 'access_token']);
    expect(result.body).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599 });
  });

  test('the token verifies against the JWKS served over HTTP and carries the Entra v2 app-only claims', async () => {
    const before = Math.floor(Date.now() / 1000);
    const token = await h.token(client, `api://${api.app.appId}/.default`);
    const jwks = createRemoteJWKSet(new URL(`${h.url}/${h.tenantId}/discovery/v2.0/keys`));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: `${h.url}/${h.tenantId}/v2.0`, audience: api.app.appId, algorithms: ['RS256'],
    });
    expect(protectedHeader).toEqual({ typ: 'JWT', alg: 'RS256', kid: expect.any(String) });
    expect(Object.keys(payload)).toEqual(['aud', 'iss', 'iat', 'nbf', 'exp', 'azp', 'azpacr', 'oid', 'sub', 'tid', 'roles', 'uti', 'ver', 'idtyp']);
    expect(payload).toMatchObject({
      aud: api.app.appId,
      iss: `${h.url}/${h.tenantId}/v2.0`,
      azp: client.app.appId,
      azpacr: '1',
      oid: client.sp.id,
      sub: client.sp.id,
      tid: h.tenantId,
      roles: ['Orders.Read'],
      ver: '2.0',
      idtyp: 'app',
    });
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.nbf).toBe(payload.iat);
    expect(payload.exp).toBe(payload.iat! + 3599);
    expect(payload.uti).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  test('client_secret_basic: form-encoded id and secret, base64-encoded, URL-decoded by the server', async () => {
    const encode = (v: string) => encodeURIComponent(v).replace(/[~._-]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    const basic = Buffer.from(`${encode(client.app.appId)}:${encode(client.secret)}`).toString('base64');
    const result = await h.postToken({ grant_type: 'client_credentials', scope: `${api.app.appId}/.default` }, { headers: { authorization: `Basic ${basic}` } });
    expect(result.status).toBe(200);
    const claims = JSON.parse(Buffer.from(result.body.access_token.split('.')[1], 'base64url').toString());
    expect(claims.azp).toBe(client.app.appId);
  });

  test('Basic with a body client_id equal to the header id is accepted', async () => {
    const basic = Buffer.from(`${client.app.appId}:${client.secret}`).toString('base64');
    const result = await h.postToken({ grant_type: 'client_credentials', client_id: client.app.appId, scope: `${api.app.appId}/.default` }, { headers: { authorization: `Basic ${basic}` } });
    expect(result.status).toBe(200);
  });

  test('MSAL extras are ignored: telemetry fields, claims, client_info, charset and ?client-request-id=', async () => {
    const requestId = '5d0e8f5e-1111-4222-8333-944444444444';
    const result = await h.postToken({
      client_id: client.app.appId, scope: `api://${api.app.appId}/.default`, grant_type: 'client_credentials',
      'x-client-SKU': 'msal.js.node', 'x-client-VER': '5.6.0', 'x-client-OS': 'linux', 'x-client-CPU': 'x64',
      'x-ms-lib-capability': 'retry-after, h429', 'x-client-current-telemetry': '5|771,2,,,|,', 'x-client-last-telemetry': '5|0|||0,0',
      'client-request-id': requestId, claims: '{"access_token":{"xms_cc":{"values":["cp1"]}}}', client_info: '1', client_secret: client.secret,
    }, { query: `?client-request-id=${requestId}`, headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' } });
    expect(result.status).toBe(200);
  });

  test('a resource without roles for the client still gets a token, without the roles claim', async () => {
    const open = await h.createResource({ roles: ['X.All'] });
    const token = await h.token(client, `api://${open.app.appId}/.default`);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(claims.aud).toBe(open.app.appId);
    expect('roles' in claims).toBe(false);
  });

  test('a disabled role is left out of the roles claim', async () => {
    const resource = await h.createResource({ roles: ['A.Read', 'B.Read'] });
    await h.system.grantAppRole({ principalId: client.sp.id, resourceId: resource.sp.id, appRoleId: h.roleId(resource.app, 'A.Read') });
    await h.system.grantAppRole({ principalId: client.sp.id, resourceId: resource.sp.id, appRoleId: h.roleId(resource.app, 'B.Read') });
    const app = (await h.store.directory.getApplication(resource.app.id))!;
    await h.store.directory.updateApplication({ ...app, appRoles: app.appRoles.map((r) => (r.value === 'B.Read' ? { ...r, isEnabled: false } : r)) });
    await h.announceDirectoryWrite();
    const token = await h.token(client, `api://${resource.app.appId}/.default`);
    expect(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).roles).toEqual(['A.Read']);
  });

  test('URL-shaped identifier URIs resolve with and without a trailing slash, and with the Azure CLI\'s double slash', async () => {
    const mgmt = await h.createResource({ identifierUris: ['https://management.portico.local/'] });
    for (const scope of ['https://management.portico.local//.default', 'https://management.portico.local/.default']) {
      const token = await h.token(client, scope);
      expect(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).aud).toBe(mgmt.app.appId);
    }
    const noSlash = await h.createResource({ identifierUris: ['https://orders.example.test'] });
    const token = await h.token(client, 'https://orders.example.test//.default');
    expect(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).aud).toBe(noSlash.app.appId);
  });

  test('the tenant in the path matches case-insensitively (MSAL lowercases the authority)', async () => {
    const result = await h.postToken(
      { grant_type: 'client_credentials', client_id: client.app.appId, client_secret: client.secret, scope: `api://${api.app.appId}/.default` },
      { tenant: h.tenantId.toUpperCase() },
    );
    expect(result.status).toBe(200);
  });

  test('the same resource twice in scope is one resource', async () => {
    const result = await h.postToken({ grant_type: 'client_credentials', client_id: client.app.appId, client_secret: client.secret, scope: `api://${api.app.appId}/.default ${api.app.appId}/.default` });
    expect(result.status).toBe(200);
  });

  test('several secrets are valid at once (rotation with overlap); removing one leaves the other working', async () => {
    const rotating = await h.createClient();
    const second = await h.system.addPassword(rotating.app.id, { displayName: 'second' });
    const scope = `api://${api.app.appId}/.default`;
    await expect(h.token(rotating, scope)).resolves.toBeTypeOf('string');
    await expect(h.token({ ...rotating, secret: second.secretText }, scope)).resolves.toBeTypeOf('string');
    await h.system.removePassword(rotating.app.id, rotating.keyId);
    const old = await h.postToken({ grant_type: 'client_credentials', client_id: rotating.app.appId, client_secret: rotating.secret, scope });
    expect(old.status).toBe(401);
    expect(old.body.error_codes).toEqual([7000215]);
    await expect(h.token({ ...rotating, secret: second.secretText }, scope)).resolves.toBeTypeOf('string');
  });

  test('a valid secret still works while the app also has an expired one', async () => {
    const c = await h.createClient();
    await h.store.directory.insertPasswordCredential({
      keyId: crypto.randomUUID(), applicationId: c.app.id, displayName: 'old', hint: 'abc', secretHash: 'x'.repeat(43),
      startDateTime: '2020-01-01T00:00:00.000Z', endDateTime: '2021-01-01T00:00:00.000Z',
    });
    await h.announceDirectoryWrite();
    await expect(h.token(c, `api://${api.app.appId}/.default`)).resolves.toBeTypeOf('string');
  });

  test('the log has the credential keyId of a successful call and never the secret or the Authorization header', async () => {
    const basic = Buffer.from(`${client.app.appId}:${client.secret}`).toString('base64');
    await h.postToken({ grant_type: 'client_credentials', scope: `${api.app.appId}/.default` }, { headers: { authorization: `Basic ${basic}` } });
    await h.postToken({ grant_type: 'client_credentials', client_id: client.app.appId, client_secret: `${client.secret}x`, scope: `${api.app.appId}/.default` });
    // A careless client putting the secret in the query string: ignored, and not logged either.
    await h.postToken({ grant_type: 'client_credentials', scope: `${api.app.appId}/.default` }, { query: `?client_id=${client.app.appId}&client_secret=${client.secret}` });
    const log = h.logLines.join('\n');
    expect(log).toContain(client.keyId);
    expect(log).not.toContain(client.secret);
    expect(log).not.toContain(basic);
    expect(log.toLowerCase()).not.toContain('client_secret=');
  });

  test('the kid in the header is in the JWKS', async () => {
    const token = await h.token(client, `api://${api.app.appId}/.default`);
    const jwks = await h.fetch(`${h.url}/${h.tenantId}/discovery/v2.0/keys`);
    expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).toContain(decodeProtectedHeader(token).kid);
  });
});
