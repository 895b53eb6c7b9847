/**
 * `portico start` as a user runs it: the built program (`npm test` builds first) in a child process
 * on free ports, ready once its start-up banner (stderr) names the credentials file. stdout is kept
 * line by line (the JSON log: tests read the access log's `worker` field from it).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CredentialsFile } from '../../src/bootstrap/credentials-file.js';
import { ManagementClient } from './clients.js';

const BIN = new URL('../../bin/portico.js', import.meta.url).pathname;

export interface PorticoProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** The log, one JSON line an entry, as it arrives. */
  readonly stdout: string[];
  readonly credentials: CredentialsFile;
  readonly admin: ManagementClient;
  /** A graceful stop (SIGTERM), resolved once the process has exited. */
  stop(): Promise<void>;
}

export async function startPorticoProcess(options: { readonly dataDir: string; readonly args: readonly string[]; readonly env?: Record<string, string> }): Promise<PorticoProcess> {
  const child = spawn(process.execPath, [BIN, 'start', ...options.args], {
    env: {
      ...process.env,
      PORTICO_DATA_DIR: options.dataDir,
      PORTICO_DATABASE_URL: '',
      PORTICO_GATEWAY_PORT: '0',
      PORTICO_MANAGEMENT_PORT: '0',
      PORTICO_IDENTITY_PORT: '0',
      PORTICO_ECHO_PORT: '0',
      PORTICO_LOG_LEVEL: 'info',
      ...options.env,
    },
  });
  // A test run that ends early (a timeout, an interrupted run) must not leave the server running.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  const stdout: string[] = [];
  const stderr: string[] = [];
  let partial = '';
  let partialErr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    stdout.push(...lines.filter(Boolean));
  });
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      const lines = (partialErr + chunk.toString()).split('\n');
      partialErr = lines.pop()!;
      stderr.push(...lines.map((line) => `${line}\n`));
      if (lines.some((line) => line.trim().startsWith('credentials '))) resolve();
    });
    child.on('exit', (code) => reject(new Error(`portico start ${options.args.join(' ')} exited with ${code}: ${stderr.join('')}`)));
  });
  const credentials = JSON.parse(await readFile(join(options.dataDir, 'credentials.json'), 'utf8')) as CredentialsFile;
  return {
    child,
    stdout,
    credentials,
    admin: new ManagementClient(credentials),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
