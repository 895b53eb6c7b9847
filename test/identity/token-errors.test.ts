import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { IdentityHarness, expectEntraError, type TestClient } from './harness.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describeEachDialect('token endpoint: Entra errors', (dialect) => {
  let h: IdentityHarness;
  let client: TestClient;
  let api: Awaited<ReturnType<IdentityHarness['createResource']>>;
  let scope: string;
  const form = (extra: Record<string, string> = {}) => ({
    grant_type: 'client_credentials', client_id: client.app.appId, client_secret: client.secret, scope, ...extra,
  });

  beforeAll(async () => {
    h = await IdentityHarness.start(dialect);
    client = await h.createClient('Fabrikam Client');
    api = await h.createResource({ roles: ['Data.Read'], displayName: 'Data API' });
    scope = `api://${api.app.appId}/.default`;
  });
  afterAll(async () => h?.stop());

  describe('error body', () => {
    test('has exactly Entra\'s fields, trace ids inline in the description, no-store and no Retry-After', async () => {
      const requestId = 'c0ffee00-1234-4abc-8def-0123456789ab';
      const result = await h.postToken(form({ client_secret: 'wrong' }), { headers: { 'client-request-id': requestId } });
      expectEntraError(result, 401, 'invalid_client', 7000215);
      const body = result.body;
      expect(Object.keys(body)).toEqual(['error', 'error_description', 'error_codes', 'timestamp', 'trace_id', 'correlation_id', 'error_uri']);
      expect(body.timestamp).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/);
      expect(body.trace_id).toMatch(GUID);
      expect(body.correlation_id).toBe(requestId);
      expect(body.error_description).toBe(
        `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${client.app.appId}'. Trace ID: ${body.trace_id} Correlation ID: ${requestId} Timestamp: ${body.timestamp}`,
      );
      expect(body.error_uri).toBe(`${h.url}/error?code=7000215`);
      expect(result.headers.get('cache-control')).toContain('no-store');
      expect(result.headers.get('retry-after')).toBeNull();
      expect(result.headers.get('content-type')).toMatch(/^application\/json/);
    });

    test('MSAL\'s ?client-request-id= becomes the correlation id; otherwise a fresh GUID', async () => {
      const requestId = 'a1b2c3d4-0000-4000-8000-000000000001';
      const withQuery = await h.postToken(form({ client_secret: 'wrong' }), { query: `?client-request-id=${requestId}` });
      expect(withQuery.body.correlation_id).toBe(requestId);
      const without = await h.postToken(form({ client_secret: 'wrong' }));
      expect(without.body.correlation_id).toMatch(GUID);
    });
  });

  describe('request format (AADSTS90014)', () => {
    test('a JSON body is refused', async () => {
      const result = await h.fetch(h.tokenUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(form()) });
      expectEntraError(result, 400, 'invalid_request', 90014, 'The request body must be form-encoded');
    });

    test('a body without a content type is refused', async () => {
      const result = await h.fetch(h.tokenUrl(), { method: 'POST', body: new URLSearchParams(form()).toString(), headers: { 'content-type': '' } });
      expectEntraError(result, 400, 'invalid_request', 90014);
    });

    test('a body over 64 KiB is refused', async () => {
      const result = await h.postToken(form({ padding: 'x'.repeat(70 * 1024) }));
      expectEntraError(result, 400, 'invalid_request', 90014, 'The request body is larger than 64 KiB.');
    });

    test('a body over 64 KiB without a Content-Length (chunked) is refused too', async () => {
      const chunk = new TextEncoder().encode(`${new URLSearchParams(form()).toString()}&padding=${'x'.repeat(16 * 1024)}`);
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 5) controller.enqueue(chunk); // about 80 KiB in all
          else controller.close();
        },
      });
      const result = await h.fetch(h.tokenUrl(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, duplex: 'half' } as RequestInit);
      expectEntraError(result, 400, 'invalid_request', 90014, 'The request body is larger than 64 KiB.');
    });

    test('doubled slashes in the path (the Azure CLI makes them) still reach the token endpoint; other methods do not', async () => {
      const result = await h.fetch(`${h.url}//${h.tenantId}//oauth2/v2.0/token`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form()).toString(),
      });
      expect(result.status).toBe(200);
      expect(result.headers.get('cache-control')).toBe('no-store, no-cache');
      const get = await h.fetch(h.tokenUrl());
      expect(get.status).toBe(404);
      expect(get.body.error.code).toBe('NotFound');
    });

    test('a repeated parameter is refused', async () => {
      const result = await h.postToken([
        ['grant_type', 'client_credentials'], ['client_id', client.app.appId], ['client_secret', client.secret],
        ['scope', scope], ['client_id', client.app.appId],
      ]);
      expectEntraError(result, 400, 'invalid_request', 90014, "The request body contains the parameter 'client_id' more than once.");
    });

    test('broken percent-encoding and invalid UTF-8 are refused', async () => {
      const broken = await h.fetch(h.tokenUrl(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=%zz' });
      expectEntraError(broken, 400, 'invalid_request', 90014, 'The request body is not valid form encoding.');
      const latin1 = await h.fetch(h.tokenUrl(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from([0x61, 0x3d, 0xff]) });
      expectEntraError(latin1, 400, 'invalid_request', 90014, 'The request body is not valid UTF-8.');
    });
  });

  test('unknown tenant → 400 AADSTS90002', async () => {
    const result = await h.postToken(form(), { tenant: 'contoso.example' });
    expectEntraError(result, 400, 'invalid_request', 90002, "Tenant 'contoso.example' not found.");
  });

  describe('missing parameters (AADSTS900144), in order grant_type, client_id, scope', () => {
    test('grant_type', async () => {
      const result = await h.postToken({ client_id: client.app.appId });
      expectEntraError(result, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
    });
    test('client_id', async () => {
      const result = await h.postToken({ grant_type: 'client_credentials' });
      expectEntraError(result, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
    });
    test('scope', async () => {
      const result = await h.postToken({ grant_type: 'client_credentials', client_id: client.app.appId });
      expectEntraError(result, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'scope'.");
    });
    test('neither client_secret nor client_assertion → 401 AADSTS7000218', async () => {
      const result = await h.postToken({ grant_type: 'client_credentials', client_id: client.app.appId, scope });
      expectEntraError(result, 401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    });
  });

  test('an unsupported grant type → 400 AADSTS70003', async () => {
    const result = await h.postToken({ grant_type: 'password', username: 'a', password: 'b' });
    expectEntraError(result, 400, 'unsupported_grant_type', 70003);
  });

  describe('client authentication', () => {
    const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

    test('Basic header and a body secret together → invalid_request', async () => {
      const result = await h.postToken(form(), { headers: { authorization: basic(client.app.appId, client.secret) } });
      expectEntraError(result, 400, 'invalid_request', 90014, 'The request uses more than one client authentication method');
    });

    test('body client_id different from the Basic id → AADSTS900023', async () => {
      const other = await h.createClient();
      const result = await h.postToken({ grant_type: 'client_credentials', client_id: other.app.appId, scope }, { headers: { authorization: basic(client.app.appId, client.secret) } });
      expectEntraError(result, 400, 'invalid_request', 900023, 'The client_id in the request body does not match');
    });

    test('a malformed Basic header → AADSTS900023', async () => {
      const result = await h.postToken({ grant_type: 'client_credentials', scope }, { headers: { authorization: 'Basic !!!not-base64' } });
      expectEntraError(result, 400, 'invalid_request', 900023, 'The Authorization header is not valid HTTP Basic client authentication');
      const noColon = await h.postToken({ grant_type: 'client_credentials', scope }, { headers: { authorization: `Basic ${Buffer.from('nocolon').toString('base64')}` } });
      expectEntraError(noColon, 400, 'invalid_request', 900023);
    });

    test('unknown client_id, GUID or not → 400 unauthorized_client AADSTS700016', async () => {
      const unknown = '11111111-2222-4333-8444-555555555555';
      const result = await h.postToken(form({ client_id: unknown }));
      expectEntraError(result, 400, 'unauthorized_client', 700016, `Application with identifier '${unknown}' was not found in the directory '${h.tenantId}'.`);
      const notGuid = await h.postToken(form({ client_id: 'my-app' }));
      expectEntraError(notGuid, 400, 'unauthorized_client', 700016, "Application with identifier 'my-app' was not found");
    });

    test('an application without a service principal is not found either', async () => {
      const app = await h.system.createApplication({ displayName: 'no sp' });
      const { secretText } = await h.system.addPassword(app.id);
      const result = await h.postToken(form({ client_id: app.appId, client_secret: secretText }));
      expectEntraError(result, 400, 'unauthorized_client', 700016);
    });

    test('wrong secret → 401 AADSTS7000215, also through Basic', async () => {
      expectEntraError(await h.postToken(form({ client_secret: `${client.secret}x` })), 401, 'invalid_client', 7000215, 'Invalid client secret provided.');
      const viaBasic = await h.postToken({ grant_type: 'client_credentials', scope }, { headers: { authorization: basic(client.app.appId, 'nope') } });
      expectEntraError(viaBasic, 401, 'invalid_client', 7000215);
    });

    test('an app without any secret → AADSTS7000215', async () => {
      const app = await h.system.createApplication({ displayName: 'secretless' });
      await h.system.createServicePrincipal({ appId: app.appId });
      expectEntraError(await h.postToken(form({ client_id: app.appId, client_secret: 'anything' })), 401, 'invalid_client', 7000215);
    });

    test('an expired secret → 401 AADSTS7000222, whether or not it matches, when no valid one exists', async () => {
      const expired = await h.createClient('Expired Client');
      const record = (await h.store.directory.listPasswordCredentials(expired.app.id))[0]!;
      await h.store.directory.deletePasswordCredential(record.keyId);
      await h.store.directory.insertPasswordCredential({ ...record, startDateTime: '2023-01-01T00:00:00.000Z', endDateTime: '2024-01-01T00:00:00.000Z' });
      await h.announceDirectoryWrite();
      const matching = await h.postToken(form({ client_id: expired.app.appId, client_secret: expired.secret }));
      expectEntraError(matching, 401, 'invalid_client', 7000222, `The provided client secret keys for app '${expired.app.appId}' are expired.`);
      const wrong = await h.postToken(form({ client_id: expired.app.appId, client_secret: 'guess' }));
      expectEntraError(wrong, 401, 'invalid_client', 7000222);
    });

    test('an expired secret that matches while another secret is still valid → AADSTS7000222', async () => {
      const c = await h.createClient();
      const old = await h.system.addPassword(c.app.id, { displayName: 'old' });
      const record = (await h.store.directory.listPasswordCredentials(c.app.id)).find((r) => r.keyId === old.keyId)!;
      await h.store.directory.deletePasswordCredential(record.keyId);
      await h.store.directory.insertPasswordCredential({ ...record, endDateTime: new Date(Date.now() - 1000).toISOString() });
      await h.announceDirectoryWrite();
      expectEntraError(await h.postToken(form({ client_id: c.app.appId, client_secret: old.secretText })), 401, 'invalid_client', 7000222);
      expect((await h.postToken(form({ client_id: c.app.appId, client_secret: c.secret }))).status).toBe(200);
    });

    test('a disabled client service principal → AADSTS7000112', async () => {
      const c = await h.createClient('Disabled Client');
      await h.store.directory.updateServicePrincipal({ ...c.sp, accountEnabled: false });
      await h.announceDirectoryWrite();
      const result = await h.postToken(form({ client_id: c.app.appId, client_secret: c.secret }));
      expectEntraError(result, 400, 'unauthorized_client', 7000112, `Application '${c.app.appId}'(Disabled Client) is disabled.`);
    });

    test('a client assertion that is not a JWT → 400 AADSTS50027 (the assertion rows are in client-assertion.test.ts)', async () => {
      const result = await h.postToken({
        grant_type: 'client_credentials', client_id: client.app.appId, scope,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: 'eyJ.eyJ.sig',
      });
      expectEntraError(result, 400, 'invalid_request', 50027, 'JWT token is invalid or malformed: the JWT header cannot be decoded.');
    });
  });

  describe('scope', () => {
    test('two different resources → AADSTS70011', async () => {
      const other = await h.createResource();
      const value = `${scope} api://${other.app.appId}/.default`;
      const result = await h.postToken(form({ scope: value }));
      expectEntraError(result, 400, 'invalid_scope', 70011, `The provided value for the input parameter 'scope' isn't valid. The scope ${value} isn't valid.`);
    });

    test('empty, not a URI or GUID, or only /.default → AADSTS70011', async () => {
      for (const value of ['', '   ', 'orders/.default', 'openid', '/.default']) {
        expectEntraError(await h.postToken(form({ scope: value })), 400, 'invalid_scope', 70011);
      }
    });

    test('a URI or GUID without /.default → AADSTS1002012', async () => {
      for (const value of [`api://${api.app.appId}/Data.Read`, api.app.appId, 'https://management.portico.local/']) {
        const result = await h.postToken(form({ scope: value }));
        expectEntraError(result, 400, 'invalid_scope', 1002012, `The provided value for scope ${value} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
      }
    });

    test('an unknown resource, or one without a service principal → 400 invalid_resource AADSTS500011', async () => {
      const result = await h.postToken(form({ scope: 'api://nothing-here/.default' }));
      expectEntraError(result, 400, 'invalid_resource', 500011, `The resource principal named api://nothing-here was not found in the tenant named ${h.tenantId}.`);
      const noSp = await h.system.createApplication({ displayName: 'API without principal' });
      expectEntraError(await h.postToken(form({ scope: `${noSp.appId}/.default` })), 400, 'invalid_resource', 500011);
      expectEntraError(await h.postToken(form({ scope: '99999999-9999-4999-8999-999999999999/.default' })), 400, 'invalid_resource', 500011);
    });
  });

  test('a resource requiring assignment, and a client without one → 400 invalid_grant AADSTS501051; granting fixes it', async () => {
    const locked = await h.createResource({ roles: ['Locked.All'], assignmentRequired: true, displayName: 'Locked API' });
    const lockedScope = `api://${locked.app.appId}/.default`;
    const result = await h.postToken(form({ scope: lockedScope }));
    expectEntraError(result, 400, 'invalid_grant', 501051,
      `Application '${client.app.appId}'(Fabrikam Client) is not assigned to a role for the application 'api://${locked.app.appId}'(Locked API).`);
    await h.system.grantAppRole({ principalId: client.sp.id, resourceId: locked.sp.id, appRoleId: h.roleId(locked.app, 'Locked.All') });
    const granted = await h.postToken(form({ scope: lockedScope }));
    expect(granted.status).toBe(200);
  });

  test('no failure leaks a secret into the log', () => {
    const log = h.logLines.join('\n');
    expect(log).not.toContain(client.secret);
    expect(log).toContain('"aadsts":7000215');
  });
});
