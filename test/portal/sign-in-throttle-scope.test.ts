/**
 * The tight sign-in limit is per (account, client address): someone who knows the admin's email
 * cannot lock the admin out from another address. Developer sign-ups are limited per address.
 * Different loopback addresses (127.0.0.x) stand for different clients.
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
  return postFrom(localAddress, path, { email, password }).then((answer) => answer.status);
}

function postFrom(localAddress: string, path: string, json: unknown): Promise<{ status: number; retryAfter: string | undefined; body: string }> {
  const url = new URL(`${portico.managementUrl}${path}`);
  const body = JSON.stringify(json);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: url.port, path: url.pathname, method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), origin: url.origin } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body: Buffer.concat(chunks).toString('utf8') }));
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

describe('developer sign-up throttle', () => {
  const signUp = (from: string, n: string) => postFrom(from, '/developer/api/signup', { email: `signup-${n}@example.com`, firstName: 'S', lastName: 'U', password: 'Sign-up-passw0rd' });

  test('ten sign-ups an hour per client address, a taken email counting too; then 429 TooManySignUps with Retry-After; another address may still sign up', async () => {
    for (let i = 0; i < 9; i++) expect((await signUp('127.0.0.11', `a${i}`)).status).toBe(201);
    expect((await signUp('127.0.0.11', 'a0')).status).toBe(409);
    const refused = await signUp('127.0.0.11', 'a10');
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    const error = (JSON.parse(refused.body) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('TooManySignUps');
    expect(error.message).toMatch(/^Too many sign-ups from this address \(at most 10 an hour\)\. Wait \d+ seconds, then try again, or ask an administrator to create your account\.$/);
    expect((await signUp('127.0.0.12', 'b0')).status).toBe(201);
  });
});
