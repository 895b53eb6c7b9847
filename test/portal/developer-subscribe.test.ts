/**
 * Subscribe in the developer portal (POST /developer/api/products/{id}/subscriptions) against the
 * real program: the subscription a developer makes is theirs alone, active or submitted as the
 * product's approval setting says, and its key works at the gateway only once it is active.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootOn, type Booted } from '../helpers/boot.js';
import { DIALECTS } from '../helpers/databases.js';
import { ManagementClient } from '../helpers/clients.js';

const KEY_INVALID = { statusCode: 401, message: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.' };
const PRODUCT_NOT_FOUND = { error: { code: 'ResourceNotFound', message: 'Product not found.' } };

/** A browser-like client of /developer/api: keeps the session cookie and the CSRF token. */
class Developer {
  cookie = '';
  csrf = '';
  constructor(private readonly base: string) {}

  async call(method: string, path: string, body?: unknown, options: { csrf?: boolean } = {}): Promise<{ status: number; body: any; headers: Headers }> {
    const headers: Record<string, string> = {};
    if (this.cookie) headers.cookie = this.cookie;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && options.csrf !== false && this.csrf) headers['x-csrf-token'] = this.csrf;
    const response = await fetch(`${this.base}/developer/api${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text), headers: response.headers };
  }

  async signIn(email: string, password: string): Promise<void> {
    const result = await this.call('POST', '/signin', { email, password });
    expect(result.status).toBe(200);
    this.cookie = result.headers.get('set-cookie')!.split(';')[0]!;
    this.csrf = result.body.csrfToken;
  }

  subscribe(productId: string, body: unknown, options: { csrf?: boolean } = {}) {
    return this.call('POST', `/products/${productId}/subscriptions`, body, options);
  }
}

describe.each(DIALECTS)('developer portal: Subscribe [%s]', (dialect) => {
  let portico: Booted;
  let admin: ManagementClient;
  const developers: Record<'alice' | 'bob' | 'carol' | 'dave', Developer> = {} as never;
  const created: { starter?: string; unlimited?: string } = {};

  const gateway = async (key: string) => {
    const response = await fetch(`${portico.gatewayUrl}/echo/resource?param1=sample`, { headers: { 'ocp-apim-subscription-key': key } });
    const text = await response.text();
    return { status: response.status, body: response.headers.get('content-type') === 'application/json' ? JSON.parse(text) : text };
  };
  const subscriptionsOf = async (userId: string) => (await admin.call('GET', `/users/${userId}/subscriptions`)).body.value.map((s: { name: string }) => s.name) as string[];

  beforeAll(async () => {
    portico = await bootOn(dialect);
    admin = new ManagementClient(portico.credentials);
    // Not about limits: Starter's 5 calls a minute would get in the way.
    expect((await admin.call('DELETE', '/products/starter/policies/policy')).status).toBe(200);
    for (const [id, first] of [['alice', 'Alice'], ['bob', 'Bob'], ['carol', 'Carol'], ['dave', 'Dave']] as const) {
      expect((await admin.call('PUT', `/users/${id}`, { properties: { email: `${id}@example.com`, firstName: first, lastName: 'Example', password: `${id}-password-1` } })).status).toBe(201);
      developers[id] = new Developer(portico.managementUrl);
      await developers[id].signIn(`${id}@example.com`, `${id}-password-1`);
    }
    const products: [string, Record<string, unknown>][] = [
      ['hidden', { displayName: 'Hidden', state: 'notPublished' }],
      ['open', { displayName: 'Open', state: 'published', subscriptionRequired: false }],
      ['tokens', { displayName: 'Tokens only', state: 'published', authenticationType: ['application-token'] }],
    ];
    for (const [id, properties] of products) expect((await admin.call('PUT', `/products/${id}`, { properties })).status, id).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await portico?.stop();
  });

  test('without a session Subscribe is refused with 401', async () => {
    const anonymous = new Developer(portico.managementUrl);
    expect(await anonymous.subscribe('starter', { displayName: 'Mine' })).toMatchObject({
      status: 401,
      body: { error: { code: 'SignInRequired', message: 'Sign in to the developer portal first: there is no session, or it has expired.' } },
    });
  });

  test('products say whether Subscribe is offered, and why not', async () => {
    const products = (await developers.alice.call('GET', '/products')).body.value as { id: string; noSubscribeReason: string | null; subscriptionsLimit: number | null }[];
    const byId = new Map(products.map((p) => [p.id, p]));
    expect(byId.get('starter')).toMatchObject({ noSubscribeReason: null, subscriptionsLimit: 1 });
    expect(byId.get('unlimited')).toMatchObject({ noSubscribeReason: null, subscriptionsLimit: 1 });
    expect(byId.get('open')!.noSubscribeReason).toBe('This product is open: its APIs can be called without a subscription key, so there is nothing to subscribe to.');
    expect(byId.get('tokens')!.noSubscribeReason).toBe('This product is reached with an OAuth 2.0 token of a client application, not with a subscription key. Ask an administrator to register an application for you.');
    expect(byId.has('hidden')).toBe(false);
  });

  test('a product without approval: the subscription is active at once, owned by the developer, and its key opens the gateway', async () => {
    const result = await developers.alice.subscribe('starter', { displayName: '  Alice on Starter ' });
    expect(result.status).toBe(201);
    expect(result.headers.get('cache-control')).toBe('no-store');
    expect(result.body).toMatchObject({ displayName: 'Alice on Starter', scope: '/products/starter', productId: 'starter', productName: 'Starter', state: 'active' });
    expect(result.body.id).toMatch(/^[0-9a-f]{24}$/);
    expect(JSON.stringify(result.body)).not.toMatch(/key/i);
    created.starter = result.body.id;
    const resource = await admin.call('GET', `/subscriptions/${created.starter}`);
    expect(resource.body.properties).toMatchObject({ displayName: 'Alice on Starter', ownerId: `${admin.servicePath}/users/alice`, scope: `${admin.servicePath}/products/starter`, state: 'active' });
    expect(resource.body.properties.startDate).toBeDefined();
    const listed = (await developers.alice.call('GET', '/subscriptions')).body.value;
    expect(listed).toEqual([expect.objectContaining({ id: created.starter, productId: 'starter', state: 'active' })]);
    const keys = (await developers.alice.call('POST', `/subscriptions/${created.starter}/reveal`)).body;
    expect((await gateway(keys.primaryKey)).status).toBe(200);
    expect((await gateway(keys.secondaryKey)).status).toBe(200);
  });

  test("a product's subscriptionsLimit refuses one more subscription with a clear 409", async () => {
    const result = await developers.alice.subscribe('starter', { displayName: 'A second one' });
    expect(result).toMatchObject({
      status: 409,
      body: {
        error: {
          code: 'SubscriptionsLimitReached',
          message: 'You already have 1 subscription to Starter, the most this product allows for one user (1). Use the one you have (Subscriptions → Show keys), or ask an administrator to cancel one.',
        },
      },
    });
    expect(await subscriptionsOf('alice')).toEqual([created.starter]);
    // A cancelled subscription no longer counts.
    expect((await admin.call('PATCH', `/subscriptions/${created.starter}`, { properties: { state: 'cancelled' } })).status).toBe(200);
    const again = await developers.alice.subscribe('starter', { displayName: 'After cancelling' });
    expect(again.status).toBe(201);
    expect(again.body.state).toBe('active');
  });

  test('two Subscribe calls at once cannot both pass the limit', async () => {
    const results = await Promise.all([developers.dave.subscribe('starter', { displayName: 'First' }), developers.dave.subscribe('starter', { displayName: 'Second' })]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await subscriptionsOf('dave')).toHaveLength(1);
    const events = await admin.call('GET', `/auditEvents?$filter=${encodeURIComponent("actor eq 'users/dave'")}`);
    const writes = events.body.value.map((e: { properties: Record<string, unknown> }) => e.properties).filter((row: Record<string, unknown>) => row.operation === 'subscriptions.write');
    expect(writes).toEqual([expect.objectContaining({ actor: { objectId: 'users/dave', appId: 'portico-developer-portal' }, outcome: 'success', status: 201 })]);
  });

  test('a product with approval required: the subscription is submitted and its key refused until an administrator activates it', async () => {
    const result = await developers.bob.subscribe('unlimited', { displayName: 'Bob on Unlimited' });
    expect(result.status).toBe(201);
    expect(result.body).toMatchObject({ productId: 'unlimited', productName: 'Unlimited', state: 'submitted' });
    created.unlimited = result.body.id;
    const keys = (await developers.bob.call('POST', `/subscriptions/${created.unlimited}/reveal`)).body;
    expect(await gateway(keys.primaryKey)).toEqual({ status: 401, body: KEY_INVALID });
    expect((await admin.call('PATCH', `/subscriptions/${created.unlimited}`, { properties: { state: 'active' } })).status).toBe(200);
    expect((await developers.bob.call('GET', '/subscriptions')).body.value).toEqual([expect.objectContaining({ id: created.unlimited, state: 'active' })]);
    expect((await gateway(keys.primaryKey)).status).toBe(200);
  });

  test('the owner is always the signed-in developer: an ownerId (or state, or scope) in the body is refused', async () => {
    const before = await subscriptionsOf('carol');
    for (const extra of [{ ownerId: '/users/carol' }, { state: 'active' }, { scope: '/products/starter' }]) {
      const result = await developers.bob.subscribe('starter', { displayName: 'Sneaky', ...extra });
      const field = Object.keys(extra)[0]!;
      expect(result, field).toMatchObject({
        status: 400,
        body: {
          error: {
            code: 'ValidationError',
            message: 'Subscribe takes only displayName. The subscription belongs to you, the signed-in developer, is scoped to the product in the URL, and its state and keys are set by Portico.',
            details: [{ code: 'ValidationError', target: field, message: `${field} cannot be set here.` }],
          },
        },
      });
    }
    expect(await subscriptionsOf('carol')).toEqual(before);
    expect(await subscriptionsOf('bob')).toEqual([created.unlimited]);
  });

  test('an unpublished or missing product is not found', async () => {
    for (const id of ['hidden', 'no-such-product']) expect(await developers.bob.subscribe(id, { displayName: 'Mine' })).toMatchObject({ status: 404, body: PRODUCT_NOT_FOUND });
    expect(await subscriptionsOf('bob')).toEqual([created.unlimited]);
  });

  test('open and token-only products take no subscription, and say why', async () => {
    const open = await developers.bob.subscribe('open', { displayName: 'Mine' });
    expect(open).toMatchObject({ status: 400, body: { error: { code: 'ValidationError', message: 'This product is open: its APIs can be called without a subscription key, so there is nothing to subscribe to.' } } });
    const tokens = await developers.bob.subscribe('tokens', { displayName: 'Mine' });
    expect(tokens.status).toBe(400);
    expect(tokens.body.error.message).toMatch(/^This product is reached with an OAuth 2.0 token/);
  });

  test('the display name is required, not blank, at most 100 characters', async () => {
    const cases: [unknown, string][] = [
      [{}, 'displayName is required.'],
      [{ displayName: '' }, 'displayName must be 1 to 100 characters long.'],
      [{ displayName: '   ' }, 'displayName must not be blank.'],
      [{ displayName: 'x'.repeat(101) }, 'displayName must be 1 to 100 characters long.'],
      [{ displayName: 7 }, 'displayName must be a string.'],
    ];
    for (const [body, message] of cases) {
      const result = await developers.bob.subscribe('starter', body);
      expect(result.status, JSON.stringify(body)).toBe(400);
      expect(result.body.error).toMatchObject({ code: 'ValidationError', details: [{ target: 'displayName', message }] });
    }
    expect(await subscriptionsOf('bob')).toEqual([created.unlimited]);
  });

  test('without the CSRF token Subscribe is refused with 403 and makes nothing', async () => {
    const result = await developers.bob.subscribe('starter', { displayName: 'Forged' }, { csrf: false });
    expect(result).toMatchObject({
      status: 403,
      body: { error: { code: 'CsrfTokenInvalid', message: "This write was refused: it carries the portal session cookie but not the session's x-csrf-token header. Reload the portal and try again." } },
    });
    expect(await subscriptionsOf('bob')).toEqual([created.unlimited]);
  });

  test('Subscribe is audited with the developer as the actor, refusals included', async () => {
    const events = await admin.call('GET', `/auditEvents?$filter=${encodeURIComponent("actor eq 'users/bob'")}`);
    expect(events.status).toBe(200);
    const rows = events.body.value.map((e: { properties: Record<string, unknown> }) => e.properties);
    for (const row of rows) expect(row.actor).toEqual({ objectId: 'users/bob', appId: 'portico-developer-portal' });
    expect(rows).toContainEqual(expect.objectContaining({ operation: 'subscriptions.write', targetId: `${admin.servicePath}/subscriptions/${created.unlimited}`, outcome: 'success', status: 201 }));
    expect(rows).toContainEqual(expect.objectContaining({ operation: 'products.subscribe', targetId: `${admin.servicePath}/products/unlimited`, outcome: 'success', status: 201 }));
    expect(rows).toContainEqual(expect.objectContaining({ operation: 'products.subscribe', targetId: `${admin.servicePath}/products/hidden`, outcome: 'failure', status: 404 }));
    expect(rows).toContainEqual(expect.objectContaining({ operation: 'products.subscribe', targetId: `${admin.servicePath}/products/starter`, outcome: 'failure', status: 403 }));
  });

  test('Subscribe requests are throttled per developer: 20 an hour, then 429 with Retry-After', async () => {
    for (let i = 0; i < 20; i += 1) expect((await developers.carol.subscribe('hidden', { displayName: `Try ${i}` })).status).toBe(404);
    const refused = await developers.carol.subscribe('starter', { displayName: 'One too many' });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('TooManySubscribeRequests');
    expect(refused.body.error.message).toMatch(/^Too many subscribe requests from your account \(at most 20 an hour\)\. Wait \d+ seconds, then try again\.$/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another developer is not slowed.
    expect((await developers.bob.subscribe('hidden', { displayName: 'Mine' })).status).toBe(404);
  });
});
