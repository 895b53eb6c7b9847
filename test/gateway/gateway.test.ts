import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceTestWrite } from '../helpers/change-events.js';
import { sha256 } from '../../src/shared/crypto.js';
import type { Store } from '../../src/store/store.js';
import {
  api,
  backendApp,
  clientApp,
  closeServer,
  insertSigningKey,
  ISSUER,
  listen,
  openHarness,
  operation,
  product,
  rawRequest,
  signToken,
  silentServer,
  subscription,
  user,
  type Harness,
} from './harness.js';

const AUD_TOK = '22222222-0000-0000-0000-000000000001';
const AUD_BOTH = '22222222-0000-0000-0000-000000000002';
const AUD_OTHER = '22222222-0000-0000-0000-000000000003';
const AUD_NOROLE = '22222222-0000-0000-0000-000000000004';
const CLIENT_MAIN = '33333333-0000-0000-0000-000000000001';
const CLIENT_UNLINK = '33333333-0000-0000-0000-000000000002';
const CLIENT_BLOCK = '33333333-0000-0000-0000-000000000003';
const CLIENT_PENDING = '33333333-0000-0000-0000-000000000004';
const ROLE_TOK = 'Product.TokenOnly.All';
const ROLE_BOTH = 'Product.Both.All';
const ROLE_OTHER = 'Product.Other.All';

const KEY_STARTER = 'sub-starter-primary';

const MSG = {
  notFound: { statusCode: 404, message: 'Resource not found' },
  keyMissing: {
    statusCode: 401,
    message: 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
  },
  keyInvalid: {
    statusCode: 401,
    message: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.',
  },
  tokenInvalid: {
    statusCode: 401,
    message: 'Access denied due to invalid access token. Make sure to provide a valid token for a client application that has access to this API.',
  },
  tokenMissing: {
    statusCode: 401,
    message: 'Access denied due to missing access token. Make sure to include an access token in the Authorization header when making requests to an API.',
  },
  tokenOrKeyMissing: {
    statusCode: 401,
    message:
      'Access denied due to missing access token or subscription key. Make sure to include an access token in the Authorization header or a subscription key when making requests to an API.',
  },
};

let h: Harness;
let deadUrl: string;
let slow: Server;

async function seed(store: Store, echoUrl: string): Promise<void> {
  const m = store.management;
  for (const u of [user('u-owner'), user('u-block'), user('u-sub-blocked', 'blocked')]) await m.putUser(u);

  const apis = [
    api('echo-api', 'echo', `${echoUrl}/api`),
    api('deep-api', 'echo/deep', `${echoUrl}/deep/`),
    api('root-api', '', `${echoUrl}/root`, { subscriptionRequired: false }),
    api('tok-api', 'tok', echoUrl),
    api('both-api', 'both', echoUrl),
    api('open-api', 'open', echoUrl),
    api('custom-api', 'custom', echoUrl, { subscriptionKeyHeaderName: 'X-Key', subscriptionKeyQueryName: 'key' }),
    api('dead-api', 'dead', deadUrl, { subscriptionRequired: false }),
    api('slow-api', 'slow', `http://127.0.0.1:${(slow.address() as { port: number }).port}`, { subscriptionRequired: false }),
    api('nb-api', 'nb', null, { subscriptionRequired: false }),
    api('norole-api', 'norole', echoUrl),
  ];
  for (const a of apis) await m.putApi(a);
  const ops = [
    operation('echo-api', 'retrieve-resource', 'GET', '/resource'),
    operation('echo-api', 'create-resource', 'POST', '/resource'),
    operation('echo-api', 'retrieve-header-only', 'HEAD', '/resource'),
    operation('echo-api', 'get-user', 'GET', '/users/{id}'),
    operation('echo-api', 'get-me', 'GET', '/users/me'),
    operation('deep-api', 'thing', 'GET', '/thing'),
    operation('root-api', 'root-only', 'GET', '/rootonly'),
    operation('tok-api', 'tok-get', 'GET', '/resource'),
    operation('both-api', 'both-get', 'GET', '/resource'),
    operation('open-api', 'open-get', 'GET', '/resource'),
    operation('custom-api', 'custom-get', 'GET', '/resource'),
    operation('dead-api', 'dead-get', 'GET', '/resource'),
    operation('slow-api', 'slow-get', 'GET', '/resource'),
    operation('nb-api', 'nb-get', 'GET', '/resource'),
    operation('norole-api', 'norole-get', 'GET', '/resource'),
  ];
  for (const o of ops) await m.putOperation(o);

  await m.putProduct(product('starter', 'Starter'));
  for (const [appId, role] of [[AUD_TOK, ROLE_TOK], [AUD_BOTH, ROLE_BOTH], [AUD_OTHER, ROLE_OTHER]] as const) {
    await store.directory.insertApplication(backendApp(appId, role));
  }
  await m.putProduct(product('tokens', 'Token Only!', { authenticationType: ['application-token'], entraAudience: AUD_TOK, entraApplicationId: AUD_TOK }));
  await m.putProduct(
    product('both', 'Both', { authenticationType: ['subscription-key', 'application-token'], entraAudience: AUD_BOTH, entraApplicationId: AUD_BOTH }),
  );
  await m.putProduct(product('other', 'Other', { authenticationType: ['application-token'], entraAudience: AUD_OTHER, entraApplicationId: AUD_OTHER }));
  await m.putProduct(product('openprod', 'Open', { subscriptionRequired: false }));
  // No backend application in the directory (yet): takes no tokens, and is not open either.
  await m.putProduct(
    product('norole', 'No Role', { authenticationType: ['application-token'], entraAudience: AUD_NOROLE, entraApplicationId: AUD_NOROLE, subscriptionRequired: false }),
  );
  for (const [p, a] of [
    ['starter', 'echo-api'],
    ['starter', 'deep-api'],
    ['starter', 'custom-api'],
    ['tokens', 'tok-api'],
    ['both', 'both-api'],
    ['openprod', 'open-api'],
    ['norole', 'norole-api'],
  ] as const) {
    await m.addProductApi(p, a);
  }

  await m.putSubscription(subscription('sub-starter', '/products/starter'));
  await m.putSubscription(subscription('sub-suspended', '/products/starter', { state: 'suspended' }));
  await m.putSubscription(subscription('sub-tokens', '/products/tokens'));
  await m.putSubscription(subscription('sub-both', '/products/both'));
  await m.putSubscription(subscription('sub-api', '/apis/echo-api'));
  await m.putSubscription(subscription('master', '/'));
  await m.putSubscription(subscription('sub-owner-blocked', '/products/starter', { ownerId: 'u-sub-blocked' }));

  await m.putClientApplication(clientApp('app-main', CLIENT_MAIN, 'u-owner'));
  await m.putClientApplication(clientApp('app-unlink', CLIENT_UNLINK, 'u-owner'));
  await m.putClientApplication(clientApp('app-block', CLIENT_BLOCK, 'u-block'));
  await m.putClientApplication(clientApp('app-pending', CLIENT_PENDING, 'u-owner', { state: 'pending' }));
  const links = [
    ['app-main', 'tokens'],
    ['app-main', 'both'],
    ['app-main', 'other'],
    ['app-main', 'norole'],
    ['app-unlink', 'tokens'],
    ['app-block', 'tokens'],
    ['app-pending', 'tokens'],
  ] as const;
  for (const [app, p] of links) {
    await m.putProductLink({ id: `${app}-${p}`, clientApplicationId: app, productId: p, appRoleAssignmentId: null, state: 'active' });
  }
}

beforeAll(async () => {
  const dead = createServer();
  deadUrl = await listen(dead);
  await closeServer(dead); // nothing listens there any more
  slow = silentServer();
  await listen(slow);
  h = await openHarness({ seed, backendTimeoutMs: 400 });
});

afterAll(async () => {
  await h?.close();
  await closeServer(slow);
});

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
const mainToken = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> =>
  signToken(h.signingKey, { aud: AUD_TOK, azp: CLIENT_MAIN, roles: [ROLE_TOK], ...claims }, header);

describe('routing', () => {
  it('answers the health probe with 200 and an empty body', async () => {
    const res = await h.call('GET', '/status-0123456789abcdef');
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
  });

  it.each([
    ['GET', '/nothing-here'],
    ['GET', '/echo/unknown'],
    ['PATCH', '/echo/resource'],
    ['GET', '/echox/resource'],
  ])('%s %s → 404 Resource not found', async (method, path) => {
    const res = await h.call(method, path, { 'ocp-apim-subscription-key': KEY_STARTER });
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.json()).toEqual(MSG.notFound);
  });

  it.each(['/echo/../echo/resource', '/echo/%2e%2E/echo/resource', '/echo/./resource'])('never matches the dot-segment path %s', async (path) => {
    const res = await rawRequest(h.gatewayUrl, `GET ${path} HTTP/1.1\r\nHost: gw\r\nOcp-Apim-Subscription-Key: ${KEY_STARTER}\r\nConnection: close\r\n\r\n`);
    expect(res.statusLine).toBe('HTTP/1.1 404 Not Found');
    expect(res.body).toBe(JSON.stringify(MSG.notFound));
  });

  it('answers a malformed request with a JSON 400', async () => {
    const res = await rawRequest(h.gatewayUrl, 'GET /echo/resource HTTP/1.1\r\nHost gw\r\n\r\n');
    expect(res.statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect(res.body).toBe('{"statusCode":400,"message":"Bad request."}');
  });

  it('forwards the path after the API path to the service URL, with the query', async () => {
    const res = await h.call('GET', '/echo/resource?param1=sample&param2=2&param2=3', { 'ocp-apim-subscription-key': KEY_STARTER });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const body = res.json();
    expect(body.method).toBe('GET');
    expect(body.path).toBe('/api/resource');
    expect(body.query).toEqual({ param1: 'sample', param2: ['2', '3'] });
  });

  it('matches API paths case-insensitively and templates with parameters', async () => {
    const res = await h.call('GET', '/ECHO/users/42', { 'ocp-apim-subscription-key': KEY_STARTER });
    expect(res.status).toBe(200);
    expect(res.json().path).toBe('/api/users/42');
    expect(h.logLines.some((l) => l['operationId'] === 'get-user' && l['path'] === '/ECHO/users/42')).toBe(true);
  });

  it('prefers a literal segment over a template parameter', async () => {
    await h.call('GET', '/echo/users/me', { 'ocp-apim-subscription-key': KEY_STARTER });
    expect(h.logLines.some((l) => l['operationId'] === 'get-me')).toBe(true);
  });

  it('lets the longest API path win and strips a trailing slash of the service URL', async () => {
    const res = await h.call('GET', '/echo/deep/thing', { 'ocp-apim-subscription-key': KEY_STARTER });
    expect(res.status).toBe(200);
    expect(res.json().path).toBe('/deep/thing');
  });

  it('routes to an API at the root path', async () => {
    const res = await h.call('GET', '/rootonly');
    expect(res.status).toBe(200);
    expect(res.json().path).toBe('/root/rootonly');
  });

  it('streams a request body through to the backend and the answer back', async () => {
    const payload = JSON.stringify({ hello: 'wörld', n: [1, 2, 3] });
    const res = await h.call('POST', '/echo/resource', { 'ocp-apim-subscription-key': KEY_STARTER, 'content-type': 'application/json' }, payload);
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body.method).toBe('POST');
    expect(body.body).toBe(payload);
    expect(body.headers['content-type']).toBe('application/json');
  });

  it('streams a chunked upload and passes the backend\'s own error status through', async () => {
    const { Readable } = await import('node:stream');
    const { request } = await import('undici');
    async function* parts(count: number): AsyncGenerator<Buffer> {
      for (let i = 0; i < count; i++) yield Buffer.alloc(65_536, 'x');
    }
    const send = (count: number) =>
      request(`${h.gatewayUrl}/echo/resource`, {
        method: 'POST',
        headers: { 'ocp-apim-subscription-key': KEY_STARTER },
        body: Readable.from(parts(count)),
        dispatcher: h.agent,
      });
    const ok = await send(4);
    expect(ok.statusCode).toBe(200);
    expect(((await ok.body.json()) as { body: string }).body).toHaveLength(4 * 65_536);
    const tooBig = await send(20); // 1.25 MiB: over the echo backend's limit
    expect(tooBig.statusCode).toBe(413);
    expect(await tooBig.body.json()).toEqual({ statusCode: 413, message: 'Request body is larger than 1 MiB.' });
  });

  it('answers an oversized request head with a JSON 431', async () => {
    const res = await rawRequest(h.gatewayUrl, `GET /echo/resource HTTP/1.1\r\nHost: gw\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(res.statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(res.body).toBe('{"statusCode":431,"message":"Request header fields too large."}');
  });

  it('answers HEAD with headers only', async () => {
    const res = await h.call('HEAD', '/echo/resource', { 'ocp-apim-subscription-key': KEY_STARTER });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(res.headers['content-type']).toBe('application/json');
  });

  it('drops hop-by-hop headers, those named in Connection and proxy-* on the way in', async () => {
    const res = await rawRequest(
      h.gatewayUrl,
      `GET /echo/resource HTTP/1.1\r\nHost: gw\r\nOcp-Apim-Subscription-Key: ${KEY_STARTER}\r\nConnection: close, X-Drop-Me\r\nX-Drop-Me: 1\r\n` +
        'Proxy-Authorization: Basic eA==\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nX-Keep-Me: 2\r\n\r\n',
    );
    expect(res.statusLine).toBe('HTTP/1.1 200 OK');
    const headers = JSON.parse(res.body).headers;
    for (const name of ['x-drop-me', 'proxy-authorization', 'keep-alive', 'te', 'ocp-apim-subscription-key']) expect(headers[name]).toBeUndefined();
    expect(headers['x-keep-me']).toBe('2');
  });

  it('sets host and x-forwarded-* for the backend', async () => {
    const res = await h.call('GET', '/echo/resource', { 'ocp-apim-subscription-key': KEY_STARTER, 'x-forwarded-for': '10.0.0.1' });
    const headers = res.json().headers;
    expect(headers.host).toBe(new URL(h.echoUrl).host);
    expect(headers['x-forwarded-for']).toBe('10.0.0.1, 127.0.0.1');
    expect(headers['x-forwarded-proto']).toBe('http');
    expect(headers['x-forwarded-host']).toBe(new URL(h.gatewayUrl).host);
  });
});

describe('subscription keys', () => {
  it('accepts a key in the header and does not forward it', async () => {
    const res = await h.call('GET', '/echo/resource', { 'Ocp-Apim-Subscription-Key': KEY_STARTER });
    expect(res.status).toBe(200);
    expect(res.json().headers['ocp-apim-subscription-key']).toBeUndefined();
  });

  it('accepts a key in the query and does not forward it', async () => {
    const res = await h.call('GET', `/echo/resource?param1=sample&subscription-key=${KEY_STARTER}`);
    expect(res.status).toBe(200);
    expect(res.json().query).toEqual({ param1: 'sample' });
  });

  it('accepts the secondary key too', async () => {
    expect((await h.call('GET', '/echo/resource', { 'ocp-apim-subscription-key': 'sub-starter-secondary' })).status).toBe(200);
  });

  it('reads the query only when the header is absent', async () => {
    const res = await h.call('GET', `/echo/resource?subscription-key=${KEY_STARTER}`, { 'ocp-apim-subscription-key': 'wrong' });
    expect(res.status).toBe(401);
    expect(res.json()).toEqual(MSG.keyInvalid);
  });

  it('uses the API\'s own header and query names', async () => {
    expect((await h.call('GET', '/custom/resource', { 'x-key': KEY_STARTER })).status).toBe(200);
    const viaQuery = await h.call('GET', `/custom/resource?key=${KEY_STARTER}&a=1`);
    expect(viaQuery.status).toBe(200);
    expect(viaQuery.json().query).toEqual({ a: '1' });
    const missing = await h.call('GET', '/custom/resource', { 'ocp-apim-subscription-key': KEY_STARTER });
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe(`AzureApiManagementKey realm="${h.gatewayUrl}/custom",name="X-Key",type="header"`);
  });

  it('refuses a missing key with APIM\'s message and challenge', async () => {
    const res = await h.call('GET', '/echo/resource');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.json()).toEqual(MSG.keyMissing);
    expect(res.headers['www-authenticate']).toBe(`AzureApiManagementKey realm="${h.gatewayUrl}/echo",name="Ocp-Apim-Subscription-Key",type="header"`);
  });

  it('refuses the key of an inactive subscription', async () => {
    const res = await h.call('GET', '/echo/resource', { 'ocp-apim-subscription-key': 'sub-suspended-primary' });
    expect(res.status).toBe(401);
    expect(res.json()).toEqual(MSG.keyInvalid);
    expect(res.headers['www-authenticate']).toBe(`AzureApiManagementKey realm="${h.gatewayUrl}/echo",name="Ocp-Apim-Subscription-Key",type="header"`);
  });

  it('refuses an unknown key and the key of a blocked owner', async () => {
    for (const key of ['no-such-key', 'sub-owner-blocked-primary']) {
      const res = await h.call('GET', '/echo/resource', { 'ocp-apim-subscription-key': key });
      expect(res.status).toBe(401);
      expect(res.json()).toEqual(MSG.keyInvalid);
    }
  });

  it('accepts all-access, all-APIs and API-scoped keys, refuses a key for a product without the API', async () => {
    expect((await h.call('GET', '/echo/resource', { 'ocp-apim-subscription-key': 'master-primary' })).status).toBe(200);
    expect((await h.call('GET', '/echo/resource', { 'ocp-apim-subscription-key': 'sub-api-primary' })).status).toBe(200);
    expect((await h.call('GET', '/custom/resource', { 'x-key': 'sub-api-primary' })).status).toBe(401);
    expect((await h.call('GET', '/echo/resource', { 'ocp-apim-subscription-key': 'sub-both-primary' })).status).toBe(401);
  });

  it('needs no key for an API in an open product or an API without subscription', async () => {
    expect((await h.call('GET', '/open/resource')).status).toBe(200);
    expect((await h.call('GET', '/rootonly')).status).toBe(200);
  });

  it('never treats a product that takes application tokens as open', async () => {
    const tokens = await h.store.management.getProduct('tokens');
    await h.store.management.putProduct({ ...tokens!, subscriptionRequired: false });
    await announceTestWrite(h, { type: 'product.updated', productId: 'tokens' });
    try {
      const response = await h.call('GET', '/tok/resource');
      expect(response.status).toBe(401);
    } finally {
      await h.store.management.putProduct(tokens!);
      await announceTestWrite(h, { type: 'product.updated', productId: 'tokens' });
    }
  });

  it('takes effect on the very next request after a change is published', async () => {
    const before = h.gateway.snapshotVersion;
    const sub = await h.store.management.getSubscription('sub-api');
    await h.store.management.putSubscription({ ...sub!, state: 'cancelled' });
    await announceTestWrite(h, { type: 'subscription.updated', subscriptionId: 'sub-api' });
    expect(h.gateway.snapshotVersion).toBeGreaterThan(before);
    expect((await h.call('GET', '/echo/resource', { 'ocp-apim-subscription-key': 'sub-api-primary' })).status).toBe(401);
    await h.store.management.putSubscription(sub!);
    await announceTestWrite(h, { type: 'subscription.updated', subscriptionId: 'sub-api' });
    expect((await h.call('GET', '/echo/resource', { 'ocp-apim-subscription-key': 'sub-api-primary' })).status).toBe(200);
  });
  it('refuses a key the very next request after it is regenerated, though it was just accepted (the key cache)', async () => {
    const sub = await h.store.management.getSubscription('sub-api');
    expect((await h.call('GET', '/echo/resource', { 'ocp-apim-subscription-key': 'sub-api-primary' })).status).toBe(200);
    expect((await h.call('GET', '/echo/resource', { 'ocp-apim-subscription-key': 'sub-api-primary' })).status).toBe(200);
    await h.store.management.putSubscription({ ...sub!, primaryKeyHash: sha256('sub-api-regenerated') });
    await announceTestWrite(h, { type: 'subscription.updated', subscriptionId: 'sub-api' });
    const old = await h.call('GET', '/echo/resource', { 'ocp-apim-subscription-key': 'sub-api-primary' });
    expect(old.status).toBe(401);
    expect(old.json()).toEqual(MSG.keyInvalid);
    expect((await h.call('GET', '/echo/resource', { 'ocp-apim-subscription-key': 'sub-api-regenerated' })).status).toBe(200);
    await h.store.management.putSubscription(sub!);
    await announceTestWrite(h, { type: 'subscription.updated', subscriptionId: 'sub-api' });
    expect((await h.call('GET', '/echo/resource', { 'ocp-apim-subscription-key': 'sub-api-regenerated' })).status).toBe(401);
    expect((await h.call('GET', '/echo/resource', { 'ocp-apim-subscription-key': 'sub-api-primary' })).status).toBe(200);
  });
});

describe('access tokens', () => {
  it('accepts a valid token and logs the client app id, never the token', async () => {
    const token = await mainToken();
    const res = await h.call('GET', '/tok/resource', bearer(token));
    expect(res.status).toBe(200);
    expect(res.json().headers.authorization).toBe(`Bearer ${token}`);
    const line = h.logLines.find((l) => l['apiId'] === 'tok-api' && l['status'] === 200);
    expect(line).toMatchObject({ method: 'GET', path: '/tok/resource', productId: 'tokens', clientAppId: CLIENT_MAIN });
    expect(JSON.stringify(h.logLines)).not.toContain(token);
  });

  it('accepts the api://{audience} form, v1 appid and an audience array', async () => {
    expect((await h.call('GET', '/tok/resource', bearer(await mainToken({ aud: `api://${AUD_TOK}` })))).status).toBe(200);
    expect((await h.call('GET', '/tok/resource', bearer(await mainToken({ azp: undefined, appid: CLIENT_MAIN, ver: '1.0' })))).status).toBe(200);
    expect((await h.call('GET', '/tok/resource', bearer(await mainToken({ aud: ['x', AUD_TOK] })))).status).toBe(200);
  });

  it('tolerates 60 seconds of clock skew', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await h.call('GET', '/tok/resource', bearer(await mainToken({ exp: now - 30 })))).status).toBe(200);
    expect((await h.call('GET', '/tok/resource', bearer(await mainToken({ nbf: now + 30 })))).status).toBe(200);
  });

  async function expectTokenRefused(token: string, path = '/tok/resource'): Promise<void> {
    const res = await h.call('GET', path, bearer(token));
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.json()).toEqual(MSG.tokenInvalid);
    expect(res.headers['www-authenticate']).toBe(`Bearer realm="${h.gatewayUrl}/tok", error="invalid_token"`);
  }

  it('refuses a token from another issuer', async () => {
    await expectTokenRefused(await mainToken({ iss: 'https://evil.test/tenant/v2.0' }));
  });

  it('refuses a token of our issuer and key whose tid is another tenant, or that has none', async () => {
    await expectTokenRefused(await mainToken({ tid: '22222222-2222-2222-2222-222222222222' }));
    await expectTokenRefused(await mainToken({ tid: undefined }));
  });

  it('refuses an expired token and one not yet valid', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectTokenRefused(await mainToken({ iat: now - 7200, nbf: now - 7200, exp: now - 120 }));
    await expectTokenRefused(await mainToken({ nbf: now + 600 }));
  });

  it('refuses a token without exp', async () => {
    await expectTokenRefused(await mainToken({ exp: undefined }));
  });

  it('refuses a token for the audience of a product that does not hold the API', async () => {
    await expectTokenRefused(await mainToken({ aud: AUD_OTHER, roles: [ROLE_OTHER] }));
  });

  it('refuses a token without the product role', async () => {
    const before = h.revoked.length;
    await expectTokenRefused(await mainToken({ roles: [] }));
    await expectTokenRefused(await mainToken({ roles: undefined }));
    await expectTokenRefused(await mainToken({ roles: [ROLE_BOTH] }));
    expect(h.revoked.length).toBe(before); // not issued for this product: not a revoked application
  });

  it('refuses a token of an unknown or inactive client application', async () => {
    const before = h.revoked.length;
    await expectTokenRefused(await mainToken({ azp: '99999999-0000-0000-0000-000000000000' }));
    await expectTokenRefused(await mainToken({ azp: undefined }));
    await expectTokenRefused(await mainToken({ azp: CLIENT_PENDING }));
    // Reported for the audit log: a token issued for this product whose application lost access.
    expect(h.revoked.slice(before).map((r) => [r.appId, r.reason])).toEqual([
      ['99999999-0000-0000-0000-000000000000', 'applicationDeleted'],
      [CLIENT_PENDING, 'applicationInactive'],
    ]);
  });

  it('refuses a token signed with an unknown key or without kid', async () => {
    const stranger = await insertSigningKey(h.store, 'stranger'); // stored, but only after the gateway loaded
    await expectTokenRefused(await signToken(stranger, { aud: AUD_TOK, azp: CLIENT_MAIN, roles: [ROLE_TOK] }));
    await expectTokenRefused(await signToken({ ...h.signingKey, kid: 'nope' }, { aud: AUD_TOK, azp: CLIENT_MAIN, roles: [ROLE_TOK] }));
    await expectTokenRefused(await mainToken({}, { kid: undefined }));
  });

  it('refuses HS256 and alg none tokens', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: ISSUER, aud: AUD_TOK, azp: CLIENT_MAIN, roles: [ROLE_TOK], iat: now, nbf: now, exp: now + 3600 };
    const { SignJWT } = await import('jose');
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: h.signingKey.kid }).sign(new TextEncoder().encode('a-shared-secret-of-32-bytes-long!'));
    await expectTokenRefused(hs);
    const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
    await expectTokenRefused(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`);
    await expectTokenRefused('not-a-jwt');
  });

  it('cuts access on the very next request when the app is unlinked, even for a cached token', async () => {
    const token = await signToken(h.signingKey, { aud: AUD_TOK, azp: CLIENT_UNLINK, roles: [ROLE_TOK] });
    expect((await h.call('GET', '/tok/resource', bearer(token))).status).toBe(200);
    await h.store.management.deleteProductLink('app-unlink', 'app-unlink-tokens');
    await announceTestWrite(h, {
      type: 'productLink.deleted', productLinkId: 'app-unlink-tokens', productId: 'tokens',
      clientApplicationId: 'app-unlink', entraApplicationId: null, entraObjectId: null, entraServicePrincipalId: null,
    });
    await expectTokenRefused(token);
    expect(h.revoked.at(-1)).toMatchObject({ appId: CLIENT_UNLINK, clientApplicationId: 'app-unlink', reason: 'notLinked' });
  });

  it('cuts access when the owner is blocked', async () => {
    const token = await signToken(h.signingKey, { aud: AUD_TOK, azp: CLIENT_BLOCK, roles: [ROLE_TOK] });
    expect((await h.call('GET', '/tok/resource', bearer(token))).status).toBe(200);
    await h.store.management.putUser({ ...(await h.store.management.getUser('u-block'))!, state: 'blocked' });
    await announceTestWrite(h, { type: 'user.stateChanged', userId: 'u-block', state: 'blocked' });
    await expectTokenRefused(token);
    expect(h.revoked.at(-1)).toMatchObject({ appId: CLIENT_BLOCK, reason: 'ownerBlocked' });
  });

  it('stops honouring cached tokens when their signing key retires', async () => {
    const second = await insertSigningKey(h.store, 'key-2');
    await announceTestWrite(h, { type: 'signingKey.created', kid: 'key-2' });
    const token = await signToken(second, { aud: AUD_TOK, azp: CLIENT_MAIN, roles: [ROLE_TOK] });
    expect((await h.call('GET', '/tok/resource', bearer(token))).status).toBe(200);
    await h.store.directory.setSigningKeyRetirement('key-2', new Date(Date.now() - 1000).toISOString());
    await announceTestWrite(h, { type: 'signingKey.rotated', kid: 'key-2' });
    await expectTokenRefused(token);
    expect((await h.call('GET', '/tok/resource', bearer(await mainToken()))).status).toBe(200);
  });

  it('takes the role from the backend application, not from the product name', async () => {
    const tokens = (await h.store.management.getProduct('tokens'))!;
    await h.store.management.putProduct({ ...tokens, displayName: 'Renamed' });
    await announceTestWrite(h, { type: 'product.updated', productId: 'tokens' });
    try {
      expect((await h.call('GET', '/tok/resource', bearer(await mainToken()))).status).toBe(200);
      await expectTokenRefused(await mainToken({ roles: ['Product.Renamed.All'] }));
    } finally {
      await h.store.management.putProduct(tokens);
      await announceTestWrite(h, { type: 'product.updated', productId: 'tokens' });
    }
  });

  it('takes no tokens for a product whose backend application or enabled role is missing, and is not open', async () => {
    const role = 'Product.NoRole.All';
    const token = await mainToken({ aud: AUD_NOROLE, roles: [role] });
    const expectClosed = async (): Promise<void> => {
      for (const headers of [{}, bearer(token)]) {
        const res = await h.call('GET', '/norole/resource', headers);
        expect(res.status).toBe(401);
        expect(res.json()).toEqual(MSG.keyMissing);
      }
    };
    await expectClosed();
    const app = backendApp(AUD_NOROLE, role, false);
    await h.store.directory.insertApplication(app);
    await announceTestWrite(h, { type: 'directory.changed', changedObjectIds: [app.id] });
    await expectClosed();
    await h.store.directory.updateApplication(backendApp(AUD_NOROLE, role));
    await announceTestWrite(h, { type: 'directory.changed', changedObjectIds: [app.id] });
    expect((await h.call('GET', '/norole/resource', bearer(token))).status).toBe(200);
  });

  it('refuses a product-scoped key when the product accepts only tokens', async () => {
    const res = await h.call('GET', '/tok/resource', { 'ocp-apim-subscription-key': 'sub-tokens-primary' });
    expect(res.status).toBe(401);
    expect(res.json()).toEqual(MSG.keyInvalid);
    expect(res.headers['www-authenticate']).toEqual([
      `AzureApiManagementKey realm="${h.gatewayUrl}/tok",name="Ocp-Apim-Subscription-Key",type="header"`,
      `Bearer realm="${h.gatewayUrl}/tok"`,
    ]);
  });

  it('asks for a token when nothing is sent to a token-only product', async () => {
    const res = await h.call('GET', '/tok/resource');
    expect(res.status).toBe(401);
    expect(res.json()).toEqual(MSG.tokenMissing);
    expect(res.headers['www-authenticate']).toBe(`Bearer realm="${h.gatewayUrl}/tok"`);
  });

  it('accepts a cached token only when it is the same token, whatever it ends with (the token cache)', async () => {
    const token = await mainToken();
    expect((await h.call('GET', '/tok/resource', bearer(token))).status).toBe(200);
    expect((await h.call('GET', '/tok/resource', bearer(token))).status).toBe(200);
    // Another payload under the cached token's signature: same last characters, not the same token.
    const [header, , signature] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ aud: AUD_TOK, azp: CLIENT_MAIN, roles: [ROLE_TOK], exp: Math.floor(Date.now() / 1000) + 86_400 })).toString('base64url');
    await expectTokenRefused(`${header}.${forgedPayload}.${signature}`);
    // The same token in other spellings of the header still reads as that token.
    for (const authorization of [`bearer ${token}`, `Bearer  ${token} `, `Bearer\t${token}`]) {
      expect((await h.call('GET', '/tok/resource', { authorization })).status).toBe(200);
    }
    expect((await h.call('GET', '/tok/resource', bearer(token))).status).toBe(200);
  });

  it('ignores Authorization headers that are not bearer tokens', async () => {
    const res = await h.call('GET', '/tok/resource', { authorization: 'Basic dXNlcjpwYXNz' });
    expect(res.json()).toEqual(MSG.tokenMissing);
  });

  it('ignores bearer tokens on APIs whose products accept only keys', async () => {
    const res = await h.call('GET', '/echo/resource', bearer(await mainToken()));
    expect(res.status).toBe(401);
    expect(res.json()).toEqual(MSG.keyMissing);
  });
});

describe('products with both key and token', () => {
  const bothToken = (): Promise<string> => signToken(h.signingKey, { aud: AUD_BOTH, azp: CLIENT_MAIN, roles: [ROLE_BOTH] });

  it('accepts a key', async () => {
    expect((await h.call('GET', '/both/resource', { 'ocp-apim-subscription-key': 'sub-both-primary' })).status).toBe(200);
  });

  it('accepts a token', async () => {
    expect((await h.call('GET', '/both/resource', bearer(await bothToken()))).status).toBe(200);
  });

  it('accepts a good token next to a bad key', async () => {
    expect((await h.call('GET', '/both/resource', { ...bearer(await bothToken()), 'ocp-apim-subscription-key': 'bad' })).status).toBe(200);
  });

  it('asks for either when nothing is sent, with both challenges', async () => {
    const res = await h.call('GET', '/both/resource');
    expect(res.status).toBe(401);
    expect(res.json()).toEqual(MSG.tokenOrKeyMissing);
    expect(res.headers['www-authenticate']).toEqual([
      `AzureApiManagementKey realm="${h.gatewayUrl}/both",name="Ocp-Apim-Subscription-Key",type="header"`,
      `Bearer realm="${h.gatewayUrl}/both"`,
    ]);
  });

  it('reports the token when a bad token is sent, with both challenges', async () => {
    const res = await h.call('GET', '/both/resource', { ...bearer('bad'), 'ocp-apim-subscription-key': 'bad' });
    expect(res.status).toBe(401);
    expect(res.json()).toEqual(MSG.tokenInvalid);
    expect(res.headers['www-authenticate']).toEqual([
      `Bearer realm="${h.gatewayUrl}/both", error="invalid_token"`,
      `AzureApiManagementKey realm="${h.gatewayUrl}/both",name="Ocp-Apim-Subscription-Key",type="header"`,
    ]);
  });
});

describe('backend failures', () => {
  it('answers 502 when the backend is unreachable', async () => {
    const res = await h.call('GET', '/dead/resource');
    expect(res.status).toBe(502);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.json()).toEqual({ statusCode: 502, message: 'Backend is unreachable.' });
  });

  it('answers 504 when the backend does not answer in time', async () => {
    const res = await h.call('GET', '/slow/resource');
    expect(res.status).toBe(504);
    expect(res.json()).toEqual({ statusCode: 504, message: 'Backend did not respond in time.' });
  });

  it('answers 500 with a clear message when the API has no service URL', async () => {
    const res = await h.call('GET', '/nb/resource');
    expect(res.status).toBe(500);
    expect(res.json()).toEqual({ statusCode: 500, message: 'The API has no backend service URL configured.' });
  });
});

describe('lifecycle', () => {
  it('picks up store changes on reload()', async () => {
    await h.store.management.putApi(api('late-api', 'late', h.echoUrl, { subscriptionRequired: false }));
    await h.store.management.putOperation(operation('late-api', 'late-get', 'GET', '/x'));
    expect((await h.call('GET', '/late/x')).status).toBe(404);
    await h.gateway.reload();
    expect((await h.call('GET', '/late/x')).status).toBe(200);
  });

  it('survives a caller that leaves while the backend is still thinking', async () => {
    const { request } = await import('undici');
    const before = h.logLines.length;
    const backendClosed = new Promise((resolve) => slow.once('request', (req: { socket: { once(event: string, listener: () => void): void } }) => req.socket.once('close', () => resolve(undefined))));
    await expect(request(`${h.gatewayUrl}/slow/resource`, { dispatcher: h.agent, signal: AbortSignal.timeout(50) })).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h.logLines.slice(before).find((l) => l['msg'] === 'gateway request')).toMatchObject({ apiId: 'slow-api', aborted: true });
    // The backend call was aborted because the caller left (not ended by the backend timeout later).
    await backendClosed;
    await new Promise((resolve) => setTimeout(resolve, 50)); // the log stream delivers lines a moment later
    expect(h.logLines.slice(before).filter((l) => l['msg'] === 'backend timed out')).toEqual([]);
    expect((await h.call('GET', '/rootonly')).status).toBe(200);
  });
});

describe('access log', () => {
  it('logs one line per request without query string or keys', async () => {
    const before = h.logLines.length;
    await h.call('GET', `/echo/resource?param1=secretish&subscription-key=${KEY_STARTER}`);
    const lines = h.logLines.slice(before).filter((l) => l['msg'] === 'gateway request');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ method: 'GET', path: '/echo/resource', status: 200, apiId: 'echo-api', operationId: 'retrieve-resource', productId: 'starter', subscriptionId: 'sub-starter' });
    expect(typeof lines[0]!['durationMs']).toBe('number');
    expect(JSON.stringify(h.logLines)).not.toContain(KEY_STARTER);
  });
});
