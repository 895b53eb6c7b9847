// Many nodes (issue 10): throughput through N = 1, 2, 3 gateway nodes and the revocation
// confirmation delay, on PostgreSQL, every node its own process:
//   PostgreSQL  BENCH_DATABASE_URL, else a throwaway server (initdb + pg_ctl from
//               /usr/lib/postgresql/*/bin, as .ci/run starts one; durability off);
//   Redis       a throwaway redis-server when installed (BENCH_REDIS=off: none), so the product's
//               rate limit and quota are counted in Redis, shared by the nodes;
//   management  `portico start --only management,identity` (first start, API and products made
//               through its management API, pointing at the external backend);
//   gateways    `portico start --only gateway`, each on its own port, same PostgreSQL and Redis;
//   backend     bench/echo-backend.mjs;
//   load        one wrk per gateway node (or bench/load-worker.mjs without wrk), connections split
//               evenly, all at once (a load balancer's even spread, without the balancer's own cost).
// For each N: a 2 s warm-up, then BENCH_SECONDS of load with a subscription key on a product with rate limit + quota far
// above what a run sends (so every call asks the counters); during the load, BENCH_REVOCATIONS
// revocations one after another: a subscription whose key works on every node is deleted, and
// `GET …/configurationStatus?version=<the DELETE's x-portico-config-version>&timeout=10` waits until
// every live gateway node reports it has applied that version; the delay is from the DELETE's answer
// to that confirmation. Then every node is asked with the revoked key: all must answer 401.
// Prints req/s (total and per node), p50/p99 latency and the confirmation delay p50/p99 per N.
// Run: npm run build && node bench/multinode.mjs
//   BENCH_NODES=1,2,3 BENCH_SECONDS=5 BENCH_CONNECTIONS=32 BENCH_REVOCATIONS=20 BENCH_DATABASE_URL=postgres://…
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findWrk, load as loadRun } from './lib/load.mjs';
import { cpuSeconds, freePort, lineMatching, start, stopAll } from './lib/processes.mjs';
import { managementClient, UnexpectedAnswer } from './lib/portico-api.mjs';
import { percentile } from './lib/stats.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const nodeCounts = (process.env.BENCH_NODES ?? '1,2,3').split(',').map((s) => Number(s.trim()));
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const revocations = Number(process.env.BENCH_REVOCATIONS ?? 20);
const PATH = '/resource?param1=sample';
const BIN = process.env.PORTICO_BIN ?? here('../bin/portico.js');
const WARM_UP_SECONDS = 2;

const temps = [];
const cleanups = [];
let exitCode = 0;
try {
  // Node roles (`--only`, PORTICO_ONLY) are in the build when its configuration has them.
  const { loadConfig } = await import(new URL('../dist/config/index.js', new URL(`file://${BIN}`)).href);
  if (!('roles' in loadConfig({}))) {
    console.log('multinode: skipped — this build has no node roles (PORTICO_ONLY / --only).');
    process.exit(0);
  }
  const wrk = findWrk();
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? (await startPostgres());
  const redisUrl = process.env.BENCH_REDIS === 'off' ? undefined : await startRedis();
  const shared = {
    PORTICO_DATABASE_URL: databaseUrl,
    PORTICO_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    PORTICO_LOG_LEVEL: process.env.PORTICO_LOG_LEVEL ?? 'info',
    PORTICO_LOG_FORMAT: 'json',
    ...(redisUrl ? { PORTICO_REDIS_URL: redisUrl, PORTICO_REDIS_COMMAND_TIMEOUT_MS: '200' } : {}),
  };
  console.log(`multinode: PostgreSQL ${process.env.BENCH_DATABASE_URL ? '(BENCH_DATABASE_URL)' : '(throwaway)'}; counters ${redisUrl ? 'in Redis (throwaway redis-server)' : 'in each node (no Redis)'}; load ${wrk ? 'wrk' : 'bench/load-worker.mjs'}, ${connections} connections split across the nodes`);

  const backend = start('backend', process.execPath, [here('./echo-backend.mjs')]);
  const backendUrl = (await lineMatching(backend, /^http:\/\//)).trim();

  const managementDir = await tempDir('portico-bench-mgmt-');
  const management = start('management', process.execPath, [BIN, 'start'], {
    ...shared,
    PORTICO_ONLY: 'management,identity',
    PORTICO_DATA_DIR: managementDir,
    PORTICO_MANAGEMENT_PORT: '0', PORTICO_IDENTITY_PORT: '0', PORTICO_ECHO_PORT: '0', PORTICO_GATEWAY_PORT: '0',
  }, { bannerOnStderr: true, prefix: true });
  await lineMatching(management, /^\s+credentials\s/);
  const api = await managementClient(managementDir);
  const key = await configure(api, backendUrl);

  const gateways = [];
  const rows = [];
  for (const count of nodeCounts) {
    while (gateways.length < count) gateways.push(await startGateway(shared, gateways.length + 1));
    const nodes = gateways.slice(0, count);
    // Every node answers the key before the run (its snapshot has the configuration).
    for (const node of nodes) await expectStatus(`${node.url}/bench${PATH}`, { 'ocp-apim-subscription-key': key }, 200);
    // Warm-up (JIT, connection pools), not measured.
    await Promise.all(nodes.map((node) => load(wrk, `${node.url}/bench${PATH}`, { 'ocp-apim-subscription-key': key }, 4, WARM_UP_SECONDS)));
    const startedCpu = nodes.map((node) => cpuSeconds(node.child.pid));
    const [results, delays] = await Promise.all([
      Promise.all(nodes.map((node, i) => load(wrk, `${node.url}/bench${PATH}`, { 'ocp-apim-subscription-key': key }, Math.max(1, Math.floor(connections / count) + (i < connections % count ? 1 : 0))))),
      revokeRepeatedly(api, nodes),
    ]);
    const unexpected = results.flatMap((r) => Object.entries(r.statuses).filter(([status]) => status !== '200'));
    if (unexpected.length > 0 || results.some((r) => r.errors > 0)) throw new UnexpectedAnswer(`N=${count}: unexpected answers ${JSON.stringify(unexpected)}, socket errors ${results.map((r) => r.errors).join('/')}`);
    const cpu = nodes.map((node, i) => cpuSeconds(node.child.pid) - startedCpu[i]);
    rows.push({
      nodes: count,
      rps: results.reduce((sum, r) => sum + r.rps, 0),
      perNode: results.map((r) => r.rps),
      p50: Math.max(...results.map((r) => r.p50)),
      p99: Math.max(...results.map((r) => r.p99)),
      cpuPerNode: cpu,
      delayP50: percentile(delays, 50),
      delayP99: percentile(delays, 99),
      delayMax: Math.max(...delays),
      revocations: delays.length,
    });
    const row = rows.at(-1);
    console.log(`N=${count}: ${row.rps.toFixed(0)} req/s (${row.perNode.map((r) => r.toFixed(0)).join(' + ')}), p50 ${row.p50.toFixed(2)} ms, p99 ${row.p99.toFixed(2)} ms; revocation confirmed on every node: p50 ${row.delayP50.toFixed(0)} ms, p99 ${row.delayP99.toFixed(0)} ms (max ${row.delayMax.toFixed(0)}, ${row.revocations} revocations)`);
  }

  console.log('\n| gateway nodes | req/s (total) | req/s per node | p50 ms | p99 ms | gateway CPU s per node | revocation confirmed p50 ms | p99 ms |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of rows) {
    console.log(`| ${row.nodes} | ${row.rps.toFixed(0)} | ${row.perNode.map((r) => r.toFixed(0)).join(' / ')} | ${row.p50.toFixed(2)} | ${row.p99.toFixed(2)} | ${row.cpuPerNode.map((c) => c.toFixed(1)).join(' / ')} | ${row.delayP50.toFixed(0)} | ${row.delayP99.toFixed(0)} |`);
  }
} catch (error) {
  exitCode = 1;
  console.error(error instanceof UnexpectedAnswer ? `multinode: ${error.message}` : error);
} finally {
  await stopAll();
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
  process.exit(exitCode);
}

async function startGateway(shared, index) {
  const dataDir = await tempDir(`portico-bench-gw${index}-`);
  const port = await freePort();
  const child = start(`gateway-${index}`, process.execPath, [BIN, 'start'], { ...shared, PORTICO_ONLY: 'gateway', PORTICO_DATA_DIR: dataDir, PORTICO_GATEWAY_PORT: String(port) }, { bannerOnStderr: true, prefix: true });
  const url = `http://127.0.0.1:${port}`;
  // Up when /readyz says so (snapshot loaded, feed connected).
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`gateway-${index} exited with ${child.exitCode}`);
    const ready = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
    if (ready) break;
    if (attempt > 600) throw new Error(`gateway-${index} not ready after 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, url };
}

/**
 * Revocations one after another while the load runs: a new subscription (its key answered on every
 * node), DELETE it, and wait on configurationStatus for the DELETE's version; then the revoked key
 * is refused by every node. Returns the confirmation delays (ms).
 */
async function revokeRepeatedly(api, nodes) {
  const delays = [];
  const run = Date.now().toString(36);
  // Let the load get going first.
  await new Promise((resolve) => setTimeout(resolve, Math.min(1000, (seconds * 1000) / 5)));
  for (let i = 0; i < revocations; i++) {
    const id = `rev-${run}-${i}`;
    await api.expect('PUT', `/subscriptions/${id}`, { properties: { displayName: id, scope: '/products/bench-keys', ownerId: '/users/bench-owner', state: 'active' } }, [201]);
    const revokedKey = (await api.call('POST', `/subscriptions/${id}/listSecrets`, undefined, [200])).body.primaryKey;
    for (const node of nodes) await eventually(`${node.url}/bench${PATH}`, { 'ocp-apim-subscription-key': revokedKey }, 200);
    const deleted = await api.call('DELETE', `/subscriptions/${id}`, undefined, [200], { 'if-match': '*' });
    const answeredAt = performance.now();
    const version = Number(deleted.headers.get('x-portico-config-version'));
    if (!Number.isInteger(version) || version <= 0) throw new UnexpectedAnswer(`DELETE subscription: no x-portico-config-version header (got ${deleted.headers.get('x-portico-config-version')})`);
    const status = (await api.call('GET', `/configurationStatus?version=${version}&timeout=10`, undefined, [200])).body;
    const confirmedAt = performance.now();
    const gatewayNodes = status.nodes.filter((node) => node.roles.includes('gateway'));
    if (!status.complete || gatewayNodes.length < nodes.length) throw new UnexpectedAnswer(`configurationStatus for version ${version}: ${JSON.stringify(status).slice(0, 600)}`);
    delays.push(confirmedAt - answeredAt);
    for (const node of nodes) await expectStatus(`${node.url}/bench${PATH}`, { 'ocp-apim-subscription-key': revokedKey }, 401);
  }
  return delays;
}

/** Through the management API: API `bench` → the external backend, in product bench-keys (rate limit + quota no run reaches). */
async function configure(api, backendUrl) {
  await api.expect('PUT', '/users/bench-owner', { properties: { email: 'bench-owner@bench.test', firstName: 'Bench', lastName: 'Owner' } }, [200, 201]);
  await api.expect('PUT', '/products/bench-keys', { properties: { displayName: 'bench-keys', subscriptionRequired: true, approvalRequired: false, state: 'published' } }, [200, 201]);
  await api.expect('PUT', '/products/bench-keys/policies/policy', { properties: { format: 'rawxml', value: '<policies><inbound><rate-limit calls="1000000000" renewal-period="60" /><quota calls="2000000000" renewal-period="604800" /></inbound></policies>' } }, [200, 201]);
  await api.expect('PUT', '/apis/bench', { properties: { displayName: 'bench', path: 'bench', serviceUrl: `${backendUrl}/api`, protocols: ['http', 'https'] } }, [200, 201]);
  await api.expect('PUT', '/apis/bench/operations/get-resource', { properties: { displayName: 'Get resource', method: 'GET', urlTemplate: '/resource' } }, [200, 201]);
  await api.expect('PUT', '/products/bench-keys/apis/bench', undefined, [200, 201]);
  await api.expect('PUT', '/subscriptions/bench-key', { properties: { displayName: 'bench-key', scope: '/products/bench-keys', ownerId: '/users/bench-owner', state: 'active' } }, [200, 201]);
  return (await api.call('POST', '/subscriptions/bench-key/listSecrets', undefined, [200])).body.primaryKey;
}

async function startPostgres() {
  const bin = ['/usr/lib/postgresql'].flatMap((root) => (existsSync(root) ? readdirSync(root).map((v) => join(root, v, 'bin')) : [])).find((dir) => existsSync(join(dir, 'initdb')));
  if (!bin) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql/*/bin: set BENCH_DATABASE_URL');
  const dir = await tempDir('portico-bench-pg-');
  const port = await freePort();
  // initdb refuses root: run the server as postgres then, as .ci/run does.
  const asUser = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  if (asUser.length > 0) {
    const { uid, gid } = userIds('postgres');
    await chown(dir, uid, gid);
  }
  const run = (args) => {
    const [command, ...rest] = [...asUser, ...args];
    const result = spawnSync(command, rest, { cwd: '/', encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${args[0]} failed: ${result.stderr}${result.stdout}`);
  };
  run([join(bin, 'initdb'), '-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres']);
  run([join(bin, 'pg_ctl'), '-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', 'start', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`]);
  cleanups.push(async () => run([join(bin, 'pg_ctl'), '-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop']));
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
}

function userIds(name) {
  const result = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  return { uid: Number(result.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

async function startRedis() {
  const server = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((path) => existsSync(path));
  if (!server) {
    console.log('redis-server is not installed: counters stay in each node (each splits the limit)');
    return undefined;
  }
  const port = await freePort();
  const child = start('redis', server, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  await lineMatching(child, /Ready to accept connections/);
  return `redis://127.0.0.1:${port}/0`;
}

function load(wrk, url, headers, conns, duration = seconds) {
  return loadRun({ wrk, url, headers, connections: conns, seconds: duration });
}

async function expectStatus(url, headers, status) {
  const response = await fetch(url, { headers });
  const text = await response.text();
  if (response.status !== status) throw new UnexpectedAnswer(`GET ${url}: ${response.status} (want ${status}) ${text.slice(0, 300)}`);
}

/** A new subscription reaches a node through the feed: retried briefly until the node answers `status`. */
async function eventually(url, headers, status) {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(url, { headers });
    await response.arrayBuffer();
    if (response.status === status) return;
    if (attempt > 200) throw new UnexpectedAnswer(`GET ${url}: ${response.status} (want ${status}) after 200 tries`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function tempDir(prefix) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

