// Load generator, run in a worker thread so it does not share the event loop with the gateway.
import { parentPort, workerData } from 'node:worker_threads';
import { Pool } from 'undici';

const { origin, path, method, headers, body, connections, durationMs } = workerData;
const pool = new Pool(origin, { connections, pipelining: 1 });
const latencies = [];
const statuses = {};
let errors = 0;
const deadline = performance.now() + durationMs;

async function loop() {
  while (performance.now() < deadline) {
    const started = performance.now();
    try {
      const res = await pool.request({ path, method, headers, ...(body === undefined ? {} : { body }) });
      await res.body.dump();
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      latencies.push(performance.now() - started);
    } catch {
      errors++;
    }
  }
}

const began = performance.now();
await Promise.all(Array.from({ length: connections }, loop));
const elapsed = performance.now() - began;
await pool.close();
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
parentPort.postMessage({ requests: latencies.length, errors, statuses, rps: (latencies.length / elapsed) * 1000, p50: pct(50), p99: pct(99) });
