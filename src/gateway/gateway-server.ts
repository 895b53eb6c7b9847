import { createServer as createHttpsServer } from 'node:https';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { errorBody, GatewayMessages, sendGatewayError } from './errors.js';
import { GatewayCall, type Pipeline } from './policies/index.js';
import { Refusals } from './policies/refusals.js';
import type { Snapshot } from './snapshot.js';
import type { ServerCertificate } from '../tls/index.js';
import { requestIdOf, tagRequestId } from './observability/index.js';
import { responseClosed } from './proxy.js';

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
  /** The policies, by phase (policies/pipeline.ts). */
  readonly pipeline: Pipeline;
  readonly logger: Logger;
  readonly tls?: ServerCertificate;
}

/** Where a response's GatewayCall waits for its log phase, so one shared 'close' listener serves every request. */
const CALL = Symbol('gatewayCall');
type WithCall = ServerResponse & { [CALL]?: GatewayCall };

export function createGatewayServer(deps: GatewayServerDeps): Server {
  const { pipeline, logger } = deps;
  // One listener for all requests (no closure per request): the log phase, once the response is
  // over; then the proxy learns of it (the forward policy passes `closeWatched`, so it adds none).
  function onResponseClose(this: WithCall): void {
    const call = this[CALL];
    if (call !== undefined) pipeline.log(call);
    responseClosed(this);
  }
  const fail = (res: ServerResponse, err: unknown): void => {
    logger.error({ err }, 'gateway request failed');
    if (!res.headersSent) sendGatewayError(res, 500, GatewayMessages.internal);
    else res.destroy();
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    try {
      const running = handle(deps, req, res as WithCall, onResponseClose);
      if (running !== undefined) running.catch((err: unknown) => fail(res, err));
    } catch (err) {
      fail(res, err);
    }
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

/** The health probe, the snapshot check, then the pipeline (route → … → forward; log when the response is over). */
function handle(deps: GatewayServerDeps, req: IncomingMessage, res: WithCall, onResponseClose: (this: WithCall) => void): void | Promise<void> {
  const started = performance.now();
  const method = req.method ?? 'GET';
  const target = originForm(req.url ?? '/');
  const q = target.indexOf('?');
  const pathname = q === -1 ? target : target.slice(0, q);
  const rawQuery = q === -1 ? '' : target.slice(q + 1);

  if (pathname === STATUS_PATH && (method === 'GET' || method === 'HEAD')) {
    // Not ready while the configuration could not be brought up to date (a load balancer moves on).
    res.writeHead(deps.snapshot() === undefined ? 503 : 200, { 'content-length': 0 });
    res.end();
    return;
  }

  // Request id in (when sane) or made here; every answer carries it, the backend gets it, the access log writes it.
  const requestId = requestIdOf(req.headers['x-request-id']);
  tagRequestId(res, requestId);

  const snapshot = deps.snapshot();
  if (snapshot === undefined) {
    sendGatewayError(res, 503, GatewayMessages.configurationStale, { 'retry-after': '1' });
    deps.logger.info({ reqId: requestId, method, path: pathname, status: 503, reason: Refusals.configurationStale }, 'gateway request');
    return;
  }
  const call = new GatewayCall(req, res, snapshot, method, pathname, rawQuery, started, requestId);
  res[CALL] = call;
  res.on('close', onResponseClose); // 'close' comes once; on() spares once()'s wrapper per request
  return deps.pipeline.run(call);
}

/** The origin-form (`/path?query`) of a request target; absolute-form (proxy style) targets are accepted too. */
function originForm(target: string): string {
  if (target.charCodeAt(0) === 0x2f /* '/' */) return target;
  try {
    const parsed = new URL(target);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return '';
  }
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
