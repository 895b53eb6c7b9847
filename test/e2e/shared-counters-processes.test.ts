/**
 * Issue 10's exactness across processes, on the built program: three gateway processes
 * (`portico start --workers 3`, each a separate process with its own counters client) share one
 * product's 5 calls a minute. With Redis exactly 5 calls pass, whichever process takes them; without
 * Redis each process counts its share (floor(5 / 3) = 1), so at most 5 pass — here 3, one per process.
 * Requests go on fresh connections, which the primary hands to the workers in turn.
 * Needs the build (`npm test` builds first).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startPorticoProcess, type PorticoProcess } from '../helpers/portico-process.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

const PROCESSES = 3;
const freshConnections = new Agent({ pipelining: 0 });

type Started = PorticoProcess;

/** `portico start --workers 3` in a data directory of its own, removed when it stops. */
async function startWithWorkers(env: Record<string, string>): Promise<Started> {
  const dataDir = await mkdtemp(join(tmpdir(), 'portico-counters-'));
  const started = await startPorticoProcess({ dataDir, args: ['--workers', String(PROCESSES)], env: { PORTICO_REDIS_URL: '', PORTICO_GATEWAY_NODES: '', ...env } });
  return {
    ...started,
    async stop() {
      await started.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** `times` calls to the Echo API with `key`, one after another on fresh connections. */
async function callStarter(started: Started, key: string, tag: string, times: number): Promise<{ status: number; id: string }[]> {
  const results: { status: number; id: string }[] = [];
  for (let i = 0; i < times; i++) {
    const id = `${tag}-${i}`;
    const response = await request(`${started.credentials.gatewayUrl}/echo/resource?param1=sample`, {
      headers: { 'ocp-apim-subscription-key': key, 'x-request-id': id, connection: 'close' },
      dispatcher: freshConnections,
    });
    await response.body.dump();
    results.push({ status: response.statusCode, id });
  }
  return results;
}

/** The worker pid that answered each request id (the access log's `worker`), waiting for the batched log writes. */
async function workersOf(started: Started, ids: string[]): Promise<Set<number>> {
  const pids = new Map<string, number>();
  for (let attempt = 0; attempt < 100 && pids.size < ids.length; attempt++) {
    for (const line of started.stdout) {
      if (!line.startsWith('{') || !line.includes('"gateway request"')) continue;
      const entry = JSON.parse(line) as { reqId?: string; worker?: number };
      if (entry.reqId !== undefined && ids.includes(entry.reqId) && entry.worker !== undefined) pids.set(entry.reqId, entry.worker);
    }
    if (pids.size < ids.length) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(pids.size).toBe(ids.length);
  return new Set(pids.values());
}

async function starterKey(started: Started, id: string): Promise<string> {
  expect((await started.admin.call('PUT', `/subscriptions/${id}`, { properties: { scope: '/products/starter', displayName: id, state: 'active' } })).status).toBe(201);
  return (await started.admin.call('POST', `/subscriptions/${id}/listSecrets`)).body.primaryKey as string;
}

afterAll(async () => {
  await freshConnections.close();
});

describe('three gateway processes with Redis', () => {
  let redis: TestRedis;
  let started: Started;
  beforeAll(async () => {
    redis = await startRedis();
    // A generous command timeout: this machine is shared, and a timed-out take would pass uncounted.
    started = await startWithWorkers({ PORTICO_REDIS_URL: redis.url, PORTICO_REDIS_COMMAND_TIMEOUT_MS: '2000' });
  }, 120_000);
  afterAll(async () => {
    await started?.stop();
    await redis?.stop();
  });

  test("share Starter's 5 calls a minute exactly: 5 pass across the processes, the rest get 429", async () => {
    const key = await starterKey(started, 'shared');
    const results = await callStarter(started, key, 'redis', 12);
    expect(results.map((r) => r.status)).toEqual([...Array(5).fill(200), ...Array(7).fill(429)]);
    // Every process took part: the calls that passed came from all three.
    expect((await workersOf(started, results.slice(0, 5).map((r) => r.id))).size).toBe(PROCESSES);
    expect((await workersOf(started, results.map((r) => r.id))).size).toBe(PROCESSES);
  });
});

describe('three gateway processes without Redis', () => {
  let started: Started;
  beforeAll(async () => {
    started = await startWithWorkers({});
  }, 120_000);
  afterAll(async () => {
    await started?.stop();
  });

  test('each counts floor(5 / 3) = 1 of Starter\'s 5 calls a minute: never more than 5 pass', async () => {
    const key = await starterKey(started, 'split');
    const results = await callStarter(started, key, 'split', 9);
    const passed = results.filter((r) => r.status === 200);
    expect(passed).toHaveLength(PROCESSES);
    expect(results.filter((r) => r.status === 429)).toHaveLength(9 - PROCESSES);
    expect((await workersOf(started, passed.map((r) => r.id))).size).toBe(PROCESSES);
  });
});
