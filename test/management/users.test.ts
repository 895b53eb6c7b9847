/**
 * Users: create/replace with validation, unique emails, no password ever returned, blocking,
 * what blocks a delete, and the developer-portal view of a user's client applications.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeEachDialect } from '../helpers/databases.js';
import { bootOn, type Booted } from '../helpers/boot.js';
import { ManagementClient } from '../helpers/clients.js';
import { putUser, serviceId, tokenProduct } from './harness.js';

describeEachDialect('management API: users', (dialect) => {
  let portico: Booted;
  let admin: ManagementClient;

  beforeAll(async () => {
    portico = await bootOn(dialect);
    admin = new ManagementClient(portico.credentials);
    await tokenProduct(admin, 'users-gold', 'Users Gold');
  });
  afterAll(async () => {
    await portico?.stop();
  });

  test('PUT creates a user (201) the way the Azure SDK sends it, and replaces it (200)', async () => {
    const created = await admin.call('PUT', '/users/u1?notify=false', { properties: { email: 'u1@example.com', firstName: 'Una', lastName: 'One', confirmation: 'signup' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toMatch(/^"[^"]+"$/);
    expect(created.body).toEqual({
      id: `${serviceId(portico)}/users/u1`,
      type: 'Microsoft.ApiManagement/service/users',
      name: 'u1',
      properties: {
        firstName: 'Una',
        lastName: 'One',
        email: 'u1@example.com',
        state: 'active',
        registrationDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
        groups: [{ id: '/groups/developers', name: 'developers' }],
        identities: [{ provider: 'Basic', id: 'u1@example.com' }],
      },
    });
    const replaced = await admin.call('PUT', '/users/u1', { properties: { email: 'u1@example.com', firstName: 'Una', lastName: 'Uno', note: 'renamed' } });
    expect(replaced.status).toBe(200);
    expect(replaced.body.properties).toMatchObject({ lastName: 'Uno', note: 'renamed', registrationDate: created.body.properties.registrationDate });
    expect((await admin.call('GET', '/users/u1')).body).toEqual(replaced.body);
  });

  test('email must look like an address; firstName and lastName are required; several problems at once', async () => {
    const missing = await admin.call('PUT', '/users/bad', { properties: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('ValidationError');
    expect(missing.body.error.details).toEqual([
      { code: 'ValidationError', target: 'email', message: 'email is required.' },
      { code: 'ValidationError', target: 'firstName', message: 'firstName is required.' },
      { code: 'ValidationError', target: 'lastName', message: 'lastName is required.' },
    ]);
    for (const email of ['not-an-email', 'a@b', 'two@@example.com', 'spa ce@example.com', '@example.com']) {
      const response = await admin.call('PUT', '/users/bad', { properties: { email, firstName: 'B', lastName: 'Ad' } });
      expect(response.status).toBe(400);
      expect(response.body.error.details).toEqual([{ code: 'ValidationError', target: 'email', message: 'email must be an email address like name@example.com.' }]);
    }
    const others = await admin.call('PUT', '/users/bad', { properties: { email: 'bad@example.com', firstName: '', lastName: 'x'.repeat(101), state: 'gone', password: 'short' } });
    expect(others.body.error.details.map((d: { target: string }) => d.target)).toEqual(['firstName', 'lastName', 'password', 'state']);
    expect((await admin.call('GET', '/users/bad')).status).toBe(404);
  });

  test('a second user with the same email is 409 Conflict, whatever the case of the address', async () => {
    await putUser(admin, 'dup-a');
    for (const email of ['dup-a@example.com', 'DUP-A@Example.COM']) {
      const response = await admin.call('PUT', '/users/dup-b', { properties: { email, firstName: 'Dup', lastName: 'B' } });
      expect(response.status).toBe(409);
      expect(response.body).toEqual({
        error: {
          code: 'Conflict',
          message: duplicateEmailMessage(email),
          details: [{ code: 'DuplicateEmail', target: 'email', message: duplicateEmailMessage(email) }],
        },
      });
    }
    expect((await admin.call('GET', '/users/dup-b')).status).toBe(404);
    // Changing another user's email to a taken one is refused the same way.
    await putUser(admin, 'dup-c');
    const patch = await admin.call('PATCH', '/users/dup-c', { properties: { email: 'dup-a@example.com' } }, { 'if-match': '*' });
    expect(patch.status).toBe(409);
    expect((await admin.call('GET', '/users/dup-c')).body.properties.email).toBe('dup-c@example.com');
    // A user keeps their own address on replace.
    expect((await admin.call('PUT', '/users/dup-a', { properties: { email: 'dup-a@example.com', firstName: 'Dup', lastName: 'A' } })).status).toBe(200);
  });

  test('a password is accepted but never returned, not even as a hash', async () => {
    const secret = 'correct horse battery staple';
    const created = await admin.call('PUT', '/users/pw', { properties: { email: 'pw@example.com', firstName: 'Pass', lastName: 'Word', password: secret } });
    expect(created.status).toBe(201);
    const responses = [created, await admin.call('GET', '/users/pw'), await admin.call('GET', '/users'), await admin.call('PATCH', '/users/pw', { properties: { password: `${secret}!` } }, { 'if-match': '*' })];
    for (const response of responses) {
      const text = JSON.stringify(response.body);
      expect(text).not.toContain(secret);
      expect(text).not.toMatch(/password/i);
      expect(text).not.toMatch(/scrypt|argon|pbkdf|\$2[aby]\$/i);
    }
  });

  test('PATCH blocks and re-activates a user; a blocked user\'s subscription key stops working meanwhile', async () => {
    await putUser(admin, 'blockee');
    expect((await admin.call('PUT', '/subscriptions/blockee-sub', { properties: { scope: '/apis', displayName: 'Blockee', ownerId: '/users/blockee', state: 'active' } })).status).toBe(201);
    const key = (await admin.call('POST', '/subscriptions/blockee-sub/listSecrets')).body.primaryKey as string;
    const callEcho = () => fetch(`${portico.gatewayUrl}/echo/resource?param1=sample`, { headers: { 'ocp-apim-subscription-key': key } });
    expect((await callEcho()).status).toBe(200);

    const blocked = await admin.call('PATCH', '/users/blockee', { properties: { state: 'blocked' } }, { 'if-match': '*' });
    expect(blocked.status).toBe(200);
    expect(blocked.body.properties.state).toBe('blocked');
    expect((await admin.call('GET', '/users/blockee')).body.properties.state).toBe('blocked');
    expect((await callEcho()).status).toBe(401);
    const active = await admin.call('PATCH', '/users/blockee', { properties: { state: 'active' } }, { 'if-match': blocked.headers.get('etag')! });
    expect(active.status).toBe(200);
    expect(active.body.properties.state).toBe('active');
    expect((await callEcho()).status).toBe(200);
    const bad = await admin.call('PATCH', '/users/blockee', { properties: { state: 'frozen', firstName: '' } }, { 'if-match': '*' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { target: string }) => d.target)).toEqual(['firstName', 'state']);
    expect((await admin.call('PATCH', '/users/nobody', { properties: { state: 'blocked' } }, { 'if-match': '*' })).status).toBe(404);
  });

  test('users/{id}/clientApplications lists and gets only that user\'s applications', async () => {
    await putUser(admin, 'owner-a');
    await putUser(admin, 'owner-b');
    const appA = await admin.call('PUT', '/clientApplications/app-a', { properties: { displayName: 'App A', ownerId: '/users/owner-a', productIds: ['/products/users-gold'] } });
    expect(appA.status).toBe(201);
    const appB = await admin.call('PUT', '/clientApplications/app-b', { properties: { displayName: 'App B', ownerId: `${serviceId(portico)}/users/owner-b`, productIds: [] } });
    expect(appB.status).toBe(201);
    expect(appB.body.properties.ownerId).toBe(`${serviceId(portico)}/users/owner-b`);

    const listA = await admin.call('GET', '/users/owner-a/clientApplications');
    expect(listA.status).toBe(200);
    expect(listA.body).toEqual({ value: [(await admin.call('GET', '/clientApplications/app-a')).body] });
    const getA = await admin.call('GET', '/users/owner-a/clientApplications/app-a');
    expect(getA.status).toBe(200);
    expect(getA.body.name).toBe('app-a');
    expect(getA.body.properties.ownerId).toBe(`${serviceId(portico)}/users/owner-a`);

    const other = await admin.call('GET', '/users/owner-a/clientApplications/app-b');
    expect(other.status).toBe(404);
    expect(other.body).toEqual({ error: { code: 'ResourceNotFound', message: 'ClientApplication not found.', details: null } });
    expect((await admin.call('GET', '/users/owner-a/clientApplications/none')).status).toBe(404);
    expect((await admin.call('GET', '/users/nobody/clientApplications')).status).toBe(404);
    expect((await admin.call('GET', '/users/1/clientApplications')).body).toEqual({ value: [] });
  });

  test('DELETE: a user owning a client application is 409; user 1 is 409; otherwise 200 then 204', async () => {
    const owner = await admin.call('DELETE', '/users/owner-a', undefined, { 'if-match': '*' });
    expect(owner.status).toBe(409);
    expect(owner.body).toEqual({ error: { code: 'Conflict', message: "User 'owner-a' owns client applications: app-a. Delete them first.", details: null } });
    expect((await admin.call('GET', '/users/owner-a')).status).toBe(200);

    const builtIn = await admin.call('DELETE', '/users/1', undefined, { 'if-match': '*' });
    expect(builtIn.status).toBe(409);
    expect(builtIn.body).toEqual({ error: { code: 'Conflict', message: "User '1' is the built-in administrator and cannot be deleted.", details: null } });
    expect((await admin.call('GET', '/users/1')).status).toBe(200);

    expect((await admin.call('DELETE', '/clientApplications/app-a', undefined, { 'if-match': '*' })).status).toBe(200);
    expect((await admin.call('DELETE', '/users/owner-a', undefined, { 'if-match': '*' })).status).toBe(200);
    expect((await admin.call('GET', '/users/owner-a')).status).toBe(404);
    expect((await admin.call('DELETE', '/users/owner-a', undefined, { 'if-match': '*' })).status).toBe(204);
    // Its email is free again.
    expect((await admin.call('PUT', '/users/owner-a2', { properties: { email: 'owner-a@example.com', firstName: 'A', lastName: 'Again' } })).status).toBe(201);
  });

  test('DELETE of a user with subscriptions is 409 unless deleteSubscriptions=true', async () => {
    await putUser(admin, 'subscriber');
    expect((await admin.call('PUT', '/subscriptions/subscriber-sub', { properties: { scope: '/apis', displayName: 'All APIs', ownerId: '/users/subscriber' } })).status).toBe(201);
    const refused = await admin.call('DELETE', '/users/subscriber', undefined, { 'if-match': '*' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe("User 'subscriber' owns 1 subscription(s). Delete them first or pass deleteSubscriptions=true.");
    expect((await admin.call('DELETE', '/users/subscriber?deleteSubscriptions=true', undefined, { 'if-match': '*' })).status).toBe(200);
    expect((await admin.call('GET', '/subscriptions/subscriber-sub')).status).toBe(404);
  });
});

/** Said once (the detail repeats it word for word, so a client joining both skips it), with the way out for an account without a password. */
function duplicateEmailMessage(email: string): string {
  return `Another user already has the email '${email}'. If that account has no password yet, an administrator sets one (\`portico user update <user id> --password …\` or the admin portal's Users → Edit).`;
}
