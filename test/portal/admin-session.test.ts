/**
 * The portals on the management listener, over plain HTTP: pages and assets with their security
 * headers, the admin sign-in session (cookie flags, CSRF, throttling, sign-out) and that the
 * session authenticates the same management API routes scripts use.
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { API_VERSION, fetchTrusting, ManagementClient } from '../helpers/clients.js';
import { DEFAULT_WEB_ROOT } from '../../src/portal/portal-pages.js';

let portico: Booted;
let admin: ManagementClient;

beforeAll(async () => {
  portico = await bootPortico();
  admin = new ManagementClient(portico.credentials);
});
afterAll(async () => portico?.stop());

const url = (path: string): string => `${portico.managementUrl}${path}`;
const service = (path: string): string => url(`${admin.servicePath}${path}?api-version=${API_VERSION}`);

async function signIn(email: string, password: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url('/portal/api/admin/session'), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ email, password }) });
}

/** Signs in as the admin user; the cookie to send and the CSRF token. */
async function adminSession(): Promise<{ cookie: string; csrf: string }> {
  const response = await signIn(portico.credentials.adminUser.email, portico.credentials.adminUser.password);
  expect(response.status).toBe(200);
  const cookie = response.headers.get('set-cookie')!.split(';')[0]!;
  const body = (await response.json()) as { csrfToken: string };
  return { cookie, csrf: body.csrfToken };
}

describe('pages and assets', () => {
  test('/ and deep admin paths get the admin page; /developer the developer page; with CSP, nosniff, no framing, no caching', async () => {
    for (const [path, accept, title] of [
      ['/', '*/*', 'Portico admin portal'],
      ['/products/starter', 'text/html,application/xhtml+xml', 'Portico admin portal'],
      ['/developer', '*/*', 'Portico developer portal'],
      ['/developer/applications', 'text/html', 'Portico developer portal'],
    ] as const) {
      const response = await fetch(url(path), { headers: { accept } });
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      const csp = response.headers.get('content-security-policy')!;
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
      expect(await response.text()).toContain(`<title>${title}</title>`);
    }
  });

  test('hashed assets are cached for a year; an unknown or odd asset name is 404', async () => {
    const asset = readdirSync(`${DEFAULT_WEB_ROOT}/assets`).find((name) => name.endsWith('.js'))!;
    const response = await fetch(url(`/assets/${asset}`));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(url('/assets/missing-0000.js'))).status).toBe(404);
    expect((await fetch(url('/assets/..%2F..%2Fpackage.json'))).status).toBe(404);
  });

  test('API paths keep their own answers: an unknown ARM path is the JSON 404, not a page', async () => {
    const response = await fetch(url('/subscriptions/nope/whatever'), { headers: { accept: 'text/html' } });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const unknown = await fetch(url('/no-such-thing'), { headers: { accept: 'application/json' } });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('NotFound');
    const post = await fetch(url('/products'), { method: 'POST', headers: { accept: 'text/html' } });
    expect(post.status).toBe(404);
  });
});

describe('admin sign-in session', () => {
  test('the admin user signs in: HttpOnly, SameSite=Strict, Path=/ cookie (no Secure over http); GET says who is signed in', async () => {
    const response = await signIn(portico.credentials.adminUser.email, portico.credentials.adminUser.password);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const cookie = response.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^portico_admin_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
      signedIn: true,
      user: { id: '1', email: 'admin@portico.local', firstName: 'Administrator', lastName: 'Portico' },
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      serviceResourceId: admin.servicePath,
    });
    const who = await fetch(url('/portal/api/admin/session'), { headers: { cookie: cookie.split(';')[0]! } });
    expect(await who.json()).toEqual(body);
    const nobody = await fetch(url('/portal/api/admin/session'));
    expect(await nobody.json()).toEqual({ signedIn: false });
  });

  test('a wrong password, an unknown email and a non-administrator are refused alike (401 SignInFailed)', async () => {
    const created = await admin.call('PUT', '/users/dev-only', { properties: { email: 'dev-only@example.com', firstName: 'Dev', lastName: 'Only', password: 'a-Good-passw0rd!' } });
    expect(created.status).toBe(201);
    for (const [email, password] of [
      [portico.credentials.adminUser.email, 'wrong'],
      ['nobody@example.com', 'whatever'],
      ['dev-only@example.com', 'a-Good-passw0rd!'],
    ] as const) {
      const response = await signIn(email, password);
      expect(response.status).toBe(401);
      expect(response.headers.get('set-cookie')).toBeNull();
      expect(await response.json()).toEqual({ error: { code: 'SignInFailed', message: 'The email or password is incorrect, or this account may not use the admin portal (it must be active and in the Administrators group).' } });
    }
  });

  test('a missing field is a ValidationError naming it; a sign-in from another origin is refused', async () => {
    const missing = await fetch(url('/portal/api/admin/session'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'a@b.c' }) });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { details: { target: string }[] } }).error.details.map((d) => d.target)).toEqual(['password']);
    const foreign = await signIn(portico.credentials.adminUser.email, portico.credentials.adminUser.password, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe('CsrfTokenInvalid');
  });

  test('failed sign-ins are throttled per account: the sixth try gets 429 with Retry-After, even with the right password', async () => {
    // (The management API has no group-membership route yet, so the account is a developer: the
    // throttle answers before the password and the group are even checked.)
    await admin.call('PUT', '/users/throttled', { properties: { email: 'throttled@example.com', firstName: 'T', lastName: 'T', password: 'Thr0ttled-passw0rd!' } });
    for (let i = 0; i < 5; i++) expect((await signIn('throttled@example.com', `wrong-${i}`)).status).toBe(401);
    const refused = await signIn('throttled@example.com', 'Thr0ttled-passw0rd!');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('TooManySignInAttempts');
    expect(body.error.message).toMatch(/^Too many failed sign-ins for this account or from this address\. Try again in \d+ (seconds?|minutes?)\.$/);
    // Another account is not affected.
    expect((await signIn(portico.credentials.adminUser.email, portico.credentials.adminUser.password)).status).toBe(200);
  });
});

describe('the session calls the management API', () => {
  test('reads work with the cookie alone; a write needs the CSRF header (403 CsrfTokenInvalid without or with a wrong one)', async () => {
    const { cookie, csrf } = await adminSession();
    const list = await fetch(service('/products'), { headers: { cookie } });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { value: { name: string }[] }).value.map((p) => p.name)).toEqual(['starter', 'unlimited']);

    const body = JSON.stringify({ properties: { displayName: 'Portal made' } });
    for (const headers of [{}, { 'x-csrf-token': 'not-the-token' }] as Record<string, string>[]) {
      const refused = await fetch(service('/products/portal-made'), { method: 'PUT', headers: { cookie, 'content-type': 'application/json', ...headers }, body });
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual({ error: { code: 'CsrfTokenInvalid', message: "This write was refused: it carries the portal session cookie but not the session's x-csrf-token header. Reload the portal and try again." } });
    }
    expect((await admin.call('GET', '/products/portal-made')).status).toBe(404);

    const made = await fetch(service('/products/portal-made'), { method: 'PUT', headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': csrf }, body });
    expect(made.status).toBe(201);
    // The audit log names the signed-in user as the actor.
    const audit = await admin.call('GET', `/auditEvents?$filter=${encodeURIComponent("actor eq 'users/1'")}`);
    expect(audit.status).toBe(200);
    const events = audit.body.value as { properties: { actor: unknown; targetId: string } }[];
    expect(events.find((event) => event.properties.targetId.endsWith('/products/portal-made'))?.properties.actor).toEqual({ objectId: 'users/1', appId: 'portico-admin-portal' });
  });

  test('sign-out needs the CSRF header, ends the session and clears the cookie; the old cookie is then refused', async () => {
    const { cookie, csrf } = await adminSession();
    expect((await fetch(url('/portal/api/admin/session'), { method: 'DELETE', headers: { cookie } })).status).toBe(403);
    const out = await fetch(url('/portal/api/admin/session'), { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrf } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toBe('portico_admin_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
    const after = await fetch(service('/products'), { headers: { cookie } });
    expect(after.status).toBe(401);
    expect(((await after.json()) as { error: { code: string; message: string } }).error).toEqual({
      code: 'AuthenticationFailed',
      message: 'Your portal session has ended (signed out, idle too long or past its maximum age). Sign in again.',
    });
  });

  test('a bearer token still works as before, and wins over a cookie', async () => {
    expect((await admin.call('GET', '/products')).status).toBe(200);
    const response = await fetch(service('/products'), { headers: { cookie: 'portico_admin_session=bogus', authorization: `Bearer ${await admin.bearer()}` } });
    expect(response.status).toBe(200);
  });
});

describe('over HTTPS', () => {
  let secure: Booted;
  afterAll(async () => secure?.stop());

  test('over HTTPS the session cookies are Secure and named __Host-…, and only that name is read', async () => {
    secure = await bootPortico({ tls: 'local' });
    const trusted = fetchTrusting(await readFile(secure.running.caCertificate!, 'utf8'));
    const { email, password } = secure.credentials.adminUser;
    for (const [path, who, name] of [
      ['/portal/api/admin/session', '/portal/api/admin/session', '__Host-portico_admin_session'],
      ['/developer/api/signin', '/developer/api/me', '__Host-portico_developer_session'],
    ] as const) {
      const response = await trusted(`${secure.managementUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
      expect(response.status).toBe(200);
      const setCookie = response.headers.get('set-cookie')!;
      expect(setCookie).toMatch(new RegExp(`^${name}=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict; Secure$`));
      const token = setCookie.split(';')[0]!.slice(name.length + 1);
      const signedIn = async (cookie: string) => ((await (await trusted(`${secure.managementUrl}${who}`, { headers: { cookie } })).json()) as { signedIn: boolean }).signedIn;
      expect(await signedIn(`${name}=${token}`)).toBe(true);
      expect(await signedIn(`${name.slice('__Host-'.length)}=${token}`)).toBe(false);
    }
  });
});
