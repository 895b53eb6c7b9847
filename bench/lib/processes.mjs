// The child processes of a bench (servers, Portico, load generators) and what is read of them:
// their first line matching a pattern, their CPU time and memory from /proc, a free port.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Every process start() made, so stopAll() can end them whatever happened. */
const children = [];

/**
 * Starts a child whose lines are read by lineMatching. `bannerOnStderr`: Portico, whose start-up
 * lines are on stderr (its stdout, the log, is drained unread); they are shown, errors too,
 * prefixed with the name when `prefix` is set (several nodes print at once).
 */
export function start(name, command, args, env = {}, { bannerOnStderr = false, prefix = false } = {}) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', bannerOnStderr ? 'pipe' : 'inherit'] });
  child.benchName = name;
  children.push(child);
  if (bannerOnStderr) child.stdout.resume();
  child.lines = createInterface({ input: bannerOnStderr ? child.stderr : child.stdout });
  if (bannerOnStderr) child.lines.on('line', (line) => process.stderr.write(prefix ? `[${name}] ${line}\n` : `${line}\n`));
  return child;
}

/** Resolves with the first line (stdout, or stderr for Portico's banner) matching `pattern`; later lines are read and dropped (the log). */
export function lineMatching(child, pattern) {
  return new Promise((resolve, reject) => {
    const onLine = (line) => {
      if (!pattern.test(line)) return;
      child.lines.off('line', onLine);
      child.lines.on('line', () => undefined); // keep draining
      resolve(line);
    };
    child.lines.on('line', onLine);
    child.once('exit', (code) => reject(new Error(`${child.benchName} exited with ${code} before printing ${pattern}`)));
  });
}

/** SIGTERM to one child, resolved once it has exited; SIGKILL when it has not after graceMs. */
export async function stop(child, graceMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  let timer;
  const late = new Promise((resolve) => (timer = setTimeout(resolve, graceMs, 'late')));
  if ((await Promise.race([exited, late])) === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}

/** Stops every child start() made, the last started first (nodes before what they depend on). */
export async function stopAll() {
  for (const child of [...children].reverse()) await stop(child);
}

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** user + system CPU seconds of a process (Linux /proc), with `tree` its children's too (cluster workers); NaN elsewhere. */
export function cpuSeconds(pid, tree = false) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    let total = (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
    if (tree) {
      for (const child of childPids(pid)) total += cpuSeconds(child);
    }
    return total;
  } catch {
    return NaN;
  }
}

function childPids(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** VmRSS and VmHWM (peak) of a process, in MiB (Linux /proc). */
export function memory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1]);
    return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
  } catch {
    return { rss: NaN, peak: NaN };
  }
}

const PORTICO_BIN = fileURLToPath(new URL('../../bin/portico.js', import.meta.url));

/**
 * `node bin/portico.js start` (or PORTICO_BIN, or `bin`) on dataDir with free ports, as a user runs
 * it; resolves once its banner's credentials line is printed (credentials.json is written then),
 * with `startupMs` on the child. `nodeArgs` go before the script (e.g. --cpu-prof).
 */
export async function startPortico({ name = 'portico', dataDir, bin, args = [], nodeArgs = [], env = {}, prefix = false }) {
  const started = performance.now();
  const child = start(name, process.execPath, [...nodeArgs, bin ?? process.env.PORTICO_BIN ?? PORTICO_BIN, 'start', ...args], {
    PORTICO_DATA_DIR: dataDir,
    PORTICO_GATEWAY_PORT: '0', PORTICO_MANAGEMENT_PORT: '0', PORTICO_IDENTITY_PORT: '0', PORTICO_ECHO_PORT: '0',
    PORTICO_LOG_LEVEL: process.env.PORTICO_LOG_LEVEL ?? 'info',
    ...env,
  }, { bannerOnStderr: true, prefix });
  await lineMatching(child, /^\s+credentials\s/);
  child.startupMs = performance.now() - started;
  return child;
}
