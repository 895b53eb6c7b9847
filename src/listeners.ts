import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from './errors/index.js';
import type { ListenerName } from './config/index.js';

/** Limits of the identity and management listeners (the gateway and echo servers set their own). */
const HEADERS_TIMEOUT_MS = 30_000; // 30 seconds to send the request head
const REQUEST_TIMEOUT_MS = 300_000; // 5 minutes for a whole request
const KEEP_ALIVE_TIMEOUT_MS = 72_000; // longer than common load balancers' 60 s idle timeout
const MAX_HEADER_BYTES = 32_768; // 32 KiB of request headers

export function newServer(): Server {
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES });
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  return server;
}

/** Listens and returns the URL clients use; a busy port fails with the variable that sets it. */
export async function listen(server: Server, name: ListenerName, host: string, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      const variable = `PORTICO_${name.toUpperCase()}_PORT`;
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
  const address = server.address() as AddressInfo;
  return `http://${urlHost(host)}:${address.port}`;
}

/** Wildcard binds are reached through loopback; IPv6 literals need brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
