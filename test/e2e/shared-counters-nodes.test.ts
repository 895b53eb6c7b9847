/**
 * Issue 10's acceptance for counters on real nodes: PostgreSQL, one management node
 * (`portico start --only management,identity`) and three gateway nodes (`--only gateway`), each the
 * built program in its own process. With Redis, Starter's 5 calls a minute are exact across the three
 * nodes (calls spread over them in turn); without Redis and with PORTICO_GATEWAY_NODES=3, each node
 * allows floor(5 / 3) = 1, so never more than 5 pass. Runs when PORTICO_TEST_DATABASE_URL is set and
 * this build has node roles (PORTICO_ONLY). Needs the build (`npm test` builds first).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CredentialsFile } from '../../src/bootstrap/credentials-file.js';
import { loadConfig } from '../../src/config/index.js';
import { ManagementClient } from '../helpers/clients.js';
import { createTestDatabase, POSTGRES_URL, type TestDatabase } from '../helpers/databases.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

const BIN = new URL('../../bin/portico.js', import.meta.url).pathname;
const GATEWAYS = 3;
// Roles (`--only`, PORTICO_ONLY) are in this build when its configuration has them.
const hasRoles = 'roles' in loadConfig({});
const runs = POSTGRES_URL !== undefined && hasRoles;

interface Node {
  readonly child: ChildProcessWithoutNullStreams;
  readonly dataDir: string;
  readonly output: string[];
}

interface Cluster {
  readonly credentials: CredentialsFile;
  readonly admin: ManagementClient;
  readonly gatewayUrls: string[];
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function startNode(env: Record<string, string>, dataDir: string): Node {
  const child = spawn(process.execPath, [BIN, 'start'], { env: { ...process.env, PORTICO_DATA_DIR: dataDir, PORTICO_LOG_LEVEL: 'info', ...env } });
  const output: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  return { child, dataDir, output };
}

async function until(node: Node, ready: () => Promise<boolean>): Promise<void> {
  while (!(await ready().catch(() => false))) {
    if (node.child.exitCode !== null) throw new Error(`a node exited with ${node.child.exitCode}: ${node.output.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function startCluster(database: TestDatabase, extra: Record<string, string>): Promise<Cluster> {
  const nodes: Node[] = [];
  const shared = {
    PORTICO_DATABASE_URL: database.databaseUrl!,
    PORTICO_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    PORTICO_REDIS_URL: '',
    PORTICO_GATEWAY_NODES: '',
    PORTICO_WORKERS: '0',
    ...extra,
  };
  const stop = async (): Promise<void> => {
    for (const node of nodes.reverse()) {
      if (node.child.exitCode === null) {
        const exited = new Promise((resolve) => node.child.once('exit', resolve));
        node.child.kill('SIGTERM');
        await exited;
      }
      await rm(node.dataDir, { recursive: true, force: true });
    }
  };
  try {
    const managementDir = await mkdtemp(join(tmpdir(), 'portico-nodes-mgmt-'));
    const management = startNode({ ...shared, PORTICO_ONLY: 'management,identity', PORTICO_MANAGEMENT_PORT: '0', PORTICO_IDENTITY_PORT: '0', PORTICO_ECHO_PORT: '0', PORTICO_GATEWAY_PORT: '0' }, managementDir);
    nodes.push(management);
    await until(management, async () => management.output.join('').includes('  credentials '));
    const credentials = JSON.parse(await readFile(join(managementDir, 'credentials.json'), 'utf8')) as CredentialsFile;
    const gatewayUrls: string[] = [];
    for (let i = 0; i < GATEWAYS; i++) {
      const port = await freePort();
      const node = startNode({ ...shared, PORTICO_ONLY: 'gateway', PORTICO_GATEWAY_PORT: String(port) }, await mkdtemp(join(tmpdir(), `portico-nodes-gw${i}-`)));
      nodes.push(node);
      const url = `http://127.0.0.1:${port}`;
      await until(node, async () => (await fetch(`${url}/readyz`)).status === 200);
      gatewayUrls.push(url);
    }
    return { credentials, admin: new ManagementClient(credentials), gatewayUrls, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A new Starter subscription's key, once every gateway node answers it (the change has reached them). */
async function starterKey(cluster: Cluster, id: string): Promise<string> {
  expect((await cluster.admin.call('PUT', `/subscriptions/${id}`, { properties: { scope: '/products/starter', displayName: id, state: 'active' } })).status).toBe(201);
  return (await cluster.admin.call('POST', `/subscriptions/${id}/listSecrets`)).body.primaryKey as string;
}

/** `times` calls, spread over the gateway nodes in turn (a round-robin load balancer). */
async function callInTurn(cluster: Cluster, key: string, times: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) {
    const response = await fetch(`${cluster.gatewayUrls[i % cluster.gatewayUrls.length]}/echo/resource?param1=sample`, { headers: { 'ocp-apim-subscription-key': key } });
    await response.arrayBuffer();
    statuses.push(response.status);
  }
  return statuses;
}

/** The first call on each node, retried while the node has not applied the subscription yet (401). */
async function firstCallOnEveryNode(cluster: Cluster, key: string): Promise<number[]> {
  const statuses: number[] = [];
  for (const url of cluster.gatewayUrls) {
    for (;;) {
      const response = await fetch(`${url}/echo/resource?param1=sample`, { headers: { 'ocp-apim-subscription-key': key } });
      await response.arrayBuffer();
      if (response.status !== 401) {
        statuses.push(response.status);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  return statuses;
}

describe.skipIf(!runs)('three gateway nodes on PostgreSQL share Starter\'s limits', () => {
  describe('with Redis', () => {
    let database: TestDatabase;
    let redis: TestRedis;
    let cluster: Cluster;
    beforeAll(async () => {
      database = await createTestDatabase('postgres');
      redis = await startRedis();
      cluster = await startCluster(database, { PORTICO_REDIS_URL: redis.url, PORTICO_REDIS_COMMAND_TIMEOUT_MS: '2000' });
    }, 180_000);
    afterAll(async () => {
      await cluster?.stop();
      await redis?.stop();
      await database?.drop();
    });

    test('exactly 5 calls pass across the three nodes, the rest get 429', async () => {
      const key = await starterKey(cluster, 'nodes-redis');
      const first = await firstCallOnEveryNode(cluster, key); // one counted call on each node
      expect(first).toEqual([200, 200, 200]);
      expect(await callInTurn(cluster, key, 9)).toEqual([200, 200, 429, 429, 429, 429, 429, 429, 429]);
    });
  });

  describe('without Redis, PORTICO_GATEWAY_NODES=3', () => {
    let database: TestDatabase;
    let cluster: Cluster;
    beforeAll(async () => {
      database = await createTestDatabase('postgres');
      cluster = await startCluster(database, { PORTICO_GATEWAY_NODES: String(GATEWAYS) });
    }, 180_000);
    afterAll(async () => {
      await cluster?.stop();
      await database?.drop();
    });

    test('each node allows floor(5 / 3) = 1: 3 pass in all, never more than 5', async () => {
      const key = await starterKey(cluster, 'nodes-split');
      expect(await firstCallOnEveryNode(cluster, key)).toEqual([200, 200, 200]);
      expect(await callInTurn(cluster, key, 6)).toEqual(Array(6).fill(429));
    });
  });
});
