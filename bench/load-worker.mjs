// Load generator: `connections` keep-alive connections (undici Pool) sending one request each in
// a loop for `durationMs`. Runs as a worker thread (workerData in, one message out) or as a child
// process (JSON in argv[2], one JSON line out), so it never shares the event loop it measures.
import { parentPort, workerData } from 'node:worker_threads';
import { Pool } from 'undici';

const options = parentPort ? workerData : JSON.parse(process.argv[2]);
const { origin, path, method, headers, body, connections, durationMs } = options;
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
const result = { requests: latencies.length, errors, statuses, rps: (latencies.length / elapsed) * 1000, p50: pct(50), p99: pct(99) };
if (parentPort) parentPort.postMessage(result);
else process.stdout.write(`${JSON.stringify(result)}\n`);
