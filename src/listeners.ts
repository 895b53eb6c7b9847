import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, isIPv6, type AddressInfo, type Server as NetServer } from 'node:net';
import { AppError } from './errors/index.js';
import type { ListenerName } from './config/index.js';
import type { ServerCertificate } from './tls/index.js';

/** Limits of the identity and management listeners (the gateway and echo servers set their own). */
const HEADERS_TIMEOUT_MS = 30_000; // 30 seconds to send the request head
const REQUEST_TIMEOUT_MS = 300_000; // 5 minutes for a whole request
const KEEP_ALIVE_TIMEOUT_MS = 72_000; // longer than common load balancers' 60 s idle timeout
const MAX_HEADER_BYTES = 32_768; // 32 KiB of request headers
/** With port 0, how often to pick another port when the other loopback family has it taken. */
const FREE_PORT_ATTEMPTS = 5;

/** An http server, or an https one when a certificate is given (https.Server is an http.Server to its users). */
export function newServer(tls?: ServerCertificate): Server {
  const options = { maxHeaderSize: MAX_HEADER_BYTES };
  const server = tls ? (createHttpsServer({ ...options, cert: tls.cert, key: tls.key }) as unknown as Server) : createServer(options);
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  return server;
}

/** Swaps the certificate of a running https server (a renewed local certificate); new handshakes use it. */
export function replaceCertificate(server: Server, tls: ServerCertificate): void {
  (server as unknown as { setSecureContext(options: ServerCertificate): void }).setSecureContext({ cert: tls.cert, key: tls.key });
}

export function isHttps(server: Server): boolean {
  return typeof (server as unknown as { setSecureContext?: unknown }).setSecureContext === 'function';
}

/** A listening server: the address it is bound to, and how to stop it. */
export interface Listening {
  /** Where this process is reached directly, e.g. `https://127.0.0.1:8082` (not necessarily what is advertised). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Listens and returns the bound address; a busy port fails with the variable that sets it. On a
 * loopback or wildcard IPv4 address it also listens on the other loopback family (::1), because
 * the advertised host is `localhost` and some clients resolve it to ::1 first.
 */
export async function listen(server: Server, name: ListenerName, host: string, port: number): Promise<Listening> {
  const bindHost = host === 'localhost' ? '127.0.0.1' : host;
  const companionHost = loopbackCompanion(bindHost);
  for (let attempt = 1; ; attempt++) {
    await listenOn(server, name, bindHost, port);
    const bound = (server.address() as AddressInfo).port;
    let companion: NetServer | undefined;
    if (companionHost !== undefined) {
      try {
        companion = await listenCompanion(server, companionHost, bound);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') {
          await closeServer(server);
          if (port === 0 && attempt < FREE_PORT_ATTEMPTS) continue;
          throw new AppError('ERR_CONFIG_INVALID', `The ${name} port ${bound} is free on ${bindHost} but taken on ${companionHost}, where clients that resolve localhost also connect. Stop what uses it or set ${portVariable(name)}.`);
        }
        // No IPv6 on this machine (EADDRNOTAVAIL, EAFNOSUPPORT): localhost then means 127.0.0.1 only.
      }
    }
    const scheme = isHttps(server) ? 'https' : 'http';
    return {
      url: `${scheme}://${urlHost(bindHost)}:${bound}`,
      port: bound,
      close: async () => {
        await Promise.all([closeServer(server), companion ? closeNet(companion) : Promise.resolve()]);
      },
    };
  }
}

/**
 * What a listener advertises when no public URL is configured: its scheme, `localhost` when it is
 * bound to loopback or to every interface (else the bound host), and its port.
 */
export function defaultPublicUrl(listening: Listening, host: string): string {
  const url = new URL(listening.url);
  const advertised = isLoopbackOrWildcard(host) ? 'localhost' : urlHost(host);
  return `${url.protocol}//${advertised}:${listening.port}`;
}

function isLoopbackOrWildcard(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host) || host === '0.0.0.0' || host === '::' || host === '';
}

/** ::1 next to an IPv4 loopback or wildcard bind; '::' already takes IPv6 and IPv4 loopback. */
function loopbackCompanion(host: string): string | undefined {
  if (host === '127.0.0.1' || host === '0.0.0.0' || host === '') return '::1';
  if (host === '::1') return '127.0.0.1';
  return undefined;
}

async function listenOn(server: Server | NetServer, name: ListenerName, host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      const variable = portVariable(name);
      if (error.code === 'EADDRINUSE') reject(new AppError('ERR_CONFIG_INVALID', `The ${name} port ${port} on ${host} is already in use. Stop what uses it or set ${variable} (0 picks a free port).`));
      else if (error.code === 'EACCES') reject(new AppError('ERR_CONFIG_INVALID', `Not allowed to listen on ${host}:${port} for the ${name}. Choose a port above 1023 with ${variable}.`));
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') reject(new AppError('ERR_CONFIG_INVALID', `PORTICO_HOST '${host}' is not an address of this machine.`));
      else reject(error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** A plain TCP listener that hands each connection to `server`, which then does TLS and HTTP as usual. */
async function listenCompanion(server: Server, host: string, port: number): Promise<NetServer> {
  const companion = createNetServer((socket) => server.emit('connection', socket));
  await new Promise<void>((resolve, reject) => {
    companion.once('error', reject);
    companion.listen(port, host, () => {
      companion.off('error', reject);
      resolve();
    });
  });
  return companion;
}

function portVariable(name: ListenerName): string {
  return `PORTICO_${name.toUpperCase()}_PORT`;
}

/** Where a listener's port is set: its variable and its `portico start` flag. */
function portSetting(name: ListenerName): string {
  return `${portVariable(name)} or --${name}-port`;
}

/**
 * Before anything is written: checks every port this process will bind (0 needs no check) and
 * reports all that are taken in one message, each with its variable and flag — not one per start.
 * Each port is tried on the address and, like listen(), on the other loopback family. Only a port
 * in use is reported here; listen() still reports anything else (and a port taken meanwhile).
 */
export async function checkPortsFree(host: string, ports: ReadonlyArray<readonly [ListenerName, number]>): Promise<void> {
  const bindHost = host === 'localhost' ? '127.0.0.1' : host;
  const hosts = [bindHost, loopbackCompanion(bindHost)].filter((item): item is string => item !== undefined);
  const taken: Array<readonly [ListenerName, number]> = [];
  for (const [name, port] of ports) {
    if (port === 0) continue;
    for (const candidate of hosts) {
      if (await inUse(candidate, port)) {
        taken.push([name, port]);
        break;
      }
    }
  }
  if (taken.length === 1) {
    const [name, port] = taken[0]!;
    throw new AppError('ERR_CONFIG_INVALID', `The ${name} port ${port} on ${bindHost} is already in use. Stop what uses it or set ${portSetting(name)} (0 picks a free port).${ANOTHER_PORTICO}`);
  }
  if (taken.length > 1) {
    const width = Math.max(...taken.map(([name]) => name.length));
    const lines = taken.map(([name, port]) => `  ${name.padEnd(width)}  ${String(port).padEnd(5)}  set ${portSetting(name)}`);
    throw new AppError('ERR_CONFIG_INVALID', [`${taken.length} ports on ${bindHost} are already in use:`, ...lines, `Stop what uses them or choose other ports (0 picks a free port).${ANOTHER_PORTICO}`].join('\n'));
  }
}

/** The likeliest holder of Portico's ports is a Portico started earlier (the ports are checked before the data directory's lock). */
const ANOTHER_PORTICO = ' If that is a Portico already running, `portico status` shows it.';

/** Whether host:port is taken (EADDRINUSE); any other failure (no IPv6, not allowed) is not "in use". */
async function inUse(host: string, port: number): Promise<boolean> {
  const probe = createNetServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen({ port, host, exclusive: true }, () => resolve());
    });
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
  }
  await closeNet(probe);
  return false;
}

/** Where a listener on host:port is reached directly, e.g. `http://127.0.0.1:8080`. */
export function listeningUrl(scheme: 'http' | 'https', host: string, port: number): string {
  return `${scheme}://${urlHost(host)}:${port}`;
}

/**
 * A port free on `host` right now (the OS picks it), for listeners whose port must be known before
 * they listen: `--workers` shares one port among processes that each ask for it by number.
 */
export async function pickFreePort(host: string): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, host, () => resolve());
  });
  const { port } = probe.address() as AddressInfo;
  await closeNet(probe);
  return port;
}

/** Wildcard binds are reached through loopback; IPv6 literals need brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return isIPv6(host) ? `[${host}]` : host;
}

export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function closeNet(server: NetServer): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
