// Bulk import through the running server: `portico import --file` into a fresh instance (SQLite, or
// PostgreSQL with PORTICO_DATABASE_URL pointing at an empty database).
// The file: N users, N client applications (each owned by one user, linked to Starter with
// application-token on) and 10×N subscriptions (to Starter, owned by the users in turn), in that
// order, generated in a temporary directory. Prints the wall time per resource type, the time of
// each batch in the first and the last tenth of each type (flat = the per-batch cost does not grow
// with the data already there), the server's RSS at the end, and checks the last subscription's key
// and the last application on the gateway.
// Run: npm run build && node bench/import.mjs      BENCH_IMPORT_SIZE=10000 (N; 100000 = 1.2M resources)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { memory, startPortico, stop } from './lib/processes.mjs';
import { managementClient } from './lib/portico-api.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const size = Number(process.env.BENCH_IMPORT_SIZE ?? 10_000);
const KEY = 'bench-import-last-subscription-key-0123456789';

const dataDir = await mkdtemp(join(tmpdir(), `portico-bench-import-${size}-`));
let portico;
try {
  console.log(`== import ${size} users, ${size} client applications (linked to Starter), ${10 * size} subscriptions (node ${process.version})`);
  const file = join(dataDir, 'import.ndjson');
  await writeFile(file);
  portico = await startPortico({ dataDir, env: { PORTICO_LOG_LEVEL: 'warn' } });
  const api = await managementClient(dataDir);
  await api.expect('PATCH', '/products/starter', { properties: { authenticationType: ['subscription-key', 'application-token'] } }, 200);

  const started = performance.now();
  const batches = await runImport(file, join(dataDir, 'credentials.json'));
  const total = (performance.now() - started) / 1000;
  const rss = memory(portico.pid);

  // Per type: wall time and the per-batch time at the start and the end of that type's run.
  const kinds = [['users', 0, size], ['client applications', size, 2 * size], ['subscriptions', 2 * size, 12 * size]];
  console.log(`\ntotal ${total.toFixed(1)} s for ${12 * size} resources (${Math.round((12 * size) / total)}/s); ${batches.length} batches; server RSS ${rss.rss.toFixed(0)} MiB (peak ${rss.peak.toFixed(0)} MiB)`);
  console.log('type'.padEnd(22), 'seconds'.padStart(8), 'per s'.padStart(8), 'batch ms, first 10%'.padStart(22), 'batch ms, last 10%'.padStart(20));
  for (const [label, from, to] of kinds) {
    const own = batches.filter((b) => b.line > from && b.line <= to);
    if (own.length === 0) continue;
    const seconds = own.reduce((sum, b) => sum + b.ms, 0) / 1000;
    const tenth = Math.max(1, Math.floor(own.length / 10));
    const median = (list) => list.map((b) => b.ms).sort((a, b) => a - b)[Math.floor(list.length / 2)];
    console.log(label.padEnd(22), seconds.toFixed(1).padStart(8), String(Math.round((to - from) / seconds)).padStart(8),
      median(own.slice(0, tenth)).toFixed(0).padStart(22), median(own.slice(-tenth)).toFixed(0).padStart(20));
  }

  // The gateway knows the last imported key at once.
  const gateway = api.credentials.gatewayUrl;
  const keyed = await fetch(`${gateway}/echo/resource?param1=sample`, { headers: { 'ocp-apim-subscription-key': KEY } });
  console.log(`gateway with the last imported subscription key: ${keyed.status}`);
} finally {
  if (portico) await stop(portico);
  await rm(dataDir, { recursive: true, force: true });
}

async function writeFile(file) {
  const out = createWriteStream(file);
  const write = (item) => (out.write(`${JSON.stringify(item)}\n`) ? undefined : once(out, 'drain'));
  for (let i = 0; i < size; i++) {
    await write({ type: 'user', name: `user-${i}`, properties: { email: `user-${i}@example.com`, firstName: 'Bench', lastName: `User ${i}` } });
  }
  for (let i = 0; i < size; i++) {
    await write({ type: 'clientApplication', name: `app-${i}`, properties: { displayName: `App ${i}`, ownerId: `/users/user-${i}`, productIds: ['/products/starter'] } });
  }
  for (let i = 0; i < 10 * size; i++) {
    const last = i === 10 * size - 1;
    await write({
      type: 'subscription', name: `sub-${i}`,
      properties: { displayName: `Sub ${i}`, scope: '/products/starter', ownerId: `/users/user-${i % size}`, state: 'active', ...(last ? { primaryKey: KEY } : {}) },
    });
  }
  out.end();
  await once(out, 'finish');
}

/** Runs the CLI; each progress line ends a batch: its time is the gap since the previous one. */
async function runImport(file, credentials) {
  const child = spawn(process.execPath, [here('../bin/portico.js'), 'import', '--file', file, '--credentials', credentials], { stdio: ['ignore', 'pipe', 'pipe'] });
  const batches = [];
  let last = performance.now();
  let lastPrinted = 0;
  createInterface({ input: child.stderr }).on('line', (line) => {
    const match = /^line (\d+): (\d+) resources/.exec(line);
    if (!match) return void process.stderr.write(`${line}\n`);
    const now = performance.now();
    batches.push({ line: Number(match[1]), ms: now - last });
    last = now;
    if (now - lastPrinted > 10_000) {
      lastPrinted = now;
      console.log(`  ${line}`);
    }
  });
  let stdout = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  const [code] = await once(child, 'exit');
  console.log(stdout.trim());
  if (code !== 0) throw new Error(`portico import exited with ${code}`);
  return batches;
}

