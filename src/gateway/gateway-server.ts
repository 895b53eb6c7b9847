import { createServer as createHttpsServer } from 'node:https';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { authenticate } from './authenticate.js';
import type { RevokedApplication } from './authorize-token.js';
import { errorBody, GatewayMessages, sendGatewayError } from './errors.js';
import type { BackendProxy } from './proxy.js';
import { matchRoute } from './router.js';
import type { Snapshot } from './snapshot.js';
import { stripKeyFromQuery } from './subscription-key.js';
import type { VerifiedTokenCache } from './token-cache.js';
import type { ServerCertificate } from '../tls/index.js';

/** APIM's health probe path: 200 with an empty body when the gateway is up. */
export const STATUS_PATH = '/status-0123456789abcdef';

const SERVER_LIMITS = {
  maxHeaderSize: 16_384, // bytes of request head (Node's default, stated so it is visible)
  headersTimeout: 30_000, // ms to receive the request head
  requestTimeout: 300_000, // ms to receive the whole request, body included (long uploads)
  keepAliveTimeout: 65_000, // ms an idle client connection stays open; above common LB idle timeouts
};

export interface GatewayServerDeps {
  /** The current snapshot, read once per request so a request sees one consistent view; undefined while it cannot be trusted (503). */
  readonly snapshot: () => Snapshot | undefined;
  readonly tokens: VerifiedTokenCache;
  readonly proxy: BackendProxy;
  readonly logger: Logger;
  /** The advertised base URL, for WWW-Authenticate realms (never the Host header, which the caller controls). */
  readonly publicUrl: () => string;
  readonly tls?: ServerCertificate;
  /** Records refusals of revoked applications (a bounded in-memory queue; never the store here). */
  readonly onRevoked?: (revoked: RevokedApplication) => void;
}

interface AccessLog {
  method: string;
  path: string;
  status?: number;
  durationMs?: number;
  apiId?: string;
  operationId?: string;
  productId?: string;
  subscriptionId?: string;
  clientAppId?: string;
  /** The connection closed before the response was complete. */
  aborted?: boolean;
}

export function createGatewayServer(deps: GatewayServerDeps): Server {
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(deps, req, res).catch((err: unknown) => {
      deps.logger.error({ err }, 'gateway request failed');
      if (!res.headersSent) sendGatewayError(res, 500, GatewayMessages.internal);
      else res.destroy();
    });
  };
  const options = { maxHeaderSize: SERVER_LIMITS.maxHeaderSize };
  // An https.Server serves requests exactly as an http.Server does; only the socket differs.
  const server = deps.tls
    ? (createHttpsServer({ ...options, cert: deps.tls.cert, key: deps.tls.key }, onRequest) as unknown as Server)
    : createServer(options, onRequest);
  server.headersTimeout = SERVER_LIMITS.headersTimeout;
  server.requestTimeout = SERVER_LIMITS.requestTimeout;
  server.keepAliveTimeout = SERVER_LIMITS.keepAliveTimeout;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => answerClientError(err, socket));
  return server;
}

async function handle(deps: GatewayServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const method = req.method ?? 'GET';
  const { pathname, rawQuery } = splitUrl(req.url ?? '/');

  if (pathname === STATUS_PATH && (method === 'GET' || method === 'HEAD')) {
    // Not ready while the configuration could not be brought up to date (a load balancer moves on).
    res.writeHead(deps.snapshot() === undefined ? 503 : 200, { 'content-length': 0 });
    res.end();
    return;
  }

  const log: AccessLog = { method, path: pathname };
  res.once('close', () => {
    log.status = res.statusCode;
    log.durationMs = Math.round((performance.now() - started) * 10) / 10;
    if (!res.writableFinished) log.aborted = true;
    deps.logger.info(log, 'gateway request');
  });

  const snapshot = deps.snapshot();
  if (snapshot === undefined) {
    sendGatewayError(res, 503, GatewayMessages.configurationStale, { 'retry-after': '1' });
    return;
  }
  const route = matchRoute(snapshot.apis, method, pathname);
  if (!route) {
    sendGatewayError(res, 404, GatewayMessages.notFound);
    return;
  }
  const { api } = route;
  log.apiId = api.id;
  log.operationId = route.operation.id;

  const proto = (req.socket as TLSSocket).encrypted ? 'https' : 'http';
  const realm = `${deps.publicUrl()}/${api.path}`;
  const decision = await authenticate({ snapshot, api, headers: req.headers, rawQuery, realm, tokens: deps.tokens, ...(deps.onRevoked ? { onRevoked: deps.onRevoked } : {}) });
  if (!decision.ok) {
    sendGatewayError(res, 401, decision.message, { 'www-authenticate': decision.wwwAuthenticate });
    return;
  }
  const { context } = decision;
  if (context.productId !== undefined) log.productId = context.productId;
  if (context.subscriptionId !== undefined) log.subscriptionId = context.subscriptionId;
  if (context.clientAppId !== undefined) log.clientAppId = context.clientAppId;

  if (!api.backend) {
    sendGatewayError(res, 500, GatewayMessages.noBackend);
    return;
  }
  await deps.proxy.forward({
    req,
    res,
    backend: api.backend,
    remainder: route.remainder,
    query: stripKeyFromQuery(rawQuery, api.keyQueryName),
    keyHeaderLower: api.keyHeaderLower,
    proto,
  });
}

/** Raw path and query of an origin-form target; absolute-form (proxy style) targets are accepted too. */
function splitUrl(target: string): { pathname: string; rawQuery: string } {
  let url = target;
  if (!url.startsWith('/')) {
    try {
      const parsed = new URL(url);
      url = `${parsed.pathname}${parsed.search}`;
    } catch {
      return { pathname: '', rawQuery: '' };
    }
  }
  const q = url.indexOf('?');
  return q === -1 ? { pathname: url, rawQuery: '' } : { pathname: url.slice(0, q), rawQuery: url.slice(q + 1) };
}


/** Malformed requests get APIM's JSON error shape too, then the connection closes. */
function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const message = status === 431 ? GatewayMessages.headersTooLarge : status === 408 ? GatewayMessages.requestTimeout : GatewayMessages.badRequest;
  const body = errorBody(status, message);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
