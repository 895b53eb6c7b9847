// The load generator, a new process per run: wrk (one thread, bench/wrk-statuses.lua counting every
// status) when installed, else bench/load-worker.mjs (undici). Both answer
// { requests, rps, p50, p99 (ms), statuses: { "200": n, … }, errors }.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** The path of wrk, or undefined when it is not installed or BENCH_LOAD=node asks for the Node generator. */
export function findWrk() {
  if (process.env.BENCH_LOAD === 'node') return undefined;
  return ['/usr/bin/wrk', '/usr/local/bin/wrk'].find((path) => existsSync(path)) ?? (spawnSync('sh', ['-c', 'command -v wrk']).stdout?.toString().trim() || undefined);
}

/** GETs `url` with `headers` on `connections` connections for `seconds`. */
export function load({ wrk, url, headers = {}, connections, seconds }) {
  if (wrk) return loadWithWrk(wrk, url, headers, connections, seconds);
  const target = new URL(url);
  return loadWorker({ origin: target.origin, path: `${target.pathname}${target.search}`, method: 'GET', headers, connections, durationMs: seconds * 1000 });
}

/** bench/load-worker.mjs with its own options (method, body, …). */
export async function loadWorker(options) {
  const child = spawn(process.execPath, [here('../load-worker.mjs'), JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`load generator exited with ${code}`);
  return JSON.parse(out);
}

async function loadWithWrk(wrk, url, headers, connections, seconds) {
  const headerArgs = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const child = spawn(wrk, ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', here('../wrk-statuses.lua'), ...headerArgs, url], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`wrk exited with ${code}: ${out}`);
  const requests = Number(out.match(/(\d+) requests in/)?.[1]);
  const rps = Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1]);
  const statuses = JSON.parse(out.match(/^STATUSES (.*)$/m)?.[1] ?? '{}');
  const [p50us, p99us] = (out.match(/^LATENCY_US (\d+) (\d+)$/m)?.slice(1) ?? ['NaN', 'NaN']).map(Number);
  const socketErrors = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const errors = socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  if (!Number.isFinite(rps)) throw new Error(`could not read wrk's output:\n${out}`);
  return { requests, rps, p50: p50us / 1000, p99: p99us / 1000, statuses, errors };
}
