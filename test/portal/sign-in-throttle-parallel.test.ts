/**
 * The sign-in throttle holds against parallel guesses: each try is counted before the password
 * hashing awaits, so a burst sent at once gets the same five evaluated tries as one sent in turn.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { ManagementClient } from '../helpers/clients.js';

let portico: Booted;
let admin: ManagementClient;

beforeAll(async () => {
  portico = await bootPortico();
  admin = new ManagementClient(portico.credentials);
  for (const id of ['burst-admin', 'burst-dev']) {
    expect((await admin.call('PUT', `/users/${id}`, { properties: { email: `${id}@example.com`, firstName: 'B', lastName: 'B', password: 'Burst-passw0rd!' } })).status).toBe(201);
  }
});
afterAll(async () => portico?.stop());

async function burst(path: string, email: string): Promise<number[]> {
  const tries = Array.from({ length: 8 }, (_, i) =>
    fetch(`${portico.managementUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: `wrong-${i}` }) }).then(async (r) => {
      await r.arrayBuffer();
      return r.status;
    }),
  );
  return (await Promise.all(tries)).sort();
}

describe('sign-in throttle under parallel tries', () => {
  test('admin portal: 8 wrong passwords sent at once, 5 are checked (401) and 3 refused (429)', async () => {
    expect(await burst('/portal/api/admin/session', 'burst-admin@example.com')).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
  });

  test('developer portal: 8 wrong passwords sent at once, 5 are checked (401) and 3 refused (429)', async () => {
    expect(await burst('/developer/api/signin', 'burst-dev@example.com')).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
  });
});
