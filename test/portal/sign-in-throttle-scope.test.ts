/**
 * The tight sign-in limit is per (account, client address): someone who knows the admin's email
 * cannot lock the admin out from another address. Different loopback addresses (127.0.0.x) stand
 * for different clients.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { ManagementClient } from '../helpers/clients.js';
import { SignInThrottle } from '../../src/portal/sign-in-throttle.js';

let portico: Booted;

beforeAll(async () => {
  portico = await bootPortico();
  const admin = new ManagementClient(portico.credentials);
  expect((await admin.call('PUT', '/users/scope-dev', { properties: { email: 'scope-dev@example.com', firstName: 'S', lastName: 'S', password: 'Sc0pe-passw0rd!' } })).status).toBe(201);
});
afterAll(async () => portico?.stop());

function signInFrom(localAddress: string, path: string, email: string, password: string): Promise<number> {
  const url = new URL(`${portico.managementUrl}${path}`);
  const body = JSON.stringify({ email, password });
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: url.port, path: url.pathname, method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), origin: url.origin } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('sign-in throttle scope', () => {
  const portals = () =>
    [
      ['admin portal', '/portal/api/admin/session', portico.credentials.adminUser.email, portico.credentials.adminUser.password],
      ['developer portal', '/developer/api/signin', 'scope-dev@example.com', 'Sc0pe-passw0rd!'],
    ] as const;
  for (const index of [0, 1]) {
    test(`${index === 0 ? 'admin' : 'developer'} portal: five failures from one address do not stop the account signing in from another`, async () => {
      const [, path, email, password] = portals()[index]!;
      for (let i = 0; i < 5; i++) expect(await signInFrom('127.0.0.7', path, email, `wrong-${i}`)).toBe(401);
      expect(await signInFrom('127.0.0.7', path, email, password)).toBe(429);
      expect(await signInFrom('127.0.0.8', path, email, password)).toBe(200);
    });
  }

  test('the account alone is throttled after 50 failures spread over addresses', () => {
    const throttle = new SignInThrottle(() => 1_000_000);
    for (let i = 0; i < 50; i++) expect(throttle.begin('Victim@example.com', `10.0.${Math.floor(i / 4)}.${i % 4}`)).toBeUndefined();
    expect(throttle.begin('victim@example.com', '10.9.9.9')).toBe(300);
    expect(throttle.begin('other@example.com', '10.9.9.9')).toBeUndefined();
  });

  test('an address is throttled after 20 failures over any accounts', () => {
    const throttle = new SignInThrottle(() => 1_000_000);
    for (let i = 0; i < 20; i++) expect(throttle.begin(`user${i}@example.com`, '10.1.1.1')).toBeUndefined();
    expect(throttle.begin('fresh@example.com', '10.1.1.1')).toBe(300);
  });
});
