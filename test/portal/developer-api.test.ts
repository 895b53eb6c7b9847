/**
 * The developer portal's data API (/developer/api) against the real program: sign-in and sign-up,
 * sessions and CSRF, and the permission rules — a developer sees and changes only their own
 * applications, secrets and keys; anyone else's answer exactly as if they did not exist.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { readFile } from 'node:fs/promises';
import { API_VERSION, clientCredentialsToken, fetchTrusting, ManagementClient, requestToken, type Fetch } from '../helpers/clients.js';

const NOT_FOUND_APP = { error: { code: 'ResourceNotFound', message: 'Application not found.' } };
const NOT_FOUND_SUBSCRIPTION = { error: { code: 'ResourceNotFound', message: 'Subscription not found.' } };

/** A browser-like client of /developer/api: keeps the session cookie and the CSRF token. */
class Developer {
  cookie = '';
  csrf = '';
  constructor(private readonly base: string, private readonly fetcher: Fetch = fetch) {}

  async call(method: string, path: string, body?: unknown, options: { csrf?: boolean } = {}): Promise<{ status: number; body: any; headers: Headers }> {
    const headers: Record<string, string> = {};
    if (this.cookie) headers.cookie = this.cookie;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && options.csrf !== false && this.csrf) headers['x-csrf-token'] = this.csrf;
    const response = await this.fetcher(`${this.base}/developer/api${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text), headers: response.headers };
  }

  async signIn(email: string, password: string) {
    const result = await this.call('POST', '/signin', { email, password });
    const setCookie = result.headers.get('set-cookie');
    if (result.status === 200 && setCookie) {
      this.cookie = setCookie.split(';')[0]!;
      this.csrf = result.body.csrfToken;
    }
    return result;
  }
}

describe('developer portal data API', () => {
  let portico: Booted;
  let admin: ManagementClient;
  let alice: Developer;
  let bob: Developer;
  let audience: string;
  let aliceSubscription: string;

  beforeAll(async () => {
    portico = await bootPortico();
    admin = new ManagementClient(portico.credentials);
    expect((await admin.call('DELETE', '/products/starter/policies/policy')).status).toBe(200);
    const starter = await admin.call('PATCH', '/products/starter', { properties: { authenticationType: ['application-token', 'subscription-key'] } }, { 'if-match': '*' });
    audience = starter.body.properties.application.entra.audience;
    for (const [id, first] of [['alice', 'Alice'], ['bob', 'Bob']] as const) {
      expect((await admin.call('PUT', `/users/${id}`, { properties: { email: `${id}@example.com`, firstName: first, lastName: 'Example', password: `${id}-password-1` } })).status).toBe(201);
      expect((await admin.call('PUT', `/clientApplications/${id}-app`, { properties: { displayName: `${first} app`, ownerId: `/users/${id}`, productIds: ['/products/starter'] } })).status).toBe(201);
    }
    const subscription = await admin.call('PUT', '/subscriptions/alice-starter', { properties: { displayName: 'Alice on Starter', scope: '/products/starter', ownerId: '/users/alice', state: 'active' } });
    expect(subscription.status).toBe(201);
    aliceSubscription = 'alice-starter';
    alice = new Developer(portico.managementUrl);
    bob = new Developer(portico.managementUrl);
  });
  afterAll(async () => {
    await portico?.stop();
  });

  test('without a session every data call is refused with 401', async () => {
    const anonymous = new Developer(portico.managementUrl);
    expect(await anonymous.call('GET', '/me')).toMatchObject({ status: 200, body: { signedIn: false } });
    for (const path of ['/products', '/applications', '/subscriptions', '/token']) {
      const result = await anonymous.call('GET', path);
      expect(result.status, path).toBe(401);
      expect(result.body, path).toEqual({ error: { code: 'SignInRequired', message: 'Sign in to the developer portal first: there is no session, or it has expired.' } });
    }
  });

  test('a wrong password and an unknown email get the same answer', async () => {
    const wrong = await new Developer(portico.managementUrl).signIn('alice@example.com', 'not-her-password');
    const unknown = await new Developer(portico.managementUrl).signIn('nobody@example.com', 'whatever-password');
    for (const result of [wrong, unknown]) {
      expect(result.status).toBe(401);
      expect(result.body).toEqual({ error: { code: 'SignInFailed', message: 'The email or password is not right. Check both and try again.' } });
    }
  });

  test('sign-in sets an HttpOnly, SameSite=Strict cookie limited to /developer and returns the CSRF token', async () => {
    const result = await alice.signIn('ALICE@example.com', 'alice-password-1');
    expect(result.status).toBe(200);
    expect(result.body.signedIn).toBe(true);
    expect(result.body.user).toEqual({ id: 'alice', email: 'alice@example.com', firstName: 'Alice', lastName: 'Example' });
    expect(result.body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = result.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^portico_developer_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    expect((await bob.signIn('bob@example.com', 'bob-password-1')).status).toBe(200);
    expect((await alice.call('GET', '/me')).body.user.id).toBe('alice');
  });

  test('a developer session does not open the management API', async () => {
    const response = await fetch(`${portico.managementUrl}${admin.servicePath}/products?api-version=${API_VERSION}`, { headers: { cookie: alice.cookie } });
    expect(response.status).toBe(401);
  });

  test('products: the published ones with their APIs, operations and the exact token scope', async () => {
    const result = await alice.call('GET', '/products');
    expect(result.status).toBe(200);
    const starter = result.body.value.find((p: { id: string }) => p.id === 'starter');
    expect(starter).toMatchObject({ displayName: 'Starter', applicationToken: true, subscriptionKey: true, audience, scope: `api://${audience}/.default` });
    const echo = starter.apis.find((a: { id: string }) => a.id === 'echo-api');
    expect(echo.path).toBe('echo');
    expect(echo.operations.map((o: { method: string; urlTemplate: string }) => `${o.method} ${o.urlTemplate}`)).toContain('POST /resource');
    expect(result.body.value.find((p: { id: string }) => p.id === 'unlimited').applicationToken).toBe(false);
  });

  test('an unpublished product is not found', async () => {
    expect((await admin.call('PUT', '/products/hidden', { properties: { displayName: 'Hidden', state: 'notPublished' } })).status).toBe(201);
    expect((await alice.call('GET', '/products')).body.value.map((p: { id: string }) => p.id)).not.toContain('hidden');
    expect(await alice.call('GET', '/products/hidden')).toMatchObject({ status: 404, body: { error: { code: 'ResourceNotFound', message: 'Product not found.' } } });
  });

  test('applications: only the signed-in user\'s own, with client id, products and scope', async () => {
    const mine = await alice.call('GET', '/applications');
    expect(mine.status).toBe(200);
    expect(mine.body.value).toHaveLength(1);
    const app = mine.body.value[0];
    const managed = await admin.call('GET', '/clientApplications/alice-app');
    expect(app).toEqual({
      id: 'alice-app',
      displayName: 'Alice app',
      description: null,
      clientId: managed.body.properties.entraApplicationId,
      tenantId: portico.credentials.tenantId,
      state: 'active',
      products: [{ id: 'starter', displayName: 'Starter', linkState: 'active', audience, scope: `api://${audience}/.default` }],
    });
    expect(JSON.stringify(mine.body)).not.toMatch(/secret/i);
    expect((await bob.call('GET', '/applications')).body.value.map((a: { id: string }) => a.id)).toEqual(['bob-app']);
  });

  test("another user's application answers exactly as a missing one, for reads and for new secrets", async () => {
    for (const path of ['/applications/bob-app', '/applications/no-such-app', '/applications/BOB-APP']) {
      expect(await alice.call('GET', path)).toMatchObject({ status: 404, body: NOT_FOUND_APP });
      expect(await alice.call('POST', `${path}/secrets`)).toMatchObject({ status: 404, body: NOT_FOUND_APP });
    }
    // Nothing was minted for Bob's application.
    const bobApp = await admin.call('GET', '/clientApplications/bob-app');
    const c = portico.credentials;
    const graphToken = await clientCredentialsToken(c.identityUrl, c.tenantId, c.admin.clientId, c.admin.clientSecret, 'https://graph.microsoft.com/.default');
    const graph = await fetch(`${portico.identityUrl}/v1.0/applications?$filter=appId eq '${bobApp.body.properties.entraApplicationId}'`, { headers: { authorization: `Bearer ${graphToken}` } });
    const found = ((await graph.json()) as { value: { passwordCredentials: unknown[] }[] }).value;
    expect(found).toHaveLength(1);
    expect(found[0].passwordCredentials).toEqual([]);
  });

  test('a new client secret is shown once, with its expiry, and gets a token that opens the Echo API', async () => {
    const minted = await alice.call('POST', '/applications/alice-app/secrets');
    expect(minted.status).toBe(201);
    expect(minted.headers.get('cache-control')).toBe('no-store');
    expect(minted.body.clientSecret).toMatch(/^[A-Za-z0-9~._-]{44}$/);
    const expires = Date.parse(minted.body.expiresAt);
    expect(expires - Date.now()).toBeGreaterThan(364 * 86_400_000);
    // Never again: no read shows it.
    for (const path of ['/applications', '/applications/alice-app', '/me', '/token']) {
      expect(JSON.stringify((await alice.call('GET', path)).body)).not.toContain(minted.body.clientSecret);
    }
    const token = await requestToken(portico.identityUrl, portico.credentials.tenantId, { grant_type: 'client_credentials', client_id: minted.body.clientId, client_secret: minted.body.clientSecret, scope: `api://${audience}/.default` });
    expect(token.status).toBe(200);
    const echo = await fetch(`${portico.gatewayUrl}/echo/resource?param1=sample`, { method: 'POST', headers: { authorization: `Bearer ${token.body.access_token}`, 'content-type': 'application/json' }, body: '{"hello":"world"}' });
    expect(echo.status).toBe(200);
  });

  test('writes without the CSRF token are refused with 403 and change nothing', async () => {
    const before = (await admin.call('GET', '/clientApplications/alice-app')).body.properties.entraApplicationId;
    const missing = await alice.call('POST', '/applications/alice-app/secrets', undefined, { csrf: false });
    const expected = { error: { code: 'CsrfTokenInvalid', message: "This write was refused: it carries the portal session cookie but not the session's x-csrf-token header. Reload the portal and try again." } };
    expect(missing).toMatchObject({ status: 403, body: expected });
    const wrong = { ...alice, csrf: bob.csrf } as Developer;
    Object.setPrototypeOf(wrong, Developer.prototype);
    expect(await wrong.call('POST', `/subscriptions/${aliceSubscription}/reveal`)).toMatchObject({ status: 403, body: expected });
    expect((await admin.call('GET', '/clientApplications/alice-app')).body.properties.entraApplicationId).toBe(before);
  });

  test('subscriptions: own ones listed without keys; keys only through reveal; others are not found', async () => {
    const list = await alice.call('GET', '/subscriptions');
    expect(list.body.value).toEqual([
      expect.objectContaining({ id: 'alice-starter', displayName: 'Alice on Starter', scope: '/products/starter', productId: 'starter', productName: 'Starter', state: 'active' }),
    ]);
    const keys = (await admin.call('POST', `/subscriptions/${aliceSubscription}/listSecrets`)).body;
    expect(JSON.stringify(list.body)).not.toContain(keys.primaryKey);
    const revealed = await alice.call('POST', `/subscriptions/${aliceSubscription}/reveal`);
    expect(revealed.status).toBe(200);
    expect(revealed.headers.get('cache-control')).toBe('no-store');
    expect(revealed.body).toEqual({ primaryKey: keys.primaryKey, secondaryKey: keys.secondaryKey });
    expect((await bob.call('GET', '/subscriptions')).body.value).toEqual([]);
    for (const sid of [aliceSubscription, 'master', 'no-such-subscription']) {
      expect(await bob.call('POST', `/subscriptions/${sid}/reveal`)).toMatchObject({ status: 404, body: NOT_FOUND_SUBSCRIPTION });
    }
  });

  test('the token overview names the tenant token URL', async () => {
    const overview = await alice.call('GET', '/token');
    expect(overview.body).toEqual({ tenantId: portico.credentials.tenantId, tokenUrl: `${portico.identityUrl}/${portico.credentials.tenantId}/oauth2/v2.0/token`, grantType: 'client_credentials', gatewayUrl: portico.gatewayUrl });
  });

  test('Try it gets a token with the own app and calls the gateway; another user\'s app is not found', async () => {
    const minted = (await alice.call('POST', '/applications/alice-app/secrets')).body;
    const call = { applicationId: 'alice-app', clientSecret: minted.clientSecret, productId: 'starter', apiId: 'echo-api', operationId: 'create-resource', query: [{ name: 'param1', value: 'sample' }], body: '{"hello":"world"}' };
    const result = await alice.call('POST', '/try-it', call);
    expect(result.status).toBe(200);
    expect(result.body.token).toMatchObject({ status: 200, scope: `api://${audience}/.default`, clientId: minted.clientId });
    expect(result.body.request.url).toBe(`${portico.gatewayUrl}/echo/resource?param1=sample`);
    expect(result.body.request.headers.authorization).toMatch(/^Bearer .{12}… \(\d+ characters\)$/);
    expect(result.body.response.status).toBe(200);
    expect(result.body.response.body).toContain('hello');
    expect(JSON.stringify(result.body)).not.toContain(minted.clientSecret);

    expect(await bob.call('POST', '/try-it', { ...call, clientSecret: 'x' })).toMatchObject({ status: 404, body: NOT_FOUND_APP });
    const badSecret = await alice.call('POST', '/try-it', { ...call, clientSecret: 'not-the-secret' });
    expect(badSecret.status).toBe(200);
    expect(badSecret.body.token).toMatchObject({ status: 401, error: 'invalid_client' });
    expect(badSecret.body.response).toBeUndefined();
    const unlinked = await alice.call('POST', '/try-it', { ...call, productId: 'unlimited' });
    expect(unlinked.status).toBe(400);
    const header = await alice.call('POST', '/try-it', { ...call, headers: [{ name: 'Host', value: 'evil.example' }] });
    expect(header.status).toBe(400);
  });

  test('sign-up creates an active developer who can sign in; a taken email is a conflict', async () => {
    const carol = new Developer(portico.managementUrl);
    const created = await carol.call('POST', '/signup', { email: 'carol@example.com', firstName: 'Carol', lastName: 'Example', password: 'carol-password-1' });
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({ email: 'carol@example.com', firstName: 'Carol' });
    const user = await admin.call('GET', `/users/${created.body.user.id}`);
    expect(user.body.properties).toMatchObject({ state: 'active', groups: [{ name: 'developers' }] });
    expect((await carol.signIn('carol@example.com', 'carol-password-1')).status).toBe(200);
    expect((await carol.call('GET', '/applications')).body.value).toEqual([]);
    const taken = await new Developer(portico.managementUrl).call('POST', '/signup', { email: 'alice@example.com', firstName: 'A', lastName: 'B', password: 'another-password' });
    expect(taken.status).toBe(409);
    const extra = await new Developer(portico.managementUrl).call('POST', '/signup', { email: 'dave@example.com', firstName: 'D', lastName: 'E', password: 'dave-password-1', state: 'blocked' });
    expect(extra.status).toBe(400);
  });

  test('blocking a user ends their session at once and refuses sign-in with a clear message', async () => {
    expect((await admin.call('PATCH', '/users/bob', { properties: { state: 'blocked' } })).status).toBe(200);
    const blocked = { error: { code: 'AccountBlocked', message: 'Your account is blocked. Ask an administrator of this API Management instance to unblock it.' } };
    expect(await bob.call('GET', '/applications')).toMatchObject({ status: 403, body: blocked });
    expect(await bob.call('GET', '/applications')).toMatchObject({ status: 401 });
    expect(await new Developer(portico.managementUrl).signIn('bob@example.com', 'bob-password-1')).toMatchObject({ status: 403, body: blocked });
    expect(await new Developer(portico.managementUrl).signIn('bob@example.com', 'wrong-password')).toMatchObject({ status: 401 });
  });

  test('sign-out ends the session', async () => {
    const dev = new Developer(portico.managementUrl);
    expect((await dev.signIn('alice@example.com', 'alice-password-1')).status).toBe(200);
    const out = await dev.call('POST', '/signout');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await dev.call('GET', '/me')).body).toEqual({ signedIn: false });
    expect((await dev.call('GET', '/applications')).status).toBe(401);
  });

  test('failed sign-ins are throttled per account', async () => {
    const dev = new Developer(portico.managementUrl);
    for (let i = 0; i < 5; i++) expect((await dev.signIn('carol@example.com', `wrong-${i}-password`)).status).toBe(401);
    const throttled = await dev.signIn('carol@example.com', 'carol-password-1');
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe('TooManySignInAttempts');
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  test("developer writes are audited with the user as the actor, refused ones included", async () => {
    const actor = 'users/alice';
    const events = await admin.call('GET', `/auditEvents?$filter=${encodeURIComponent(`actor eq '${actor}'`)}`);
    expect(events.status).toBe(200);
    const rows = events.body.value.map((e: { properties: { operation: string; targetId: string; outcome: string; status?: number; actor: unknown } }) => e.properties);
    expect(rows[0].actor).toEqual({ objectId: 'users/alice', appId: 'portico-developer-portal' });
    expect(rows).toContainEqual(expect.objectContaining({ operation: 'clientApplications.listSecrets', targetId: `${admin.servicePath}/clientApplications/alice-app`, outcome: 'success', status: 201 }));
    expect(rows).toContainEqual(expect.objectContaining({ operation: 'clientApplications.listSecrets', targetId: `${admin.servicePath}/clientApplications/bob-app`, outcome: 'failure', status: 404 }));
    expect(rows).toContainEqual(expect.objectContaining({ operation: 'subscriptions.listSecrets', targetId: `${admin.servicePath}/subscriptions/alice-starter`, outcome: 'success', status: 200 }));
  });

  test('no secret or password reached the log', () => {
    const log = portico.logLines.join('\n');
    for (const secret of ['alice-password-1', 'carol-password-1']) expect(log).not.toContain(secret);
  });
});

describe('developer sessions end', () => {
  let portico: Booted;
  let admin: ManagementClient;
  beforeAll(async () => {
    // An idle limit of 0 seconds: every session has expired by its next request (no waiting in the test).
    portico = await bootPortico({ config: { portalSessionIdleSeconds: 0 } });
    admin = new ManagementClient(portico.credentials);
    expect((await admin.call('PUT', '/users/fay', { properties: { email: 'fay@example.com', firstName: 'Fay', lastName: 'Example', password: 'fay-password-1' } })).status).toBe(201);
  });
  afterAll(async () => {
    await portico?.stop();
  });

  test('an expired session is refused with 401 and its cookie removed; /me says signed out', async () => {
    const fay = new Developer(portico.managementUrl);
    expect((await fay.signIn('fay@example.com', 'fay-password-1')).status).toBe(200);
    const refused = await fay.call('GET', '/products');
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ error: { code: 'SignInRequired', message: 'Sign in to the developer portal first: there is no session, or it has expired.' } });
    expect(refused.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await fay.call('GET', '/me')).body).toEqual({ signedIn: false });
  });
});

describe('developer sign-up turned off', () => {
  let portico: Booted;
  beforeAll(async () => {
    portico = await bootPortico({ config: { developerSignUp: false } });
  });
  afterAll(async () => {
    await portico?.stop();
  });

  test('the portal says so and sign-up is refused with 403', async () => {
    const visitor = new Developer(portico.managementUrl);
    expect((await visitor.call('GET', '/config')).body).toEqual({ signUpAllowed: false });
    const refused = await visitor.call('POST', '/signup', { email: 'gil@example.com', firstName: 'Gil', lastName: 'Example', password: 'gil-password-1' });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'SignUpDisabled', message: 'Sign-up is turned off on this Portico (PORTICO_DEVELOPER_SIGNUP=off). Ask an administrator to create your account.' } } });
  });
});

describe('developer portal over HTTPS (--tls local)', () => {
  let portico: Booted;
  let trusting: Fetch;
  beforeAll(async () => {
    portico = await bootPortico({ tls: 'local' });
    trusting = fetchTrusting(await readFile(portico.running.caCertificate!, 'utf8'));
    const admin = new ManagementClient(portico.credentials, undefined, trusting);
    expect((await admin.call('PATCH', '/products/starter', { properties: { authenticationType: ['application-token'] } })).status).toBe(200);
    expect((await admin.call('PUT', '/users/hal', { properties: { email: 'hal@example.com', firstName: 'Hal', lastName: 'Example', password: 'hal-password-1' } })).status).toBe(201);
    expect((await admin.call('PUT', '/clientApplications/hal-app', { properties: { displayName: 'Hal app', ownerId: '/users/hal', productIds: ['/products/starter'] } })).status).toBe(201);
  });
  afterAll(async () => {
    await portico?.stop();
  });

  test('the cookie is Secure, and Try it reaches the HTTPS token endpoint and gateway (trusting the local CA)', async () => {
    const hal = new Developer(portico.managementUrl, trusting);
    const signedIn = await hal.signIn('hal@example.com', 'hal-password-1');
    expect(signedIn.headers.get('set-cookie')).toMatch(/; Secure$/);
    const minted = (await hal.call('POST', '/applications/hal-app/secrets')).body;
    const result = await hal.call('POST', '/try-it', { applicationId: 'hal-app', clientSecret: minted.clientSecret, productId: 'starter', apiId: 'echo-api', operationId: 'retrieve-resource' });
    expect(result.status).toBe(200);
    expect(result.body.token.url).toMatch(/^https:/);
    expect(result.body.request.url).toMatch(/^https:.*\/echo\/resource$/);
    expect(result.body.response.status).toBe(200);
  });
});
