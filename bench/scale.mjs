// Costs as the data grows: the same measurements on instances holding N users, N client
// applications (each linked to Starter) and 10×N subscriptions, for each N in BENCH_SIZES.
// Per size: a fresh data directory (SQLite); Portico started once (`node bin/portico.js start`) to
// bootstrap it and turn application-token on for Starter, stopped; the data written straight through
// the store's own repositories (dist/store, batched transactions, records shaped as the management
// and directory code writes them); Portico started again (start-up time, RSS) and measured over HTTP
// with the admin's token. The load generator (bench/load-worker.mjs) runs in its own process.
// Prints a table per size and, at the end, each figure at the largest size against the smallest.
// Run: npm run build && node bench/scale.mjs
//   BENCH_SIZES=10,10000 (100000 works: ~1M subscriptions, several minutes of seeding)
//   BENCH_REQUESTS=200 (sequential requests per write/read kind)  BENCH_REVOCATIONS=20
//   BENCH_SECONDS=3 BENCH_CONNECTIONS=16 (throughput runs)  BENCH_BATCH=2000 (rows per transaction)
//   BENCH_SEED_DIR=/some/dir: keep each size's freshly seeded data directory there (size-N/) and,
//     when it is already there, copy it instead of seeding again (the copy is what the run changes).
//   BENCH_ONLY_STARTUP=1: per size, only seed (or copy), start, and print start-up time and RSS.
import { randomBytes, randomUUID } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadWorker } from './lib/load.mjs';
import { memory, startPortico, stop } from './lib/processes.mjs';
import { managementClient, tokenResponse, UnexpectedAnswer } from './lib/portico-api.mjs';

const dist = new URL('../dist/', import.meta.url);
const { openStore } = await import(new URL('store/index.js', dist).href);
const { SecretBox, sha256 } = await import(new URL('shared/index.js', dist).href);

const sizes = (process.env.BENCH_SIZES ?? '10,10000').split(',').map((s) => Number(s.trim()));
const requests = Number(process.env.BENCH_REQUESTS ?? 200);
const revocations = Number(process.env.BENCH_REVOCATIONS ?? 20);
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const batch = Number(process.env.BENCH_BATCH ?? 2000);
const seedDir = process.env.BENCH_SEED_DIR;
const onlyStartup = process.env.BENCH_ONLY_STARTUP === '1';



async function measureSize(size) {
  const dataDir = await mkdtemp(join(tmpdir(), `portico-bench-scale-${size}-`));
  let portico;
  try {
    console.log(`\n== size ${size}: ${size} users, ${size} client applications (linked to Starter), ${10 * size} subscriptions`);
    const cached = seedDir ? join(seedDir, `size-${size}`) : undefined;
    let seeded;
    let seedSeconds;
    if (cached && (await exists(join(cached, 'bench-seed.json')))) {
      // A kept seeding (BENCH_SEED_DIR): copied, so this run's writes never reach the kept one.
      const copyStarted = performance.now();
      await cp(cached, dataDir, { recursive: true });
      seeded = seedNames(JSON.parse(await readFile(join(dataDir, 'bench-seed.json'), 'utf8')).key);
      seedSeconds = NaN;
      console.log(`copied the kept seeding ${cached} in ${((performance.now() - copyStarted) / 1000).toFixed(1)} s`);
    } else {
      // 1. Bootstrap, and Starter gets its backend application (application-token on).
      portico = await startPortico({ dataDir });
      const api = await managementClient(dataDir);
      await api.expect('PATCH', '/products/starter', { properties: { authenticationType: ['subscription-key', 'application-token'] } }, 200);
      await stop(portico);

      // 2. Seed through the store's repositories while Portico is stopped (the store is single-process).
      const seedStarted = performance.now();
      seeded = await seed(dataDir, size);
      seedSeconds = (performance.now() - seedStarted) / 1000;
      console.log(`seeded in ${seedSeconds.toFixed(1)} s`);
      await writeFile(join(dataDir, 'bench-seed.json'), JSON.stringify({ key: seeded.key }), { mode: 0o600 });
      if (cached) {
        await rm(cached, { recursive: true, force: true });
        await cp(dataDir, cached, { recursive: true, filter: (path) => !path.endsWith('portico.lock') });
      }
    }

    // 3. Start again: start-up time (spawn → "credentials" line) and RSS with everything loaded.
    portico = await startPortico({ dataDir });
    const startupMs = portico.startupMs;
    const rssAfterStart = memory(portico.pid);
    const row = { size, seedSeconds, startupMs, rssAfterStart };
    if (onlyStartup) {
      console.log(`size ${size}: start-up ${startupMs.toFixed(0)} ms, RSS ${rssAfterStart.rss.toFixed(0)} MiB (peak ${rssAfterStart.peak.toFixed(0)} MiB)`);
      return row;
    }
    const api = await managementClient(dataDir);
    // Starter's default policy (5 calls a minute) would answer the throughput runs with 429: this
    // bench measures costs, not limits (npm run bench has a scenario with limits on).
    await api.expect('DELETE', '/products/starter/policies/policy', undefined, 200);

    // 4. Writes and reads, one at a time.
    const run = `r${Date.now().toString(36)}`;
    row.putUser = await timed(requests, (i) => api.expect('PUT', `/users/${run}-u${i}`, { properties: { email: `${run}-u${i}@bench.test`, firstName: 'Bench', lastName: `User ${i}` } }, 201));
    row.putClientApplication = await timed(requests, (i) =>
      api.expect('PUT', `/clientApplications/${run}-ca${i}`, { properties: { displayName: `Bench ${i}`, ownerId: `/users/${seeded.userId(i % size)}`, productIds: ['/products/starter'] } }, 201));
    // Links of seeded applications where there are enough of them (at small sizes, of the ones just created).
    const seededLinks = size >= requests + 1;
    row.deleteLinksOf = seededLinks ? 'seeded' : 'new';
    row.deleteProductLink = await timed(requests, (i) =>
      api.expect('DELETE', `/clientApplications/${seededLinks ? seeded.clientApplicationId(size - 1 - i) : `${run}-ca${i}`}/productLinks/starter`, undefined, 200));
    const deep = Math.max(0, size - 100);
    // The deep page as clients reach it, by following nextLinks: the $skipToken of the link that leads to it.
    const deepPage = async (list) => {
      if (deep === 0) return `${list}?$top=100`;
      const before = await api.expect('GET', `${list}?$top=1&$skip=${deep - 1}`, undefined, 200);
      return `${list}?$top=100&$skipToken=${encodeURIComponent(new URL(before.nextLink).searchParams.get('$skipToken'))}`;
    };
    const usersDeep = await deepPage('/users');
    const appsDeep = await deepPage('/clientApplications');
    row.getUsersFirst = await timed(requests, () => api.expect('GET', '/users?$top=100', undefined, 200));
    row.getUsersDeep = await timed(requests, () => api.expect('GET', usersDeep, undefined, 200));
    row.getAppsFirst = await timed(requests, () => api.expect('GET', '/clientApplications?$top=100', undefined, 200));
    row.getAppsDeep = await timed(requests, () => api.expect('GET', appsDeep, undefined, 200));
    const firstPage = await api.expect('GET', `/users?$top=100&$skip=${deep}`, undefined, 200);
    if (firstPage.value.length === 0) throw new UnexpectedAnswer(`GET users $skip=${deep} returned an empty page`);

    // 5. Revocation delay: a working token of an application, DELETE its product link, then the
    //    gateway polled with that token until the first 401 (bounded).
    const starter = await api.expect('GET', '/products/starter', undefined, 200);
    const audience = starter.properties.application.entra.audience;
    const delays = [];
    const polls = [];
    for (let i = 0; i < revocations; i++) {
      const appName = `${run}-rev${i}`;
      const app = await api.expect('PUT', `/clientApplications/${appName}`, { properties: { displayName: `Revoke ${i}`, ownerId: `/users/${seeded.userId(i % size)}`, productIds: ['/products/starter'] } }, 201);
      const token = await appToken(api, appName, app.properties.entraApplicationId, audience);
      const ok = await gatewayCall(api, token);
      if (ok !== 200) throw new UnexpectedAnswer(`gateway answered ${ok} to a linked application's token (want 200)`);
      await api.expect('DELETE', `/clientApplications/${appName}/productLinks/starter`, undefined, 200);
      const revokedAt = performance.now();
      let status = ok;
      let poll = 0;
      for (; poll < 2000 && status !== 401; poll++) {
        status = await gatewayCall(api, token);
        if (status !== 200 && status !== 401) throw new UnexpectedAnswer(`gateway answered ${status} while waiting for the revocation`);
      }
      if (status !== 401) throw new UnexpectedAnswer('the revoked token was still accepted after 2000 requests');
      delays.push(performance.now() - revokedAt);
      polls.push(poll);
    }
    row.revocation = summary(delays);
    row.revocationPolls = Math.max(...polls); // 1: refused on the very next request

    // 6. Throughput: gateway with a token and with a subscription key, token endpoint.
    const tokenApp = await api.expect('PUT', `/clientApplications/${run}-load`, { properties: { displayName: 'Load', ownerId: `/users/${seeded.userId(0)}`, productIds: ['/products/starter'] } }, 201);
    const secret = (await api.expect('POST', `/clientApplications/${run}-load/listSecrets`, undefined, 200)).entra.clientSecret;
    const token = await tokenFor(api, tokenApp.properties.entraApplicationId, secret, audience);
    const gatewayPath = '/echo/resource?param1=sample';
    row.gatewayToken = await load({ origin: api.credentials.gatewayUrl, path: gatewayPath, method: 'GET', headers: { authorization: `Bearer ${token}` } }, 200);
    row.gatewayKey = await load({ origin: api.credentials.gatewayUrl, path: gatewayPath, method: 'GET', headers: { 'ocp-apim-subscription-key': seeded.key } }, 200);
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: tokenApp.properties.entraApplicationId, client_secret: secret, scope: `${audience}/.default` }).toString();
    row.tokens = await load({ origin: api.credentials.identityUrl, path: `/${api.credentials.tenantId}/oauth2/v2.0/token`, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form }, 200);
    row.rssAfterRun = memory(portico.pid);
    printSize(row);
    return row;
  } finally {
    if (portico) await stop(portico).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Writes the data set; returns how to name its rows and one subscription key in clear. */
async function seed(dataDir, size) {
  const key = Buffer.from((await readFile(join(dataDir, 'instance.key'), 'utf8')).trim(), 'base64');
  const box = new SecretBox(key);
  const store = await openStore({ dataDir });
  const { userId, clientApplicationId } = seedNames();
  let clearKey;
  try {
    const product = await store.management.getProduct('starter');
    const backend = await store.directory.getApplicationByAppId(product.entraApplicationId);
    const backendSp = await store.directory.getServicePrincipalByAppId(product.entraApplicationId);
    const role = backend?.appRoles.find((r) => r.isEnabled);
    if (!backend || !backendSp || !role) throw new Error("Starter has no backend application after turning application-token on");
    const now = new Date().toISOString();
    const inBatches = async (count, write) => {
      for (let start = 0; start < count; start += batch) {
        await store.transaction(async (tx) => {
          for (let i = start; i < Math.min(count, start + batch); i++) await write(tx, i);
        });
      }
    };
    // Users as PUT /users writes them: the record and membership of Developers.
    await inBatches(size, async (tx, i) => {
      await tx.management.putUser({ id: userId(i), email: `${userId(i)}@bench.test`, firstName: 'Bench', lastName: `User ${i}`, state: 'active', note: null, passwordHash: null, registrationDate: now });
      await tx.management.addGroupUser('developers', userId(i));
    });
    // Client applications as a registration writes them: directory application (with the role in
    // requiredResourceAccess, as grantAppRole records it), service principal, app role assignment of
    // Starter's role, the management record and its product link.
    await inBatches(size, async (tx, i) => {
      const appId = randomUUID();
      const displayName = 'APIMApplicationStarter';
      const application = {
        id: randomUUID(), appId, displayName,
        description: `Client application 'Bench ${i}' of API Management service 'portico'.`,
        identifierUris: [`api://${appId}`], appRoles: [],
        requiredResourceAccess: [{ resourceAppId: backend.appId, resourceAccess: [{ id: role.id, type: 'Role' }] }],
        requestedAccessTokenVersion: 2, createdDateTime: now,
      };
      const sp = { id: randomUUID(), appId, displayName, servicePrincipalType: 'Application', appRoleAssignmentRequired: false, accountEnabled: true, createdDateTime: now };
      const assignment = { id: randomUUID(), principalId: sp.id, resourceId: backendSp.id, appRoleId: role.id, createdDateTime: now };
      await tx.directory.insertApplication(application);
      await tx.directory.insertServicePrincipal(sp);
      await tx.directory.insertAppRoleAssignment(assignment);
      await tx.management.putClientApplication({
        id: clientApplicationId(i), displayName: `Bench ${i}`, description: null, ownerId: userId(i), state: 'active',
        entraApplicationId: appId, entraObjectId: application.id, entraServicePrincipalId: sp.id, createdDate: now,
      });
      await tx.management.putProductLink({ id: 'starter', clientApplicationId: clientApplicationId(i), productId: 'starter', appRoleAssignmentId: assignment.id });
    });
    // Subscriptions to Starter with keys kept as the code keeps them: SHA-256 and sealed.
    await inBatches(10 * size, async (tx, i) => {
      const primary = randomBytes(32).toString('hex');
      const secondary = randomBytes(32).toString('hex');
      if (i === 0) clearKey = primary;
      await tx.management.putSubscription({
        id: `bench-s${i}`, displayName: `Bench ${i}`, ownerId: userId(i % size), scope: '/products/starter', state: 'active',
        primaryKeyHash: sha256(primary), primaryKeyEncrypted: box.seal(primary),
        secondaryKeyHash: sha256(secondary), secondaryKeyEncrypted: box.seal(secondary),
        allowTracing: false, stateComment: null, createdDate: now,
      });
    });
  } finally {
    await store.close();
  }
  return seedNames(clearKey);
}

/** How the seeding names its rows, and the one subscription key it keeps in clear. */
function seedNames(key) {
  return { userId: (i) => `bench-u${i}`, clientApplicationId: (i) => `bench-ca${i}`, key };
}

async function exists(path) {
  return stat(path).then(() => true, () => false);
}

async function tokenFor(api, clientId, secret, audience) {
  return (await tokenResponse(api.credentials, clientId, secret, `${audience}/.default`)).access_token;
}

async function appToken(api, appName, clientId, audience) {
  const secret = (await api.expect('POST', `/clientApplications/${appName}/listSecrets`, undefined, 200)).entra.clientSecret;
  return tokenFor(api, clientId, secret, audience);
}

async function gatewayCall(api, token) {
  const response = await fetch(`${api.credentials.gatewayUrl}/echo/resource?param1=sample`, { headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return response.status;
}

async function timed(count, fn) {
  const durations = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await fn(i);
    durations.push(performance.now() - started);
  }
  return summary(durations);
}

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return { p50: at(0.5), p99: at(0.99), n: sorted.length };
}

async function load(options, expected) {
  const result = await loadWorker({ connections, durationMs: seconds * 1000, ...options });
  if (result.errors || Object.keys(result.statuses).some((status) => Number(status) !== expected)) {
    throw new UnexpectedAnswer(`${options.method} ${options.origin}${options.path}: ${JSON.stringify(result.statuses)} errors ${result.errors} (want only ${expected})`);
  }
  return result;
}

const LATENCIES = [
  ['putUser', 'PUT user'],
  ['putClientApplication', 'PUT clientApplication'],
  ['deleteProductLink', 'DELETE productLink'],
  ['getUsersFirst', 'GET users $top=100, first page'],
  ['getUsersDeep', 'GET users $top=100, deep page'],
  ['getAppsFirst', 'GET clientApplications $top=100, first page'],
  ['getAppsDeep', 'GET clientApplications $top=100, deep page'],
  ['revocation', 'revocation delay (DELETE answered → first 401)'],
];
const RATES = [
  ['gatewayToken', 'gateway req/s, access token'],
  ['gatewayKey', 'gateway req/s, subscription key'],
  ['tokens', 'token endpoint tokens/s'],
];

function printSize(row) {
  const ms = (v) => v.toFixed(1).padStart(9);
  console.log(`\nsize ${row.size} (node ${process.version}; ${requests} sequential requests each, ${row.revocation.n} revocations, ${seconds} s × ${connections} connections per throughput run; links deleted of ${row.deleteLinksOf} applications)`);
  console.log('measure'.padEnd(50), 'p50 ms'.padStart(9), 'p99 ms'.padStart(9));
  for (const [key, label] of LATENCIES) console.log(label.padEnd(50), ms(row[key].p50), ms(row[key].p99));
  console.log('requests until the first 401 after DELETE (max)'.padEnd(50), String(row.revocationPolls).padStart(9));
  for (const [key, label] of RATES) console.log(label.padEnd(50), row[key].rps.toFixed(0).padStart(9), `(p50 ${row[key].p50.toFixed(2)} ms)`);
  console.log('start-up (spawn → credentials line)'.padEnd(50), `${row.startupMs.toFixed(0)} ms`.padStart(9));
  console.log('RSS after seeding + restart'.padEnd(50), `${row.rssAfterStart.rss.toFixed(0)} MiB`.padStart(9));
  console.log('RSS after the run (peak)'.padEnd(50), `${row.rssAfterRun.rss.toFixed(0)} MiB`.padStart(9), `(${row.rssAfterRun.peak.toFixed(0)} MiB)`);
  console.log('seeding through the repositories'.padEnd(50), (Number.isNaN(row.seedSeconds) ? 'kept copy' : `${row.seedSeconds.toFixed(1)} s`).padStart(9));
}

function printComparison(small, large) {
  console.log(`\nsize ${large.size} against size ${small.size} (per request/write: large ÷ small, goal ≤ 1.5; throughput: small ÷ large, the slowdown)`);
  console.log('measure'.padEnd(50), 'p50'.padStart(7), 'p99'.padStart(7));
  let over = 0;
  for (const [key, label] of LATENCIES) {
    const p50 = large[key].p50 / small[key].p50;
    const p99 = large[key].p99 / small[key].p99;
    if (p50 > 1.5) over++;
    console.log(label.padEnd(50), p50.toFixed(2).padStart(7), p99.toFixed(2).padStart(7), p50 > 1.5 ? ' over 1.5' : '');
  }
  for (const [key, label] of RATES) {
    const slowdown = small[key].rps / large[key].rps;
    if (slowdown > 1.5) over++;
    console.log(label.padEnd(50), slowdown.toFixed(2).padStart(7), ''.padStart(7), slowdown > 1.5 ? ' over 1.5' : '');
  }
  console.log('start-up'.padEnd(50), (large.startupMs / small.startupMs).toFixed(2).padStart(7));
  console.log('RSS after the run'.padEnd(50), (large.rssAfterRun.rss / small.rssAfterRun.rss).toFixed(2).padStart(7));
  console.log(over ? `${over} figure(s) grew more than 1.5× (p50)` : 'every per-request figure within 1.5× (p50)');
}

// Last, so the tables above are initialised before the first size runs.
const results = [];
try {
  for (const size of sizes) results.push(await measureSize(size));
} catch (error) {
  console.error(`bench: ${error instanceof UnexpectedAnswer ? 'unexpected answer: ' : ''}${error.stack ?? error}`);
  process.exitCode = 1;
}
if (results.length > 1 && !onlyStartup) printComparison(results[0], results.at(-1));
