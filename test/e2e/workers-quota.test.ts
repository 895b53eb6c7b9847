/**
 * Issue 7: with `portico start --workers 2` exactly one process persists quota counts. Each worker
 * counts the calls it serves and reports them to the primary, which sums them and writes the
 * totals; after a restart the quota count is the sum of what every worker served (with every
 * worker writing its own count, the last writer's half would have been kept). The built program
 * in a child process; calls go on fresh connections so the primary hands them to both workers in
 * turn, and the access log's `worker` field shows which process answered. Needs the build.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startPorticoProcess, type PorticoProcess } from '../helpers/portico-process.js';

const QUOTA = 6;

let dataDir: string;
let running: PorticoProcess | undefined;
// A fresh connection per request: keep-alive would pin every call to one worker.
const freshConnections = new Agent({ pipelining: 0 });

function start(): Promise<PorticoProcess> {
  return startPorticoProcess({ dataDir, args: ['--workers', '2'] });
}

async function stop(): Promise<void> {
  const current = running;
  running = undefined;
  await current?.stop(); // a graceful stop: the workers report their last calls, the primary writes
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'portico-workers-quota-'));
}, 10_000);

afterAll(async () => {
  await stop();
  await freshConnections.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

test('calls served by both workers are summed into one persisted quota count that survives a restart', async () => {
  running = await start();
  const admin = running.admin;
  expect((await admin.call('PUT', '/products/metered', { properties: { displayName: 'Metered', state: 'published' } })).status).toBe(201);
  expect((await admin.call('PUT', '/products/metered/apis/echo-api')).status).toBe(201);
  const value = `<policies><inbound><quota calls="${QUOTA}" renewal-period="86400" /><base /></inbound></policies>`;
  expect((await admin.call('PUT', '/products/metered/policies/policy', { properties: { format: 'rawxml', value } })).status).toBe(201);
  expect((await admin.call('PUT', '/subscriptions/metered-a', { properties: { scope: '/products/metered', displayName: 'A', state: 'active' } })).status).toBe(201);
  const key = (await admin.call('POST', '/subscriptions/metered-a/listSecrets')).body.primaryKey as string;

  const call = async (gatewayUrl: string, id: string): Promise<number> => {
    const response = await request(`${gatewayUrl}/echo/resource?param1=sample`, {
      headers: { 'ocp-apim-subscription-key': key, 'x-request-id': id, connection: 'close' },
      dispatcher: freshConnections,
    });
    await response.body.dump();
    return response.statusCode;
  };

  // QUOTA calls spread over both workers: each worker alone counted fewer than QUOTA, so none refuses.
  const ids = Array.from({ length: QUOTA }, (_, i) => `quota-${i}`);
  const statuses: number[] = [];
  for (const id of ids) statuses.push(await call(running.credentials.gatewayUrl, id));
  expect(statuses).toEqual(Array(QUOTA).fill(200));
  const served = new Map<string, number>();
  for (let attempt = 0; attempt < 100 && served.size < ids.length; attempt++) {
    for (const line of running.stdout) {
      if (!line.startsWith('{') || !line.includes('"gateway request"')) continue;
      const entry = JSON.parse(line) as { reqId?: string; worker?: number };
      if (entry.reqId !== undefined && ids.includes(entry.reqId) && entry.worker !== undefined) served.set(entry.reqId, entry.worker);
    }
    if (served.size < ids.length) await new Promise((resolve) => setTimeout(resolve, 100)); // log lines are batched
  }
  expect(served.size).toBe(QUOTA);
  const perWorker = new Map<number, number>();
  for (const pid of served.values()) perWorker.set(pid, (perWorker.get(pid) ?? 0) + 1);
  expect(perWorker.size).toBe(2);
  for (const count of perWorker.values()) expect(count).toBeLessThan(QUOTA);

  // Restart: both new workers start from the summed total, so the next call is over quota.
  await stop();
  running = await start();
  for (let i = 0; i < 4; i++) {
    const response = await request(`${running.credentials.gatewayUrl}/echo/resource?param1=sample`, { headers: { 'ocp-apim-subscription-key': key }, dispatcher: freshConnections });
    expect(response.statusCode).toBe(403);
    expect(((await response.body.json()) as { message: string }).message).toMatch(/^Out of call volume quota\. Quota will be replenished in \d\d:\d\d:\d\d\.$/);
  }
}, 120_000);
