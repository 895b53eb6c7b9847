import type { Command } from 'commander';
import { usageError as usage } from '../cli-error.js';
import { LISTENERS, PUBLIC_LISTENERS, loadConfig, type ConfigInput, type ListenerName, type PublicListener } from '../../config/index.js';
import { parsePort } from '../args.js';
import type { Deps } from './shared.js';

export interface StartDeps extends Deps {
  /** Ends the process (injected so a test can observe shutdown). */
  exit(code: number): void;
}

export function registerStartCommand(program: Command, deps: StartDeps): void {
  program
    .command('start')
    .description('start Portico: gateway, management API, identity provider and echo backend')
    .option('--data-dir <dir>', 'data directory: SQLite file and credentials.json (env PORTICO_DATA_DIR; default ./.portico)')
    .option('--database-url <url>', 'postgres://… to use PostgreSQL instead of SQLite (env PORTICO_DATABASE_URL)')
    .option('--host <host>', 'interface every listener binds to (env PORTICO_HOST; default 127.0.0.1)')
    .option('--gateway-port <port>', 'gateway port, 0 = any free port (env PORTICO_GATEWAY_PORT; default 8080)', parsePort)
    .option('--management-port <port>', 'management API and portals port (env PORTICO_MANAGEMENT_PORT; default 8081)', parsePort)
    .option('--identity-port <port>', 'identity provider port (env PORTICO_IDENTITY_PORT; default 8082)', parsePort)
    .option('--echo-port <port>', 'built-in echo backend port (env PORTICO_ECHO_PORT; default 8083)', parsePort)
    .option('--tls <mode>', '"local": HTTPS with a certificate from a CA Portico makes in <data dir>/tls; "off": plain http (env PORTICO_TLS)')
    .option('--tls-cert <file>', 'HTTPS with this PEM certificate (chain) file; needs --tls-key (env PORTICO_TLS_CERT)')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert (env PORTICO_TLS_KEY)')
    .option('--public-gateway-url <url>', 'URL clients use for the gateway, e.g. behind a proxy (env PORTICO_PUBLIC_GATEWAY_URL)')
    .option('--public-management-url <url>', 'URL clients use for the management API (env PORTICO_PUBLIC_MANAGEMENT_URL)')
    .option('--public-identity-url <url>', 'URL clients use for the identity provider; part of every token\'s issuer (env PORTICO_PUBLIC_IDENTITY_URL)')
    .option('--audit-retention-days <days>', 'days audit events are kept before the hourly clean-up deletes them (env PORTICO_AUDIT_RETENTION_DAYS; default 90)')
    .option('--signing-key-rotation-days <days>', 'days each token-signing key signs before the next takes over (env PORTICO_SIGNING_KEY_ROTATION_DAYS; default 42)')
    .option('--only <roles>', 'run only these listeners: gateway, management, identity (a comma list, or the flag repeated; default all); many nodes need PostgreSQL (env PORTICO_ONLY)', collect)
    .option('--max-feed-lag-ms <ms>', 'how long a node may lose its change feed before its gateway refuses requests (503) and /readyz fails (env PORTICO_MAX_FEED_LAG_MS; default 3000)')
    .option('--workers <n>', 'gateway processes sharing the gateway port (node:cluster); 0 = the gateway runs in the main process (env PORTICO_WORKERS; default 0)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (env PORTICO_LOG_LEVEL; default info)')
    .option('--log-format <format>', 'json (JSON lines), pretty (for people) or auto: pretty when stdout is a terminal, else json (env PORTICO_LOG_FORMAT; default auto)')
    .addHelpText(
      'after',
      [
        '',
        'Flags win over the PORTICO_* variables. The first start writes the admin credentials to',
        '<data dir>/credentials.json, which the other portico commands read.',
        '',
        'The start-up lines (URLs, credentials file, CA) go to stderr; stdout carries only the log:',
        'readable lines on a terminal, JSON lines otherwise (--log-format json|pretty to choose).',
        '',
        'Without --tls* the listeners serve plain http. The URLs Portico advertises (discovery, token',
        'issuer, nextLink, credentials.json) default to the scheme it serves + localhost + the port.',
        '',
        'Examples:',
        '  $ portico start',
        '  $ portico start --tls local        # then trust the CA it prints (NODE_EXTRA_CA_CERTS=…)',
        '  $ portico start --tls-cert cert.pem --tls-key key.pem',
        '  $ portico start --public-identity-url https://login.example.com --public-management-url https://management.example.com --public-gateway-url https://api.example.com',
        '  $ portico start --data-dir /var/lib/portico --gateway-port 9080',
        '  $ portico start --workers 4       # four gateway processes on the gateway port',
        '  $ PORTICO_DATABASE_URL=postgres://portico@localhost/portico portico start',
        '  $ PORTICO_DATABASE_URL=postgres://… portico start --only gateway    # one of many gateway nodes',
        '  $ PORTICO_DATABASE_URL=postgres://… portico start --only management,identity',
        '',
        'Every listener answers GET /healthz (alive) and GET /readyz (ready for traffic; JSON says why not).',
        '',
      ].join('\n'),
    )
    .action(async (options: Record<string, unknown>) => {
      const config = loadConfig(process.env, startOverrides(options));
      // Loaded here so that the other commands do not load the server and its database drivers.
      const { startPortico } = await import('../../main.js');
      // Listen for signals before starting: one that arrives while Portico is still starting (or just
      // after it printed its URLs) must stop it cleanly, not kill the process half way.
      let running: Awaited<ReturnType<typeof startPortico>> | undefined;
      let pending: NodeJS.Signals | undefined;
      let stopping = false;
      const stop = (signal: NodeJS.Signals): void => {
        if (running === undefined) {
          pending = signal;
          return;
        }
        if (stopping) return deps.exit(1); // a second Ctrl-C does not wait
        stopping = true;
        deps.io.err(`Stopping Portico (${signal})…\n`);
        running.stop().then(
          () => deps.exit(0),
          (error: unknown) => {
            deps.io.err(`error: while stopping: ${error instanceof Error ? error.message : String(error)}\n`);
            deps.exit(1);
          },
        );
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      try {
        running = await startPortico(config); // prints the listening lines and the credentials path (stderr)
      } catch (error) {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        throw error;
      }
      if (pending !== undefined) stop(pending);
    });
}

/** Only the flags given, in loadConfig's shape (it reads the PORTICO_* variables for the rest). */
export function startOverrides(options: Record<string, unknown>): ConfigInput {
  const overrides: ConfigInput = {};
  if (typeof options.dataDir === 'string') overrides.dataDir = options.dataDir;
  if (typeof options.databaseUrl === 'string') overrides.databaseUrl = options.databaseUrl;
  if (typeof options.host === 'string') overrides.host = options.host;
  if (typeof options.logLevel === 'string') overrides.logLevel = options.logLevel;
  if (typeof options.logFormat === 'string') overrides.logFormat = options.logFormat;
  // Validated by loadConfig with the variable's rule; a non-number reaches it as NaN and is refused there.
  if (typeof options.signingKeyRotationDays === 'string') overrides.signingKeyRotationDays = Number(options.signingKeyRotationDays);
  if (typeof options.auditRetentionDays === 'string') overrides.auditRetentionDays = Number(options.auditRetentionDays);
  if (typeof options.workers === 'string') overrides.workers = Number(options.workers);
  if (Array.isArray(options.only)) overrides.roles = options.only as string[];
  if (typeof options.maxFeedLagMs === 'string') overrides.maxFeedLagMs = Number(options.maxFeedLagMs);
  if (options.tls !== undefined) {
    const mode = String(options.tls).toLowerCase();
    if (mode !== 'local' && mode !== 'off') throw usage(`--tls takes "local" or "off"; for your own certificate use --tls-cert and --tls-key.`);
    if (options.tlsCert !== undefined || options.tlsKey !== undefined) throw usage(`--tls ${mode} cannot be combined with --tls-cert and --tls-key.`);
    overrides.tls = mode;
  } else if (options.tlsCert !== undefined || options.tlsKey !== undefined) {
    if (typeof options.tlsCert !== 'string') throw usage('--tls-key needs --tls-cert (the PEM certificate file) too.');
    if (typeof options.tlsKey !== 'string') throw usage('--tls-cert needs --tls-key (the PEM private key file) too.');
    overrides.tls = { certFile: options.tlsCert, keyFile: options.tlsKey };
  }
  const publicUrls: Partial<Record<PublicListener, string>> = {};
  for (const name of PUBLIC_LISTENERS) {
    const value = options[`public${name[0]!.toUpperCase()}${name.slice(1)}Url`];
    if (typeof value === 'string') publicUrls[name] = value;
  }
  if (Object.keys(publicUrls).length > 0) overrides.publicUrls = publicUrls;
  const ports: Partial<Record<ListenerName, number>> = {};
  for (const name of LISTENERS) {
    const value = options[`${name}Port`];
    if (typeof value === 'number') ports[name] = value;
  }
  if (Object.keys(ports).length > 0) overrides.ports = ports;
  return overrides;
}


/** A repeatable option: every value given, in order. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
