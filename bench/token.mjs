// Token endpoint throughput, in-process, against the built code in dist/: the real program
// (startPortico on SQLite, free ports), one client application, client-credentials requests.
// Baseline in the same run: the discovery document (no store, no crypto).
// Run: npm run build && node bench/token.mjs   (BENCH_SECONDS, BENCH_CONNECTIONS, PORTICO_DIST)
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { pino } from 'pino';

const dist = new URL(process.env.PORTICO_DIST ?? '../dist/', import.meta.url);
const { startPortico } = await import(new URL('main.js', dist).href);
const { loadConfig } = await import(new URL('config/index.js', dist).href);

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const dataDir = await mkdtemp(join(tmpdir(), 'portico-bench-token-'));
const config = loadConfig({}, { dataDir, ports: { gateway: 0, management: 0, identity: 0, echo: 0 }, logLevel: 'warn' });
const running = await startPortico(config, { logger: pino({ level: 'warn' }), print: () => undefined, env: {} });
const credentials = JSON.parse(await readFile(running.credentialsPath, 'utf8'));
const { tenantId, identityUrl, admin, managementScope } = credentials;

const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: admin.clientId, client_secret: admin.clientSecret, scope: managementScope }).toString();
const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };
const scenarios = [
  ['discovery document (baseline)', `/${tenantId}/v2.0/.well-known/openid-configuration`, 'GET', {}, undefined],
  ['token, client_secret_post (warm-up)', `/${tenantId}/oauth2/v2.0/token`, 'POST', formHeaders, form],
  ['token, client_secret_post', `/${tenantId}/oauth2/v2.0/token`, 'POST', formHeaders, form],
];

console.log(`node ${process.version}, ${connections} connections, ${seconds} s per scenario`);
console.log('scenario'.padEnd(40), 'req/s'.padStart(9), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), ' statuses');
let baseline;
for (const [name, path, method, headers, body] of scenarios) {
  const r = await run(path, method, headers, body);
  baseline ??= r.rps;
  console.log(name.padEnd(40), r.rps.toFixed(0).padStart(9), r.p50.toFixed(2).padStart(8), r.p99.toFixed(2).padStart(8), '', JSON.stringify(r.statuses), `ratio ${(r.rps / baseline).toFixed(2)}`);
}

await running.stop();
await rm(dataDir, { recursive: true, force: true });

function run(path, method, headers, body) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./load-worker.mjs', import.meta.url), {
      workerData: { origin: identityUrl, path, method, headers, body, connections, durationMs: seconds * 1000 },
    });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}
