/**
 * `portico start` as a user runs it: a real child process on a fresh data directory, then a second
 * start that must change nothing. Needs the build (`npm test` builds first).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtemp, rm, stat, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { dumpDatabase } from '../helpers/dump.js';

const BIN = new URL('../../bin/portico.js', import.meta.url).pathname;

interface Started {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: string[];
  readonly stderr: string[];
  readonly ready: Promise<void>;
}

function startProcess(env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, [BIN, 'start'], { env: { ...process.env, ...env } });
  const stdout: string[] = [];
  const stderr: string[] = [];
  let partial = '';
  let partialOut = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (partialOut + chunk.toString()).split('\n');
      partialOut = lines.pop()!;
      stdout.push(...lines.filter(Boolean));
    });
    // The banner is on stderr; only whole lines: a chunk may end in the middle of one.
    child.stderr.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      stderr.push(...lines.filter(Boolean));
      if (stderr.some((line) => line.trim().startsWith('credentials '))) resolve();
    });
    child.on('exit', (code) => reject(new Error(`portico start exited with ${code}: ${stderr.join('')}`)));
  });
  return { child, stdout, stderr, ready };
}

async function stopProcess(started: Started): Promise<number | null> {
  if (started.child.exitCode !== null) return started.child.exitCode;
  const exited = new Promise<number | null>((resolve) => started.child.on('exit', (code) => resolve(code)));
  started.child.kill('SIGTERM');
  return exited;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let dataDir: string;
let env: NodeJS.ProcessEnv;
let first: Started;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'portico-start-'));
  env = {
    PORTICO_DATA_DIR: dataDir,
    PORTICO_DATABASE_URL: '',
    PORTICO_GATEWAY_PORT: String(await freePort()),
    PORTICO_MANAGEMENT_PORT: String(await freePort()),
    PORTICO_IDENTITY_PORT: String(await freePort()),
    PORTICO_ECHO_PORT: String(await freePort()),
  };
  first = startProcess(env);
  await first.ready;
});
afterAll(async () => {
  if (first) await stopProcess(first);
  await rm(dataDir, { recursive: true, force: true });
});

test('prints one line per listener with its URL, then where the credentials are, on stderr; stdout has only JSON log lines', async () => {
  expect(first.stderr[0]).toMatch(/^Portico is up \(SQLite in .*, tenant [0-9a-f-]{36}\):$/);
  expect(first.stderr.slice(1, 7)).toEqual([
    `  gateway     http://localhost:${env.PORTICO_GATEWAY_PORT}`,
    `  management  http://localhost:${env.PORTICO_MANAGEMENT_PORT}`,
    `  portals     http://localhost:${env.PORTICO_MANAGEMENT_PORT}/ (admin: sign in with adminUser from credentials.json), http://localhost:${env.PORTICO_MANAGEMENT_PORT}/developer`,
    `  identity    http://localhost:${env.PORTICO_IDENTITY_PORT}`,
    `  echo        http://127.0.0.1:${env.PORTICO_ECHO_PORT}`,
    `  credentials ${join(dataDir, 'credentials.json')}`,
  ]);
  // Not a terminal: JSON lines, each one a pino record (written in batches: wait for the start-up line).
  while (!first.stdout.some((line) => line.includes('admin credentials are in'))) await new Promise((resolve) => setTimeout(resolve, 20));
  for (const line of first.stdout) expect(JSON.parse(line)).toMatchObject({ service: 'portico', level: expect.any(Number) });
});

test('--log-format pretty (PORTICO_LOG_FORMAT) writes readable lines, uncoloured when stdout is not a terminal', async () => {
  const ports = { PORTICO_GATEWAY_PORT: '0', PORTICO_MANAGEMENT_PORT: '0', PORTICO_IDENTITY_PORT: '0', PORTICO_ECHO_PORT: '0' };
  const pretty = startProcess({ ...env, ...ports, PORTICO_DATA_DIR: join(dataDir, 'pretty'), PORTICO_LOG_FORMAT: 'pretty' });
  try {
    await pretty.ready;
    while (!pretty.stdout.some((line) => line.includes('admin credentials are in'))) await new Promise((resolve) => setTimeout(resolve, 20));
    const line = pretty.stdout.find((l) => l.includes('admin credentials are in'))!;
    expect(line).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: admin credentials are in .*credentials\.json \{"credentialsFile":/);
    expect(pretty.stdout.some((l) => l.startsWith('{'))).toBe(false);
  } finally {
    expect(await stopProcess(pretty)).toBe(0);
  }
});

test('the gateway answers the APIM health probe', async () => {
  const response = await fetch(`http://127.0.0.1:${env.PORTICO_GATEWAY_PORT}/status-0123456789abcdef`);
  expect(response.status).toBe(200);
});

test('credentials.json has exactly the documented keys and mode 0600, and the log names it without secrets', async () => {
  const path = join(dataDir, 'credentials.json');
  expect((await stat(path)).mode & 0o777).toBe(0o600);
  const credentials = JSON.parse(await readFile(path, 'utf8'));
  expect(Object.keys(credentials).sort()).toEqual(
    ['tenantId', 'subscriptionId', 'resourceGroup', 'serviceName', 'gatewayUrl', 'managementUrl', 'identityUrl', 'managementScope', 'admin', 'adminUser'].sort(),
  );
  expect(Object.keys(credentials.admin).sort()).toEqual(['clientId', 'clientSecret']);
  expect(Object.keys(credentials.adminUser).sort()).toEqual(['email', 'password']);
  expect(credentials.managementScope).toBe('https://management.portico.local/.default');
  const log = [...first.stdout, ...first.stderr].join('\n');
  expect(log).toContain(path);
  expect(log).not.toContain(credentials.admin.clientSecret);
  expect(log).not.toContain(credentials.adminUser.password);
});

test('a second process on the same data directory refuses to start', async () => {
  const ports = { PORTICO_GATEWAY_PORT: '0', PORTICO_MANAGEMENT_PORT: '0', PORTICO_IDENTITY_PORT: '0', PORTICO_ECHO_PORT: '0' };
  const second = startProcess({ ...env, ...ports });
  second.ready.catch(() => undefined); // it is meant to fail
  const code = await new Promise<number | null>((resolve) => second.child.on('exit', resolve));
  expect(code).toBe(1);
  expect(second.stderr.join('')).toContain(`Another Portico process is using the data directory ${dataDir}.`);
});

test('SIGTERM stops it cleanly and a second start changes nothing', async () => {
  const before = await dumpDatabase(dataDir, undefined);
  const credentialsBefore = await readFile(join(dataDir, 'credentials.json'), 'utf8');
  expect(await stopProcess(first)).toBe(0);
  const second = startProcess(env);
  try {
    await second.ready;
    expect(await dumpDatabase(dataDir, undefined)).toEqual(before);
    expect(await readFile(join(dataDir, 'credentials.json'), 'utf8')).toBe(credentialsBefore);
  } finally {
    expect(await stopProcess(second)).toBe(0);
  }
});

/** A listener on a free 127.0.0.1 port, standing in for another program that holds it. */
async function blockPort(): Promise<{ port: number; close: () => void }> {
  const blocker = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => blocker.once('listening', resolve));
  return { port: (blocker.address() as { port: number }).port, close: () => blocker.close() };
}

/** Starts Portico where it must fail; its exit code and stderr. */
async function failedStart(extra: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  const busy = startProcess({ ...env, ...extra });
  busy.ready.catch(() => undefined); // it is meant to fail
  const code = await new Promise<number | null>((resolve) => busy.child.on('exit', resolve));
  return { code, stderr: busy.stderr.join('\n') };
}

test('a port already in use fails fast with a message naming the variable and the flag, before writing anything', async () => {
  const blocker = await blockPort();
  const other = join(dataDir, 'other');
  try {
    const ports = { PORTICO_GATEWAY_PORT: '0', PORTICO_MANAGEMENT_PORT: '0', PORTICO_IDENTITY_PORT: String(blocker.port), PORTICO_ECHO_PORT: '0' };
    const { code, stderr } = await failedStart({ ...ports, PORTICO_DATA_DIR: other });
    expect(code).toBe(1);
    expect(stderr).toContain(`The identity port ${blocker.port} on 127.0.0.1 is already in use. Stop what uses it or set PORTICO_IDENTITY_PORT or --identity-port (0 picks a free port).`);
    // Checked before the data directory is made: no half-seeded portico.db is left behind.
    await expect(stat(other)).rejects.toMatchObject({ code: 'ENOENT' });
  } finally {
    blocker.close();
  }
});

test('several ports in use are reported together, in one start', async () => {
  const gateway = await blockPort();
  const echo = await blockPort();
  const other = join(dataDir, 'other-several');
  try {
    const ports = { PORTICO_GATEWAY_PORT: String(gateway.port), PORTICO_MANAGEMENT_PORT: '0', PORTICO_IDENTITY_PORT: '0', PORTICO_ECHO_PORT: String(echo.port) };
    const { code, stderr } = await failedStart({ ...ports, PORTICO_DATA_DIR: other });
    expect(code).toBe(1);
    const width = 'gateway'.length;
    expect(stderr).toContain(
      [
        '2 ports on 127.0.0.1 are already in use:',
        `  ${'gateway'.padEnd(width)}  ${String(gateway.port).padEnd(5)}  set PORTICO_GATEWAY_PORT or --gateway-port`,
        `  ${'echo'.padEnd(width)}  ${String(echo.port).padEnd(5)}  set PORTICO_ECHO_PORT or --echo-port`,
        'Stop what uses them or choose other ports (0 picks a free port). If that is a Portico already running, `portico status` shows it.',
      ].join('\n'),
    );
    await expect(stat(other)).rejects.toMatchObject({ code: 'ENOENT' });
  } finally {
    gateway.close();
    echo.close();
  }
});
