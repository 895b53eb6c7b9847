// Token endpoint throughput: Portico against a minimal hand-written endpoint doing the same work.
// Three kinds of process, so none shares an event loop with another:
//   A  Portico itself, `node bin/portico.js start` on a temporary data directory and free ports,
//      as a user runs it (SQLite, default log level, request logs to a pipe this script drains);
//   B  bench/minimal-token-endpoint.mjs: node:http + form parsing + SHA-256 secret check + one
//      RS256 signature with jose, same claims and JSON;
//   L  bench/load-worker.mjs, the load generator (undici, keep-alive connections), one per run.
// Runs alternate A, B, A, B… so drift on a shared machine hits both sides alike; each side's median
// req/s is reported, and the ratio Portico / minimal.
// Run: npm run build && node bench/token.mjs   (BENCH_SECONDS=5 BENCH_ROUNDS=5 BENCH_CONNECTIONS=16;
// PORTICO_BIN=/other/checkout/bin/portico.js measures another build against the same yardstick)
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadWorker as load } from './lib/load.mjs';
import { cpuSeconds, lineMatching, start, startPortico, stopAll } from './lib/processes.mjs';
import { median } from './lib/stats.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const here = (path) => fileURLToPath(new URL(path, import.meta.url));

const dataDir = await mkdtemp(join(tmpdir(), 'portico-bench-token-'));
try {
  const portico = await startPortico({ dataDir });
  const credentials = JSON.parse(await readFile(join(dataDir, 'credentials.json'), 'utf8'));
  const { tenantId, identityUrl, admin, managementScope } = credentials;
  const path = `/${tenantId}/oauth2/v2.0/token`;
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: admin.clientId, client_secret: admin.clientSecret, scope: managementScope }).toString();

  // The audience the minimal endpoint puts in its tokens: the one Portico puts in its own.
  const sample = await fetch(`${identityUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  if (sample.status !== 200) throw new Error(`Portico refused the bench client: ${sample.status} ${await sample.text()}`);
  const claims = JSON.parse(Buffer.from((await sample.json()).access_token.split('.')[1], 'base64url').toString('utf8'));

  const minimal = start('minimal', process.execPath, [here('./minimal-token-endpoint.mjs')], {
    CLIENT_ID: admin.clientId, CLIENT_SECRET: admin.clientSecret, AUDIENCE: claims.aud, ISSUER: claims.iss, TENANT_ID: tenantId, PORT: '0',
  });
  const minimalUrl = (await lineMatching(minimal, /^http:\/\//)).trim();

  const sides = [['Portico', identityUrl, portico], ['minimal', minimalUrl, minimal]];
  console.log(`node ${process.version}, ${connections} connections, ${seconds} s per run, ${rounds} rounds (plus one warm-up each), alternating`);
  console.log('side'.padEnd(10), 'round'.padStart(5), 'req/s'.padStart(9), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), 'CPU µs/req'.padStart(11), ' statuses');
  const rates = { Portico: [], minimal: [] };
  const cpu = { Portico: [], minimal: [] };
  for (let round = 0; round <= rounds; round++) {
    for (const [name, origin, server] of sides) {
      const cpuBefore = cpuSeconds(server.pid);
      const r = await load({ origin, path, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form, connections, durationMs: (round === 0 ? 2 : seconds) * 1000 });
      const ok = Object.keys(r.statuses).every((status) => status === '200') && r.errors === 0;
      if (!ok) throw new Error(`${name} answered something other than 200: ${JSON.stringify(r.statuses)} errors ${r.errors}`);
      const cpuPerRequest = ((cpuSeconds(server.pid) - cpuBefore) / r.requests) * 1e6; // NaN without /proc
      if (round > 0) {
        rates[name].push(r.rps);
        cpu[name].push(cpuPerRequest);
      }
      console.log(name.padEnd(10), (round === 0 ? 'warm' : String(round)).padStart(5), r.rps.toFixed(0).padStart(9), r.p50.toFixed(2).padStart(8), r.p99.toFixed(2).padStart(8), cpuPerRequest.toFixed(0).padStart(11), '', JSON.stringify(r.statuses));
    }
  }
  const a = median(rates.Portico);
  const b = median(rates.minimal);
  console.log(`median req/s: Portico ${a.toFixed(0)}, minimal ${b.toFixed(0)}`);
  if (!Number.isNaN(median(cpu.Portico))) {
    // Server CPU per token (all its threads, from /proc): steadier than req/s on a shared machine.
    console.log(`median server CPU per token: Portico ${median(cpu.Portico).toFixed(0)} µs, minimal ${median(cpu.minimal).toFixed(0)} µs (ratio minimal/Portico ${(median(cpu.minimal) / median(cpu.Portico)).toFixed(2)})`);
  }
  // Each round's pair ran back to back; the median of their ratios is a check on the ratio of medians.
  const pairs = rates.Portico.map((rate, i) => rate / rates.minimal[i]);
  console.log(`per-round ratios: ${pairs.map((r) => r.toFixed(2)).join(' ')} (median ${median(pairs).toFixed(2)})`);
  console.log(`token endpoint ratio Portico/minimal: ${(a / b).toFixed(2)} (goal >= 0.90)`);
} finally {
  await stopAll();
  await rm(dataDir, { recursive: true, force: true });
}

