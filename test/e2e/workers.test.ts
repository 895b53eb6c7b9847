/**
 * `portico start --workers 2` as a user runs it (the built program in a child process): two gateway
 * processes share the gateway port, each answers proxied calls, and a revocation through the
 * management API holds on the next request in every worker. Requests go on fresh connections
 * (the primary hands connections to the workers in turn), and the access log's `worker` field shows
 * which process answered. Needs the build (`npm test` builds first).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { CredentialsFile } from '../../src/bootstrap/credentials-file.js';
import { requestToken, type ManagementClient } from '../helpers/clients.js';
import { startPorticoProcess, type PorticoProcess } from '../helpers/portico-process.js';

const WORKERS = 2;
/** Requests per check: with connections handed out in turn, each worker gets several. */
const CALLS = 8;

let dataDir: string;
let portico: PorticoProcess;
let child: PorticoProcess['child'];
let stdout: string[];
let credentials: CredentialsFile;
let admin: ManagementClient;
let key: string;
// A fresh connection per request: keep-alive would pin every call to one worker.
const freshConnections = new Agent({ pipelining: 0 });

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'portico-workers-'));
  portico = await startPorticoProcess({ dataDir, args: ['--workers', String(WORKERS)] });
  ({ child, stdout, credentials, admin } = portico);
  expect((await admin.call('PUT', '/users/wendy', { properties: { email: 'wendy@example.com', firstName: 'Wendy', lastName: 'Worker' } })).status).toBe(201);
  expect((await admin.call('PUT', '/subscriptions/wendy-unlimited', { properties: { scope: '/products/unlimited', displayName: 'Wendy', ownerId: '/users/wendy', state: 'active' } })).status).toBe(201);
  key = (await admin.call('POST', '/subscriptions/wendy-unlimited/listSecrets')).body.primaryKey;
}, 120_000);

afterAll(async () => {
  await portico?.stop();
  await freshConnections.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** CALLS requests on fresh connections, each with its own request id; resolves with their statuses. */
async function calls(tag: string): Promise<{ statuses: number[]; ids: string[] }> {
  const statuses: number[] = [];
  const ids: string[] = [];
  for (let i = 0; i < CALLS; i++) {
    const id = `${tag}-${i}`;
    const response = await request(`${credentials.gatewayUrl}/echo/resource?param1=sample`, {
      headers: { 'ocp-apim-subscription-key': key, 'x-request-id': id, connection: 'close' },
      dispatcher: freshConnections,
    });
    await response.body.dump();
    statuses.push(response.statusCode);
    ids.push(id);
  }
  return { statuses, ids };
}

/** The worker pid of each request's access-log line; waits for the workers' batched log writes. */
async function workersOf(ids: string[]): Promise<Set<number>> {
  const pids = new Map<string, number>();
  for (let attempt = 0; attempt < 100 && pids.size < ids.length; attempt++) {
    for (const line of stdout) {
      if (!line.startsWith('{') || !line.includes('"gateway request"')) continue;
      const entry = JSON.parse(line) as { reqId?: string; worker?: number };
      if (entry.reqId !== undefined && ids.includes(entry.reqId) && entry.worker !== undefined) pids.set(entry.reqId, entry.worker);
    }
    if (pids.size < ids.length) await new Promise((resolve) => setTimeout(resolve, 100)); // log lines are flushed at least every second
  }
  expect(pids.size).toBe(ids.length);
  return new Set(pids.values());
}

test('every worker answers proxied requests', async () => {
  const { statuses, ids } = await calls('before');
  expect(statuses).toEqual(Array(CALLS).fill(200));
  const pids = await workersOf(ids);
  expect(pids.size).toBe(WORKERS);
  expect(pids.has(child.pid!)).toBe(false); // the primary serves no gateway requests itself
});

test('a revocation through the management API holds on the next request in every worker', async () => {
  const deleted = await admin.call('DELETE', '/subscriptions/wendy-unlimited', undefined, { 'if-match': '*' });
  expect(deleted.status).toBe(200);
  const { statuses, ids } = await calls('after');
  expect(statuses).toEqual(Array(CALLS).fill(401));
  expect((await workersOf(ids)).size).toBe(WORKERS);
});

test('/metrics merges the workers: their gateway requests, one snapshot version', async () => {
  const count = (text: string, product: string, statusClass: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`portico_gateway_requests_total{api="echo-api",operation="retrieve-resource",product="${product}",status_class="${statusClass}"} `));
    return line === undefined ? 0 : Number(line.split(' ').pop());
  };
  let text = '';
  // A worker counts a request when its response has closed, which may trail the client by a moment.
  for (let attempt = 0; attempt < 20; attempt++) {
    text = await (await fetch(`${credentials.managementUrl}/metrics`)).text();
    if (count(text, 'unlimited', '2xx') === CALLS && count(text, '', '4xx') === CALLS) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(count(text, 'unlimited', '2xx')).toBe(CALLS);
  expect(count(text, '', '4xx')).toBe(CALLS);
  expect(Number(/^portico_gateway_snapshot_version (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
  expect(text.match(/^portico_gateway_snapshot_version /gm)).toHaveLength(1);
});

test("a worker's refusal of a revoked application's token reaches the audit log through the primary", async () => {
  expect((await admin.call('PATCH', '/products/starter', { properties: { authenticationType: ['application-token'] } }, { 'if-match': '*' })).status).toBe(200);
  const app = await admin.call('PUT', '/clientApplications/wendy-app', { properties: { displayName: 'Wendy app', ownerId: '/users/wendy', productIds: ['/products/starter'] } });
  expect(app.status).toBe(201);
  const clientId = app.body.properties.entraApplicationId as string;
  const secret = (await admin.call('POST', '/clientApplications/wendy-app/listSecrets')).body.entra.clientSecret as string;
  const audience = (await admin.call('GET', '/products/starter')).body.properties.application.entra.audience as string;
  const issued = await requestToken(credentials.identityUrl, credentials.tenantId, { grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: `api://${audience}/.default` });
  expect(issued.status).toBe(200);
  const call = async () => (await request(`${credentials.gatewayUrl}/echo/resource?param1=sample`, { headers: { authorization: `Bearer ${issued.body.access_token as string}` }, dispatcher: freshConnections })).statusCode;
  expect(await call()).toBe(200);
  expect((await admin.call('DELETE', '/clientApplications/wendy-app/productLinks/starter')).status).toBe(200);
  for (let i = 0; i < CALLS; i++) expect(await call()).toBe(401);
  // Workers send refusals over IPC; the primary's queue writes them about once a second.
  const filter = `?$filter=${encodeURIComponent("operation eq 'gateway.tokenRefused'")}`;
  let refused = (await admin.call('GET', `/auditEvents${filter}`)).body.value as { properties: Record<string, unknown> }[];
  while (refused.length === 0) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    refused = (await admin.call('GET', `/auditEvents${filter}`)).body.value;
  }
  expect(refused[0]!.properties).toMatchObject({ outcome: 'failure', status: 401, details: { reason: 'notLinked', appId: clientId } });
});
