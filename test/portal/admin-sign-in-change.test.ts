/**
 * An administrator's password and email are the admin portal's sign-in (and so, through the
 * /graph/v1.0 mount, the Portico Administrator's directory roles): another management caller
 * cannot set them; the administrator, signed in to the portal, can.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { API_VERSION, ManagementClient } from '../helpers/clients.js';
import { request as httpRequest } from 'node:http';

let portico: Booted;
let admin: ManagementClient;

beforeAll(async () => {
  portico = await bootPortico();
  admin = new ManagementClient(portico.credentials);
});
afterAll(async () => portico?.stop());

async function signIn(email: string, password: string): Promise<Response> {
  return fetch(`${portico.managementUrl}/portal/api/admin/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
}

describe("an administrator's sign-in", () => {
  test('a bearer caller (even a Contributor) cannot set the password or email of user 1; other fields and other users are unaffected', async () => {
    const password = await admin.call('PATCH', '/users/1', { properties: { password: 'Attacker-passw0rd!' } }, { 'if-match': '*' });
    expect(password.status).toBe(403);
    expect(password.body.error.code).toBe('AuthorizationFailed');
    const email = await admin.call('PATCH', '/users/1', { properties: { email: 'attacker@example.com' } }, { 'if-match': '*' });
    expect(email.status).toBe(403);
    const current = (await admin.call('GET', '/users/1')).body.properties;
    const put = await admin.call('PUT', '/users/1', { properties: { email: current.email, firstName: current.firstName, lastName: current.lastName, password: 'Attacker-passw0rd!' } });
    expect(put.status).toBe(403);
    expect((await signIn(current.email, 'Attacker-passw0rd!')).status).toBe(401);
    expect((await admin.call('PATCH', '/users/1', { properties: { note: 'still editable' } }, { 'if-match': '*' })).status).toBe(200);
    expect((await admin.call('PUT', '/users/plain-dev', { properties: { email: 'plain-dev@example.com', firstName: 'P', lastName: 'D', password: 'Plain-passw0rd!' } })).status).toBe(201);
    expect((await admin.call('PATCH', '/users/plain-dev', { properties: { password: 'Plain-passw0rd-2' } }, { 'if-match': '*' })).status).toBe(200);
  });

  test('the administrator, signed in to the admin portal, changes their own password', async () => {
    const { email, password } = portico.credentials.adminUser;
    const session = await signIn(email, password);
    expect(session.status).toBe(200);
    const cookie = session.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = (await session.json()) as { csrfToken: string };
    const changed = await fetch(`${portico.managementUrl}${admin.servicePath}/users/1?api-version=${API_VERSION}`, {
      method: 'PATCH',
      headers: { cookie, 'x-csrf-token': csrfToken, 'if-match': '*', 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { password: 'New-admin-passw0rd!' } }),
    });
    expect(changed.status).toBe(200);
    expect((await signIn(email, 'New-admin-passw0rd!')).status).toBe(200);
  });
});

describe('sign-in origin behind a reverse proxy', () => {
  /** POST with a Host header of our choosing (fetch cannot set Host). */
  function postWithHost(host: string, origin: string, body: unknown): Promise<number> {
    const target = new URL(`${portico.managementUrl}/portal/api/admin/session`);
    return new Promise((resolve, reject) => {
      const req = httpRequest({ hostname: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { host, origin, 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  }

  test("a proxy passing its upstream Host: the page's origin is the listener's public URL, so the sign-in goes through; a foreign origin is still refused", async () => {
    const { email } = portico.credentials.adminUser;
    const publicOrigin = new URL(portico.managementUrl).origin;
    expect(await postWithHost('upstream.internal:8081', publicOrigin, { email, password: 'wrong-password' })).toBe(401);
    expect(await postWithHost('upstream.internal:8081', 'https://evil.example', { email, password: 'wrong-password' })).toBe(403);
  });
});
