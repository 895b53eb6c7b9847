// Gateway throughput against a minimal proxy, every server in its own process:
//   backend  bench/echo-backend.mjs: Portico's echo server alone (every proxy below forwards here);
//   minimal  bench/minimal-proxy.mjs: node:http + one undici Pool, streaming, nothing else — the yardstick;
//            a second one (GATEWAY_HEADERS=1) adds only X-Forwarded-For/-Proto/-Host and X-Request-Id;
//   Portico  the built program as users run it, `node bin/portico.js start` (SQLite on a temporary
//            data directory, default log level `info`, so one access-log line per request), with
//            APIs and products made through its management API pointing at the external backend;
//            management and identity listeners run in that process too but stay idle during runs;
//   nginx    proxy_pass with upstream keep-alive, when /usr/sbin/nginx (or `nginx`) is installed;
//   load     wrk (one thread, a Lua script counting statuses) when installed, else
//            bench/load-worker.mjs (undici) — in its own process, one per run.
// Scenarios: minimal (sent the token request) and minimal-key (sent the key request), the same two
// through the proxy with the gateway headers (minimal-headers, minimal-headers-key); gateway with an access token (signature verified once, then cached; the live
// checks run every request); with a subscription key; with rate limit + quota on (runs only when this
// build accepts a product policy); 401 (no credentials); 404 (no route); nginx.
// Runs alternate scenario by scenario within each round (A B C … A B C …) after a warm-up round; each
// scenario's median req/s, p50 and p99 are printed with its ratio to the minimal proxy. Any status
// other than the scenario's expected one fails the bench (exit 1).
// Run: npm run build && node bench/gateway.mjs
//   BENCH_SECONDS=5 BENCH_ROUNDS=3 BENCH_CONNECTIONS=32 BENCH_ONLY=token,key (names, comma-separated)
//   BENCH_LOAD=node (force the Node load generator)  BENCH_NGINX=off
//   BENCH_WORKERS=2 (also start Portico with --workers 2 and measure it against one worker)
//   BENCH_PROFILE=<seconds> (then: CPU profiles of a fresh Portico and of both yardsticks under the token request, or
//   BENCH_PROFILE_SCENARIO=key|limits; Portico's summarised by bench/profile-summary.mjs, then all three in µs per request by area;
//   the .cpuprofile files are kept in BENCH_PROFILE_DIR or a temp dir)
//   PORTICO_BIN=/other/checkout/bin/portico.js
//   BENCH_BASELINE_BIN=/other/checkout/bin/portico.js (also measure that build, token and key, in the same rounds)
//   BENCH_BASELINE_NODE_ARGS='--max-semi-space-size=32' (the baseline — this build unless BENCH_BASELINE_BIN — started with these node flags)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findWrk, load as loadRun } from './lib/load.mjs';
import { cpuSeconds, freePort, lineMatching, start, startPortico as startPorticoProcess, stop, stopAll } from './lib/processes.mjs';
import { managementClient, tokenResponse, UnexpectedAnswer } from './lib/portico-api.mjs';
import { median } from './lib/stats.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',').map((s) => s.trim()) : undefined;
const workers = Number(process.env.BENCH_WORKERS ?? 0);
const profileSeconds = Number(process.env.BENCH_PROFILE ?? 0);
const PATH = '/resource?param1=sample';

const temps = [];
try {
  const tools = detectTools();
  const backend = start('backend', process.execPath, [here('./echo-backend.mjs')]);
  const backendUrl = (await lineMatching(backend, /^http:\/\//)).trim();
  const minimal = start('minimal', process.execPath, [here('./minimal-proxy.mjs')], { BACKEND: backendUrl });
  const minimalUrl = (await lineMatching(minimal, /^http:\/\//)).trim();
  // The same proxy adding the headers every gateway adds (X-Forwarded-*, X-Request-Id): the second yardstick.
  const headersProxy = start('minimal-headers', process.execPath, [here('./minimal-proxy.mjs')], { BACKEND: backendUrl, GATEWAY_HEADERS: '1' });
  const headersUrl = (await lineMatching(headersProxy, /^http:\/\//)).trim();

  const portico = await startPortico({});
  const setup = await configurePortico(portico.dataDir, backendUrl);

  const scenarios = [
    // The same request as the token scenario (the minimal proxy forwards its Authorization header, so
    // the backend echoes the same ~1 KB header for both: like for like).
    { name: 'minimal', label: 'minimal proxy (node:http + undici)', server: minimal, url: `${minimalUrl}/api${PATH}`, headers: { authorization: `Bearer ${setup.token}` }, expected: 200 },
    // The key scenario's request (no 1 KB Authorization header) through the minimal proxy: the like-for-like yardstick for keys.
    { name: 'minimal-key', label: 'minimal proxy, key request', server: minimal, url: `${minimalUrl}/api${PATH}`, headers: { 'ocp-apim-subscription-key': setup.key }, expected: 200 },
    { name: 'minimal-headers', label: 'minimal + gateway headers', server: headersProxy, url: `${headersUrl}/api${PATH}`, headers: { authorization: `Bearer ${setup.token}` }, expected: 200 },
    { name: 'minimal-headers-key', label: 'minimal + gateway headers, key req', server: headersProxy, url: `${headersUrl}/api${PATH}`, headers: { 'ocp-apim-subscription-key': setup.key }, expected: 200 },
    { name: 'token', label: 'Portico, access token', server: portico.child, url: `${portico.gatewayUrl}/bench${PATH}`, headers: { authorization: `Bearer ${setup.token}` }, expected: 200 },
    { name: 'key', label: 'Portico, subscription key', server: portico.child, url: `${portico.gatewayUrl}/bench${PATH}`, headers: { 'ocp-apim-subscription-key': setup.key }, expected: 200 },
    setup.limitedKey !== undefined
      ? { name: 'limits', label: 'Portico, key + rate limit + quota', server: portico.child, url: `${portico.gatewayUrl}/limited${PATH}`, headers: { 'ocp-apim-subscription-key': setup.limitedKey }, expected: 200 }
      : { name: 'limits', skipped: setup.limitsSkipped },
    { name: '401', label: 'Portico, 401 no credentials', server: portico.child, url: `${portico.gatewayUrl}/bench${PATH}`, headers: {}, expected: 401 },
    { name: '404', label: 'Portico, 404 no route', server: portico.child, url: `${portico.gatewayUrl}/nowhere`, headers: {}, expected: 404 },
  ];
  if (tools.nginx && process.env.BENCH_NGINX !== 'off') {
    const nginx = await startNginx(tools.nginx, backendUrl);
    scenarios.push({ name: 'nginx', label: 'nginx proxy_pass (1 worker)', server: nginx.child, tree: true, url: `${nginx.url}/api${PATH}`, headers: { authorization: `Bearer ${setup.token}` }, expected: 200 });
  }
  if (process.env.BENCH_BASELINE_BIN || process.env.BENCH_BASELINE_NODE_ARGS) {
    // Another build (e.g. the commit before a change), measured in the same alternating rounds.
    const baseline = await startPortico({ bin: process.env.BENCH_BASELINE_BIN, nodeArgs: words(process.env.BENCH_BASELINE_NODE_ARGS) });
    const b = await configurePortico(baseline.dataDir, backendUrl);
    scenarios.push(
      { name: 'baseline-token', label: 'baseline build, access token', server: baseline.child, url: `${baseline.gatewayUrl}/bench${PATH}`, headers: { authorization: `Bearer ${b.token}` }, expected: 200 },
      { name: 'baseline-key', label: 'baseline build, subscription key', server: baseline.child, url: `${baseline.gatewayUrl}/bench${PATH}`, headers: { 'ocp-apim-subscription-key': b.key }, expected: 200 },
    );
  }
  if (workers > 1) {
    const many = await startPortico({ workers });
    const more = await configurePortico(many.dataDir, backendUrl);
    scenarios.push({ name: `workers${workers}`, label: `Portico --workers ${workers}, token`, server: many.child, tree: true, url: `${many.gatewayUrl}/bench${PATH}`, headers: { authorization: `Bearer ${more.token}` }, expected: 200 });
  }
  const active = scenarios.filter((s) => !s.skipped && (only === undefined || s.name.startsWith('minimal') || only.includes(s.name)));
  for (const s of scenarios.filter((s) => s.skipped)) console.log(`scenario ${s.name} skipped: ${s.skipped}`);

  console.log(`node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), load generator ${tools.wrk ? 'wrk' : 'bench/load-worker.mjs'}, ${connections} connections, ${seconds} s per run, ${rounds} rounds + warm-up, alternating`);
  console.log('scenario'.padEnd(36), 'round'.padStart(5), 'req/s'.padStart(9), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), 'CPU µs/req'.padStart(11), ' statuses');
  const results = Object.fromEntries(active.map((s) => [s.name, []]));
  for (let round = 0; round <= rounds; round++) {
    for (const s of active) {
      const cpuBefore = cpuSeconds(s.server.pid, s.tree);
      const primaryBefore = s.tree ? cpuSeconds(s.server.pid) : NaN;
      const backendBefore = cpuSeconds(backend.pid);
      const loadBefore = waitedChildrenCpuSeconds();
      const r = await load(tools, s, round === 0 ? Math.min(2, seconds) : seconds);
      const perRequest = (after, before) => ((after - before) / r.requests) * 1e6;
      const cpuPerRequest = perRequest(cpuSeconds(s.server.pid, s.tree), cpuBefore);
      // Where else the machine's CPU went for these requests: the backend, the load generator, and with workers the primary.
      r.cpu = { primary: perRequest(s.tree ? cpuSeconds(s.server.pid) : NaN, primaryBefore), backend: perRequest(cpuSeconds(backend.pid), backendBefore), load: perRequest(waitedChildrenCpuSeconds(), loadBefore) };
      const statuses = Object.keys(r.statuses);
      if (r.errors || statuses.length === 0 || statuses.some((status) => Number(status) !== s.expected)) {
        throw new UnexpectedAnswer(`${s.label}: statuses ${JSON.stringify(r.statuses)}, errors ${r.errors} (want only ${s.expected})`);
      }
      if (round > 0) results[s.name].push({ ...r, cpuPerRequest });
      console.log(s.label.padEnd(36), (round === 0 ? 'warm' : String(round)).padStart(5), r.rps.toFixed(0).padStart(9), r.p50.toFixed(2).padStart(8), r.p99.toFixed(2).padStart(8), cpuPerRequest.toFixed(0).padStart(11), '', JSON.stringify(r.statuses));
    }
  }

  const base = results.minimal;
  console.log(`\nmedians over ${rounds} rounds; ratio = scenario req/s ÷ minimal proxy req/s of the same round (median of the per-round ratios; key scenarios against the minimal proxy sent the key request, when it ran)`);
  console.log('  "÷ +headers": the same ratio against the minimal proxy that also adds the gateway headers (X-Forwarded-*, X-Request-Id); "CPU ratio": yardstick CPU µs ÷ scenario CPU µs, per round');
  console.log('scenario'.padEnd(36), 'req/s'.padStart(9), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), 'CPU µs/req'.padStart(11), 'ratio'.padStart(7), '÷ +headers'.padStart(11), 'CPU ratio'.padStart(10), ' goal');
  const goals = { token: 0.95, key: 0.95, limits: 0.9 };
  const keyRequest = (name) => name === 'key' || name === 'limits' || name === 'baseline-key' || name === 'minimal-headers-key';
  const fmt = (value) => (value === undefined ? '' : value.toFixed(2));
  for (const s of active) {
    const runs = results[s.name];
    const yardstick = keyRequest(s.name) ? (results['minimal-key'] ?? base) : base;
    const withHeaders = s.name.startsWith('minimal') ? undefined : keyRequest(s.name) ? results['minimal-headers-key'] : results['minimal-headers'];
    const ratio = median(runs.map((r, i) => r.rps / yardstick[i].rps));
    const headersRatio = withHeaders === undefined ? undefined : median(runs.map((r, i) => r.rps / withHeaders[i].rps));
    const cpuRatio = median(runs.map((r, i) => yardstick[i].cpuPerRequest / r.cpuPerRequest));
    const goal = goals[s.name];
    console.log(
      s.label.padEnd(36),
      median(runs.map((r) => r.rps)).toFixed(0).padStart(9),
      median(runs.map((r) => r.p50)).toFixed(2).padStart(8),
      median(runs.map((r) => r.p99)).toFixed(2).padStart(8),
      median(runs.map((r) => r.cpuPerRequest)).toFixed(0).padStart(11),
      ratio.toFixed(2).padStart(7),
      fmt(headersRatio).padStart(11),
      cpuRatio.toFixed(2).padStart(10),
      goal === undefined ? '' : ` >= ${goal} ${ratio >= goal ? 'met' : 'NOT met'}`,
    );
  }
  console.log(`\nCPU µs per request by process (medians): the server, with workers its primary's share; the backend; the load generator. On ${cpus().length} cores the three together cap req/s at ${cpus().length} s ÷ their sum.`);
  console.log('scenario'.padEnd(36), 'server'.padStart(8), 'primary'.padStart(8), 'backend'.padStart(8), 'load'.padStart(8), 'sum'.padStart(8), 'cap req/s'.padStart(10));
  for (const s of active) {
    const runs = results[s.name];
    const server = median(runs.map((r) => r.cpuPerRequest));
    const backendCpu = median(runs.map((r) => r.cpu.backend));
    const loadCpu = median(runs.map((r) => r.cpu.load));
    const sum = server + backendCpu + loadCpu;
    const primary = median(runs.map((r) => r.cpu.primary));
    console.log(s.label.padEnd(36), server.toFixed(0).padStart(8), (Number.isNaN(primary) ? '' : primary.toFixed(1)).padStart(8), backendCpu.toFixed(0).padStart(8), loadCpu.toFixed(0).padStart(8), sum.toFixed(0).padStart(8), ((cpus().length * 1e6) / sum).toFixed(0).padStart(10));
  }
  if (results[`workers${workers}`] && results.token) {
    const ratio = median(results[`workers${workers}`].map((r, i) => r.rps / results.token[i].rps));
    console.log(`--workers ${workers} ÷ one process (token): ${ratio.toFixed(2)} (goal >= 1.6 with 2 workers; needs as many free cores as workers + backend + load generator)`);
    // How many cores the gateway got: req/s × its CPU per request. Scaling needs the cores to be there.
    const cores = (runs) => median(runs.map((r) => (r.rps * r.cpuPerRequest) / 1e6));
    console.log(`cores used by the gateway (req/s × CPU per request): one process ${cores(results.token).toFixed(2)}, --workers ${workers} ${cores(results[`workers${workers}`]).toFixed(2)}; CPU per request --workers ${workers} ÷ one process ${median(results[`workers${workers}`].map((r, i) => r.cpuPerRequest / results.token[i].cpuPerRequest)).toFixed(2)}`);
  }

  if (profileSeconds > 0) await profile(tools, backendUrl, profileSeconds);
} catch (error) {
  console.error(`bench: ${error instanceof UnexpectedAnswer ? 'unexpected answer, the figures are not valid: ' : ''}${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await stopAll();
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
}

/** wrk and nginx when installed; says how to install them when not. */
function detectTools() {
  const wrk = findWrk();
  const nginx = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'].find((path) => existsSync(path)) ?? (spawnSync('sh', ['-c', 'command -v nginx']).stdout?.toString().trim() || undefined);
  if (!wrk && process.env.BENCH_LOAD !== 'node') console.log('wrk is not installed (Debian/Ubuntu: sudo apt-get install wrk); using the Node load generator bench/load-worker.mjs, which needs more CPU per request');
  if (!nginx) console.log('nginx is not installed (Debian/Ubuntu: sudo apt-get install nginx-light); skipping the nginx scenario');
  return { wrk, nginx };
}

async function startPortico({ workers: count, bin, nodeArgs = [] }) {
  const dataDir = await mkdtemp(join(tmpdir(), 'portico-bench-gateway-'));
  temps.push(dataDir);
  const name = bin || nodeArgs.length > 0 ? 'portico-baseline' : count ? `portico-workers${count}` : 'portico';
  const child = await startPorticoProcess({ name, dataDir, bin, nodeArgs, args: count ? ['--workers', String(count)] : [] });
  const credentials = JSON.parse(await readFile(join(dataDir, 'credentials.json'), 'utf8'));
  return { child, dataDir, gatewayUrl: credentials.gatewayUrl };
}

/**
 * Through the management API, as an operator would: an API `bench` (and `limited`) whose service URL
 * is the external backend; product bench-keys (subscription key) and bench-tokens (application
 * token) holding it; a subscription, a client application, its token. With a product policy when
 * this build takes one: product bench-limits with rate limit and quota far above what a run sends.
 */
async function configurePortico(dataDir, backendUrl) {
  const api = await managementClient(dataDir);
  const serviceUrl = `${backendUrl}/api`;
  await api.expect('PUT', '/users/bench-owner', { properties: { email: 'bench-owner@bench.test', firstName: 'Bench', lastName: 'Owner' } }, [200, 201]);
  const product = async (id, extra = {}) => api.expect('PUT', `/products/${id}`, { properties: { displayName: id, subscriptionRequired: true, approvalRequired: false, state: 'published', ...extra } }, [200, 201]);
  const withApi = async (id, path, productIds) => {
    await api.expect('PUT', `/apis/${id}`, { properties: { displayName: id, path, serviceUrl, protocols: ['http', 'https'] } }, [200, 201]);
    await api.expect('PUT', `/apis/${id}/operations/get-resource`, { properties: { displayName: 'Get resource', method: 'GET', urlTemplate: '/resource' } }, [200, 201]);
    for (const productId of productIds) await api.expect('PUT', `/products/${productId}/apis/${id}`, undefined, [200, 201]);
  };
  const subscriptionKey = async (id, productId) => {
    await api.expect('PUT', `/subscriptions/${id}`, { properties: { displayName: id, scope: `/products/${productId}`, ownerId: '/users/bench-owner', state: 'active' } }, [200, 201]);
    return (await api.expect('POST', `/subscriptions/${id}/listSecrets`, undefined, [200])).primaryKey;
  };
  await product('bench-keys');
  await product('bench-tokens');
  await api.expect('PATCH', '/products/bench-tokens', { properties: { authenticationType: ['application-token'] } }, [200]);
  await withApi('bench', 'bench', ['bench-keys', 'bench-tokens']);
  const key = await subscriptionKey('bench-key', 'bench-keys');
  const app = await api.expect('PUT', '/clientApplications/bench-app', { properties: { displayName: 'Bench app', ownerId: '/users/bench-owner', productIds: ['/products/bench-tokens'] } }, [200, 201]);
  const secret = (await api.expect('POST', '/clientApplications/bench-app/listSecrets', undefined, [200])).entra.clientSecret;
  const audience = (await api.expect('GET', '/products/bench-tokens', undefined, [200])).properties.application.entra.audience;
  const token = (await tokenResponse(api.credentials, app.properties.entraApplicationId, secret, `${audience}/.default`)).access_token;

  // The limits slot: a product policy (APIM's rawxml) with limits no run reaches.
  await product('bench-limits');
  const policy = { properties: { format: 'rawxml', value: '<policies><inbound><rate-limit calls="1000000000" renewal-period="60" /><quota calls="2000000000" renewal-period="604800" /></inbound></policies>' } };
  const answer = await api.send('PUT', '/products/bench-limits/policies/policy', policy);
  let limitedKey;
  let limitsSkipped;
  if (answer.status === 200 || answer.status === 201) {
    await withApi('limited', 'limited', ['bench-limits']);
    limitedKey = await subscriptionKey('bench-limited', 'bench-limits');
  } else if (answer.status === 404) {
    limitsSkipped = 'this build has no product policies (PUT products/{id}/policies/policy answered 404)';
  } else {
    throw new UnexpectedAnswer(`PUT /products/bench-limits/policies/policy: ${answer.status} ${answer.text.slice(0, 500)}`);
  }

  // Each configuration is in effect when the first call with it succeeds.
  const gateway = api.credentials.gatewayUrl;
  await expectStatus(`${gateway}/bench${PATH}`, { authorization: `Bearer ${token}` }, 200);
  await expectStatus(`${gateway}/bench${PATH}`, { 'ocp-apim-subscription-key': key }, 200);
  if (limitedKey) await expectStatus(`${gateway}/limited${PATH}`, { 'ocp-apim-subscription-key': limitedKey }, 200);
  return { token, key, limitedKey, limitsSkipped };
}

async function expectStatus(url, headers, status) {
  const response = await fetch(url, { headers });
  const text = await response.text();
  if (response.status !== status) throw new UnexpectedAnswer(`GET ${url}: ${response.status} (want ${status}) ${text.slice(0, 300)}`);
}

async function startNginx(binary, backendUrl) {
  const dir = await mkdtemp(join(tmpdir(), 'portico-bench-nginx-'));
  temps.push(dir);
  const port = await freePort();
  const backend = new URL(backendUrl);
  await writeFile(join(dir, 'nginx.conf'), `
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream backend { server ${backend.host}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    keepalive_requests 1000000;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`);
  const child = start('nginx', binary, ['-p', dir, '-c', join(dir, 'nginx.conf')]);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/api${PATH}`)).status === 200) return { child, url };
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nginx did not start (see ${dir}/error.log)`);
}

/**
 * CPU profiles under the token scenario (or BENCH_PROFILE_SCENARIO=key|limits) of a fresh Portico
 * and of the two yardsticks sent the same request, each started with --cpu-prof and stopped right
 * after its load: Portico's summary, then all three side by side in CPU µs per request by area.
 */
async function profile(tools, backendUrl, durationSeconds) {
  const dir = process.env.BENCH_PROFILE_DIR ?? (await mkdtemp(join(tmpdir(), 'portico-bench-profile-')));
  const dataDir = await mkdtemp(join(tmpdir(), 'portico-bench-profiled-'));
  temps.push(dataDir);
  const profileDir = async (name) => {
    const sub = join(dir, name);
    await mkdir(sub, { recursive: true });
    return sub;
  };
  const porticoDir = await profileDir('portico');
  const child = await startPorticoProcess({ name: 'portico-profiled', dataDir, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', porticoDir] });
  const credentials = JSON.parse(await readFile(join(dataDir, 'credentials.json'), 'utf8'));
  const setup = await configurePortico(dataDir, backendUrl);
  const which = process.env.BENCH_PROFILE_SCENARIO ?? 'token';
  const profiled = {
    token: { path: 'bench', headers: { authorization: `Bearer ${setup.token}` } },
    key: { path: 'bench', headers: { 'ocp-apim-subscription-key': setup.key } },
    limits: { path: 'limited', headers: { 'ocp-apim-subscription-key': setup.limitedKey } },
  }[which];
  if (profiled === undefined || (which === 'limits' && setup.limitedKey === undefined)) throw new Error(`BENCH_PROFILE_SCENARIO=${which}: token, key or limits (when this build takes product policies)`);
  const { summarise, perRequestByArea } = await import('./profile-summary.mjs');
  const measure = async (name, server, url, profileIn) => {
    const scenario = { label: name, url, headers: profiled.headers, expected: 200 };
    await load(tools, scenario, 2); // warm-up
    const r = await load(tools, scenario, durationSeconds);
    console.log(`\nprofiled run (${name}, ${which} request, ${durationSeconds} s): ${r.rps.toFixed(0)} req/s, statuses ${JSON.stringify(r.statuses)}`);
    await stop(server);
    const [file] = (await readdir(profileIn)).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(profileIn, f));
    const data = JSON.parse(await readFile(file, 'utf8'));
    return { name, file, data, areas: perRequestByArea(data, r.requests, durationSeconds) };
  };
  const runs = [await measure('Portico', child, `${credentials.gatewayUrl}/${profiled.path}${PATH}`, porticoDir)];
  console.log(`\n${runs[0].file}\n${summarise(runs[0].data)}`);
  // The yardsticks, profiled the same way (the same request; the API path is all they ignore).
  for (const [name, env] of [['minimal', {}], ['minimal + gateway headers', { GATEWAY_HEADERS: '1' }]]) {
    const out = await profileDir(name.replace(/\W+/g, '-'));
    const proxy = start(`${name} (profiled)`, process.execPath, ['--cpu-prof', '--cpu-prof-dir', out, here('./minimal-proxy.mjs')], { BACKEND: backendUrl, ...env });
    const url = (await lineMatching(proxy, /^http:\/\//)).trim();
    runs.push(await measure(name, proxy, `${url}/api${PATH}`, out));
  }
  console.log(`\nCPU µs per request by area, from the profiles (the last ${durationSeconds} s of each: the measured load)`);
  console.log('area'.padEnd(34), ...runs.map((run) => run.name.padStart(26)));
  const areas = [...new Set(runs.flatMap((run) => [...run.areas.keys()]))].filter((area) => area !== 'busy' && !area.startsWith('idle'));
  areas.sort((a, b) => (runs[0].areas.get(b) ?? 0) - (runs[0].areas.get(a) ?? 0));
  for (const area of [...areas, 'busy']) console.log(area.padEnd(34), ...runs.map((run) => (run.areas.get(area) ?? 0).toFixed(1).padStart(26)));
}

/** A space-separated list of arguments from an environment variable ('' and unset: none). */
function words(value) {
  return (value ?? '').split(/\s+/).filter(Boolean);
}

/** One load run of a scenario (bench/lib/load.mjs). */
function load(tools, scenario, durationSeconds) {
  return loadRun({ wrk: tools.wrk, url: scenario.url, headers: scenario.headers, connections, seconds: durationSeconds });
}

/** user + system CPU seconds of this process's children that have exited and been waited for (each load generator run). */
function waitedChildrenCpuSeconds() {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100; // cutime, cstime
}

