// Gateway throughput and latency, in-process, against the built code in dist/.
// Run: npm run build && node bench/gateway.mjs   (BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_ONLY=<name part>, PORTICO_DIST)
// The gateway and the echo backend share one event loop; the load generator runs in a worker.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { pino } from 'pino';

const dist = new URL(process.env.PORTICO_DIST ?? '../dist/', import.meta.url);
const load = (path) => import(new URL(path, dist).href);
const { createEchoServer, createGateway } = await load('gateway/index.js');
const { openStore } = await load('store/index.js');
const { loadConfig } = await load('config/index.js');
const { InProcessChangeFeed, sha256 } = await load('shared/index.js');

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const TENANT = '11111111-1111-4111-8111-111111111111';
const ISSUER = `https://login.bench.test/${TENANT}/v2.0`;
const NOW = new Date().toISOString();
const AUDIENCE = 'aaaaaaaa-0000-0000-0000-000000000001';
const CLIENT = 'cccccccc-0000-0000-0000-000000000001';
const ROLE = 'Product.Tokens.All'; // the role of the tokens product's backend application
const KEY = 'bench-subscription-key';
let privateKey; // set by seed(), used by signToken()

const dataDir = await mkdtemp(join(tmpdir(), 'portico-bench-'));
const store = await openStore({ dataDir });
const logger = pino({ level: 'warn' });
const echo = createEchoServer(logger);
const echoUrl = await listen(echo);
await seed();
const feed = new InProcessChangeFeed();
let gatewayUrl = '';
const gateway = await createGateway({ config: loadConfig({}, { dataDir }), store, feed, logger, issuer: ISSUER, publicUrl: () => gatewayUrl });
gatewayUrl = await listen(gateway.server);

const token = await signToken();
const scenarios = [
  ['echo backend directly', echoUrl, '/api/resource?param1=sample', {}, 200],
  ['gateway, subscription key (warm-up)', gatewayUrl, '/echo/resource?param1=sample', { 'ocp-apim-subscription-key': KEY }, 200],
  ['gateway, subscription key', gatewayUrl, '/echo/resource?param1=sample', { 'ocp-apim-subscription-key': KEY }, 200],
  ['gateway, access token (cached verification)', gatewayUrl, '/tok/resource?param1=sample', { authorization: `Bearer ${token}` }, 200],
  ['gateway, 401 missing key', gatewayUrl, '/echo/resource', {}, 401],
  ['gateway, 404 no route', gatewayUrl, '/nowhere', {}, 404],
];

console.log(`node ${process.version}, ${connections} connections, ${seconds} s per scenario`);
console.log('scenario'.padEnd(46), 'req/s'.padStart(9), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), ' statuses');
let unexpected = false;
for (const [name, origin, path, headers, expected] of scenarios.filter(([n]) => n.includes(process.env.BENCH_ONLY ?? ''))) {
  const r = await run(origin, path, headers);
  console.log(name.padEnd(46), r.rps.toFixed(0).padStart(9), r.p50.toFixed(2).padStart(8), r.p99.toFixed(2).padStart(8), '', JSON.stringify(r.statuses), r.errors ? `errors ${r.errors}` : '');
  // A scenario answering anything but its expected status measures an error path: say so and fail.
  if (r.errors || Object.keys(r.statuses).some((status) => Number(status) !== expected)) unexpected = true;
}
if (unexpected) {
  console.error('bench: some answers were not the expected status; the figures above are not valid');
  process.exitCode = 1;
}

await gateway.close();
for (const server of [gateway.server, echo]) {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}
await store.close();
await rm(dataDir, { recursive: true, force: true });

function run(origin, path, headers) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./load-worker.mjs', import.meta.url), {
      workerData: { origin, path, method: 'GET', headers, connections, durationMs: seconds * 1000 },
    });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

async function listen(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${server.address().port}`;
}

async function seed() {
  const m = store.management;
  await m.putUser({ id: 'owner', email: 'owner@bench.test', firstName: 'O', lastName: 'W', state: 'active', note: null, passwordHash: null, registrationDate: NOW });
  const api = (id, path) => ({
    id, displayName: id, description: null, path, serviceUrl: `${echoUrl}/api`, protocols: ['http'], subscriptionRequired: true,
    subscriptionKeyHeaderName: 'Ocp-Apim-Subscription-Key', subscriptionKeyQueryName: 'subscription-key', apiRevision: '1', isCurrent: true,
  });
  const op = (apiId) => ({ apiId, id: 'retrieve-resource', displayName: 'Retrieve resource', method: 'GET', urlTemplate: '/resource', description: null, templateParameters: [], request: null, responses: [] });
  const product = (id, displayName, extra) => ({
    id, displayName, description: null, terms: null, subscriptionRequired: true, approvalRequired: false, subscriptionsLimit: null,
    state: 'published', authenticationType: [], entraApplicationId: null, entraAudience: null, ...extra,
  });
  await m.putApi(api('echo-api', 'echo'));
  await m.putApi(api('tok-api', 'tok'));
  await m.putOperation(op('echo-api'));
  await m.putOperation(op('tok-api'));
  await m.putProduct(product('starter', 'Starter', {}));
  await m.putProduct(product('tokens', 'Tokens', { authenticationType: ['application-token'], entraApplicationId: AUDIENCE, entraAudience: AUDIENCE }));
  // The gateway takes the role a token must carry from the product's backend application.
  await store.directory.insertApplication({
    id: 'tokens-backend', appId: AUDIENCE, displayName: 'APIMProductApplicationTokens', description: null, identifierUris: [],
    appRoles: [{ id: 'tokens-role', value: ROLE, displayName: ROLE, description: ROLE, allowedMemberTypes: ['Application'], isEnabled: true }],
    requiredResourceAccess: [], requestedAccessTokenVersion: 2, createdDateTime: NOW,
  });
  await m.addProductApi('starter', 'echo-api');
  await m.addProductApi('tokens', 'tok-api');
  await m.putSubscription({
    id: 'bench', displayName: 'bench', ownerId: 'owner', scope: '/products/starter', state: 'active', primaryKeyHash: sha256(KEY),
    secondaryKeyHash: sha256(`${KEY}-2`), primaryKeyEncrypted: 'x', secondaryKeyEncrypted: 'x', allowTracing: false, stateComment: null, createdDate: NOW,
  });
  await m.putClientApplication({
    id: 'app', displayName: 'app', description: null, ownerId: 'owner', state: 'active', entraApplicationId: CLIENT,
    entraObjectId: 'app-object', entraServicePrincipalId: 'app-sp', createdDate: NOW,
  });
  await m.putProductLink({ id: 'app-tokens', clientApplicationId: 'app', productId: 'tokens', appRoleAssignmentId: null });
  const pair = await generateKeyPair('RS256', { extractable: true });
  privateKey = pair.privateKey;
  await store.directory.insertSigningKey({
    kid: 'bench', privateKeyEncrypted: 'unused', publicJwk: JSON.stringify(await exportJWK(pair.publicKey)),
    createdAt: NOW, activatesAt: NOW, retiresAt: null,
  });
}

function signToken() {
  return new SignJWT({ aud: AUDIENCE, azp: CLIENT, roles: [ROLE], ver: '2.0', tid: TENANT })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'bench' })
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
}
