/**
 * A password change ends the user's portal sessions (blocking or deleting already did): each
 * session keeps a digest of the password hash it began with, compared on every lookup. The admin
 * session that changed its own user's password stays signed in; the user's other sessions end.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { API_VERSION, ManagementClient } from '../helpers/clients.js';

let portico: Booted;
let admin: ManagementClient;

beforeAll(async () => {
  portico = await bootPortico();
  admin = new ManagementClient(portico.credentials);
});
afterAll(async () => portico?.stop());

interface Session {
  readonly cookie: string;
  readonly csrf: string;
}

async function signIn(path: '/portal/api/admin/session' | '/developer/api/signin', email: string, password: string): Promise<Session> {
  const response = await fetch(`${portico.managementUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  expect(response.status).toBe(200);
  return { cookie: response.headers.get('set-cookie')!.split(';')[0]!, csrf: ((await response.json()) as { csrfToken: string }).csrfToken };
}

/** A management API call made with an admin portal session. */
async function manage(session: Session, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${portico.managementUrl}${admin.servicePath}${path}?api-version=${API_VERSION}`, {
    method,
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, ...(body !== undefined ? { 'content-type': 'application/json', 'if-match': '*' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

async function signedIn(path: '/portal/api/admin/session' | '/developer/api/me', session: Session): Promise<boolean> {
  const response = await fetch(`${portico.managementUrl}${path}`, { headers: { cookie: session.cookie } });
  return ((await response.json()) as { signedIn: boolean }).signedIn;
}

describe('a password change ends portal sessions', () => {
  test("an administrator changes their own password in the portal: that session stays, the other browser's admin session and their developer session end", async () => {
    const { email, password } = portico.credentials.adminUser;
    const changer = await signIn('/portal/api/admin/session', email, password);
    const otherBrowser = await signIn('/portal/api/admin/session', email, password);
    const developer = await signIn('/developer/api/signin', email, password);
    expect((await manage(changer, 'PATCH', '/users/1', { properties: { password: 'Changed-admin-passw0rd!' } })).status).toBe(200);

    expect((await manage(changer, 'GET', '/products')).status).toBe(200);
    expect(await signedIn('/portal/api/admin/session', changer)).toBe(true);

    const refused = await manage(otherBrowser, 'GET', '/products');
    expect(refused).toEqual({ status: 401, body: { error: { code: 'AuthenticationFailed', message: 'Your portal session has ended: the password of this account was changed. Sign in again with the new password.' } } });
    expect(await signedIn('/portal/api/admin/session', otherBrowser)).toBe(false);
    expect(await signedIn('/developer/api/me', developer)).toBe(false);

    const fresh = await signIn('/portal/api/admin/session', email, 'Changed-admin-passw0rd!');
    expect((await manage(fresh, 'GET', '/products')).status).toBe(200);
  });

  test("an administrator sets a developer's password: the developer's sessions end, a sign-in with the new password works", async () => {
    expect((await admin.call('PUT', '/users/pw-dev', { properties: { email: 'pw-dev@example.com', firstName: 'P', lastName: 'W', password: 'First-passw0rd!' } })).status).toBe(201);
    const before = await signIn('/developer/api/signin', 'pw-dev@example.com', 'First-passw0rd!');
    expect(await signedIn('/developer/api/me', before)).toBe(true);
    expect((await admin.call('PATCH', '/users/pw-dev', { properties: { password: 'Second-passw0rd!' } }, { 'if-match': '*' })).status).toBe(200);

    expect(await signedIn('/developer/api/me', before)).toBe(false);
    const guarded = await fetch(`${portico.managementUrl}/developer/api/applications`, { headers: { cookie: before.cookie } });
    expect(guarded.status).toBe(401);
    expect(((await guarded.json()) as { error: { code: string } }).error.code).toBe('SignInRequired');

    const after = await signIn('/developer/api/signin', 'pw-dev@example.com', 'Second-passw0rd!');
    expect(await signedIn('/developer/api/me', after)).toBe(true);
  });

  test('a change of other fields (not the password) keeps the sessions', async () => {
    expect((await admin.call('PUT', '/users/name-dev', { properties: { email: 'name-dev@example.com', firstName: 'N', lastName: 'D', password: 'Name-passw0rd!' } })).status).toBe(201);
    const session = await signIn('/developer/api/signin', 'name-dev@example.com', 'Name-passw0rd!');
    expect((await admin.call('PATCH', '/users/name-dev', { properties: { firstName: 'Renamed' } }, { 'if-match': '*' })).status).toBe(200);
    expect(await signedIn('/developer/api/me', session)).toBe(true);
  });
});
