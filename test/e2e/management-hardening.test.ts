/** The management API checks roles live and never builds links from the Host header. */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { ManagementClient, API_VERSION } from '../helpers/clients.js';
import { openStore } from '../../src/store/index.js';

let portico: Booted;
let admin: ManagementClient;

beforeAll(async () => {
  portico = await bootPortico();
  admin = new ManagementClient(portico.credentials);
});
afterAll(async () => {
  await portico?.stop();
});

test('nextLink uses the listener URL even when the Host header says otherwise', async () => {
  const url = new URL(`${portico.managementUrl}${admin.servicePath}/products?api-version=${API_VERSION}&$top=1`);
  const token = await admin.bearer();
  const body = await new Promise<string>((resolve, reject) => {
    const req = httpRequest(url, { headers: { host: 'attacker.example', authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk)).on('end', () => resolve(text));
    });
    req.on('error', reject).end();
  });
  const nextLink = JSON.parse(body).nextLink as string;
  expect(new URL(nextLink).origin).toBe(portico.managementUrl);
});

test('taking the admin\'s management role away refuses its very next call, with the same token', async () => {
  expect((await admin.call('GET', '/products')).status).toBe(200);
  const store = await openStore({ dataDir: portico.dataDir });
  try {
    const adminApp = await store.directory.getServicePrincipalByAppId(portico.credentials.admin.clientId);
    for (const assignment of await store.directory.listAppRoleAssignments({ principalId: adminApp!.id })) {
      await store.directory.deleteAppRoleAssignment(assignment.id);
    }
  } finally {
    await store.close();
  }
  const refused = await admin.call('GET', '/products');
  expect(refused.status).toBe(403);
  expect(refused.body.error.code).toBe('AuthorizationFailed');
});
