/**
 * Boots the real program in this process on free ports (the same startPortico that `portico start`
 * runs) and gives tests its URLs, credentials and a captured log.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig, type ConfigInput } from '../../src/config/index.js';
import { startPortico, type RunningPortico, type StartOptions } from '../../src/main.js';
import { readCredentials, type CredentialsFile } from '../../src/bootstrap/credentials-file.js';
import { createTestDatabase, type TestDatabase, type TestDialect } from './databases.js';

export interface Booted {
  readonly gatewayUrl: string;
  readonly managementUrl: string;
  readonly identityUrl: string;
  readonly echoUrl: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly credentialsPath: string;
  readonly credentials: CredentialsFile;
  /** Every log line written so far (JSON text), for "no secret in the log" checks. */
  readonly logLines: string[];
  readonly running: RunningPortico;
  stop(): Promise<void>;
}

export interface BootOptions {
  readonly dataDir?: string;
  readonly databaseUrl?: string;
  readonly logLines?: string[];
  /** Fixed ports (default: 0, a free port each); a restart that must keep its token issuer reuses them. */
  readonly ports?: Readonly<Record<'gateway' | 'management' | 'identity' | 'echo', number>>;
  /** `local` or certificate files: HTTPS on the gateway, management and identity listeners. */
  readonly tls?: ConfigInput['tls'];
  /** What Portico advertises (e.g. a TLS-terminating proxy in front of it). */
  readonly publicUrls?: ConfigInput['publicUrls'];
  /** Collects the start-up lines Portico prints. */
  readonly printed?: string[];
  /** Sees every SQL statement the store runs. */
  readonly onQuery?: StartOptions['onQuery'];
  /** Further settings (e.g. short portal sessions). */
  readonly config?: Pick<ConfigInput, 'portalSessionIdleSeconds' | 'portalSessionMaxSeconds' | 'developerSignUp'>;
}

export async function bootPortico(options: BootOptions = {}): Promise<Booted> {
  const database: TestDatabase | undefined = options.dataDir === undefined ? await createTestDatabase('sqlite') : undefined;
  const dataDir = options.dataDir ?? database!.dataDir;
  const logLines = options.logLines ?? [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(...String(chunk).split('\n').filter((line) => line !== ''));
      done();
    },
  });
  const config = loadConfig({}, {
    dataDir,
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
    ports: options.ports ?? { gateway: 0, management: 0, identity: 0, echo: 0 },
    logLevel: 'debug',
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.publicUrls ? { publicUrls: options.publicUrls } : {}),
    ...options.config,
  });
  const printed = options.printed;
  const running = await startPortico(config, { logger: pino({ level: 'debug' }, sink), print: printed ? (line) => printed.push(line) : () => undefined, env: {}, ...(options.onQuery ? { onQuery: options.onQuery } : {}) });
  const credentials = (await readCredentials(running.credentialsPath))!;
  return {
    gatewayUrl: running.urls.gateway,
    managementUrl: running.urls.management,
    identityUrl: running.urls.identity,
    echoUrl: running.urls.echo,
    dataDir,
    databaseUrl: options.databaseUrl,
    credentialsPath: running.credentialsPath,
    credentials,
    logLines,
    running,
    async stop() {
      await running.stop();
      await database?.drop();
    },
  };
}

/** A fresh database of the given dialect plus a booted Portico on it; `drop` removes both. */
export async function bootOn(dialect: TestDialect, options: Pick<BootOptions, 'onQuery'> = {}): Promise<Booted & { database: TestDatabase }> {
  const database = await createTestDatabase(dialect);
  const booted = await bootPortico({ ...options, dataDir: database.dataDir, ...(database.databaseUrl ? { databaseUrl: database.databaseUrl } : {}) });
  return {
    ...booted,
    database,
    async stop() {
      await booted.running.stop();
      await database.drop();
    },
  };
}
