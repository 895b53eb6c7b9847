import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Pool, type Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { GatewayMessages, sendGatewayError } from './errors.js';
import { Refusals, type Refusal } from './policies/refusals.js';
import type { Backend } from './snapshot.js';

/** Hop-by-hop headers (RFC 9110 §7.6.1) and others that must not cross the proxy; also every proxy-*. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect', // undici refuses it; node:http already answered 100-continue to the caller
]);

function isHopByHop(lowerName: string): boolean {
  return HOP_BY_HOP.has(lowerName) || lowerName.startsWith('proxy-');
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** Where the forward step reports the backend's time, for the access log and the metrics. */
export interface BackendTiming {
  backendMs: number | undefined;
  /** Set when the proxy answers 502/504 itself (the access log's `reason`). */
  refusal: Refusal | undefined;
}

export interface ForwardRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly backend: Backend;
  /** Raw request path after the API path. */
  readonly remainder: string;
  /** Caller's query without the subscription key ('' when none). */
  readonly query: string;
  /** Lower-case name of the subscription-key header, never forwarded. */
  readonly keyHeaderLower: string;
  readonly proto: 'http' | 'https';
  /** Sent to the backend as `x-request-id` (the caller's own is replaced) and returned to the caller. */
  readonly requestId?: string | undefined;
  /** Receives the backend time when the backend's response ends, and why when the proxy answers 502/504. */
  readonly timing?: BackendTiming | undefined;
  /**
   * The caller already listens to `res`'s 'close' and calls `responseClosed(res)` from there, so the
   * proxy adds no listener of its own (one listener per response instead of two: no listener array,
   * no removal).
   */
  readonly closeWatched?: boolean | undefined;
}

/** Tells the proxy that `res` closed (for callers that pass `closeWatched`): an unfinished call is aborted. */
export function responseClosed(res: ServerResponse): void {
  (res as TrackedResponse)[kHandler]?.callerClosed();
}

/**
 * Forwards calls to backends: one keep-alive undici Pool per origin, bodies streamed both ways.
 * Each call is one `dispatch` with a handler object (below): no Promise, no AbortController, no
 * intermediate stream — the backend's chunks are written to the caller's response as they come,
 * with backpressure, which is what profiling showed to be the cheapest way through undici.
 */
export class BackendProxy {
  private readonly pools = new Map<string, Pool>();

  constructor(
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  /** Starts forwarding; the answer (or 502/504) is written to `call.res`. Never throws. */
  forward(call: ForwardRequest): void {
    const { req, backend } = call;
    const pool = this.pool(backend.origin);
    const query = backend.query === '' ? call.query : call.query === '' ? backend.query : `${backend.query}&${call.query}`;
    const path = `${backend.basePath}${call.remainder}` || '/';
    const hasBody = requestHasBody(req.headers);
    const handler = new ForwardHandler(call, this);
    pool.dispatch(
      {
        origin: backend.origin,
        method: req.method ?? 'GET',
        path: query === '' ? path : `${path}?${query}`,
        headers: forwardHeaders(req, call, backend.host, hasBody),
        body: hasBody ? req : null,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      },
      handler as unknown as Dispatcher.DispatchHandler,
    );
  }

  /** Closes pools of origins no snapshot uses any more (they finish their in-flight requests). */
  retainOrigins(origins: ReadonlySet<string>): void {
    for (const [origin, pool] of this.pools) {
      if (origins.has(origin)) continue;
      this.pools.delete(origin);
      pool.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.close().catch(() => undefined)));
  }

  private pool(origin: string): Pool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connectTimeout: this.timeoutMs,
        keepAliveTimeout: 30_000, // ms an idle backend connection is kept; a shorter Keep-Alive hint from the backend wins
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  /** @internal the handler's error path */
  fail(res: ServerResponse, err: Error, callerGone: boolean, timing?: BackendTiming): void {
    const code = (err as { code?: string }).code;
    if (callerGone) {
      this.logger.debug({ code }, 'caller closed the connection before the backend answered');
      return;
    }
    if (res.headersSent) {
      // The response has started; the only honest signal left is to cut the connection.
      this.logger.warn({ code, err: err.message }, 'backend response failed mid-stream');
      res.destroy();
      return;
    }
    const timedOut = code !== undefined && TIMEOUT_CODES.has(code);
    this.logger.warn({ code, err: err.message }, timedOut ? 'backend timed out' : 'backend unreachable');
    if (timing !== undefined) timing.refusal = timedOut ? Refusals.backendTimeout : Refusals.backendUnreachable;
    if (timedOut) sendGatewayError(res, 504, GatewayMessages.backendTimeout);
    else sendGatewayError(res, 502, GatewayMessages.backendUnreachable);
  }
}

const kHandler = Symbol('portico.forwardHandler');
type TrackedResponse = ServerResponse & { [kHandler]?: ForwardHandler };

class CallerGoneError extends Error {
  constructor() {
    super('caller closed the connection');
  }
}

/**
 * One forwarded call, as undici's dispatch handler (its core callbacks: onConnect, onHeaders,
 * onData, onComplete, onError — the ones undici calls directly, without an adapter per request).
 */
class ForwardHandler {
  private abort: ((reason?: Error) => void) | undefined = undefined;
  private resume: (() => void) | undefined = undefined;
  private callerGone = false;
  /** The backend's answer is complete or failed: a later close of the caller changes nothing. */
  private settled = false;
  private readonly startedAt = performance.now();
  private readonly res: TrackedResponse;

  constructor(
    private readonly call: ForwardRequest,
    private readonly proxy: BackendProxy,
  ) {
    this.res = call.res as TrackedResponse;
    this.res[kHandler] = this;
    if (call.closeWatched !== true) this.res.on('close', onCallerClose);
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.abort = abort;
    if (this.callerGone) abort(new CallerGoneError());
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (statusCode < 200) return true; // 1xx: node:http deals with the caller's Expect itself
    const res = this.res;
    if (this.callerGone || res.destroyed) return false;
    this.resume = resume;
    res.writeHead(statusCode, responseHeaders(rawHeaders, this.call.requestId));
    return true;
  }

  onData(chunk: Buffer): boolean {
    const res = this.res;
    if (res.write(chunk)) return true;
    // The caller reads slower than the backend sends: pause the backend until the caller drains.
    if (this.resume !== undefined) res.once('drain', this.resume);
    return false;
  }

  onComplete(): void {
    this.settle();
    this.res.end();
  }

  onError(err: Error): void {
    this.settle();
    this.proxy.fail(this.res, err, this.callerGone, this.call.timing);
  }

  /** The caller's connection closed; before the answer was complete that aborts the backend call. */
  callerClosed(): void {
    if (this.settled || this.res.writableFinished) return;
    this.callerGone = true;
    this.abort?.(new CallerGoneError());
  }

  private settle(): void {
    const { timing } = this.call;
    if (timing !== undefined) timing.backendMs = performance.now() - this.startedAt;
    this.settled = true;
    if (this.call.closeWatched !== true) this.res.off('close', onCallerClose);
  }
}

function onCallerClose(this: TrackedResponse): void {
  this[kHandler]?.callerClosed();
}

function requestHasBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && length !== '0';
}

/** Lower-case names listed in a Connection header value; undefined when there are none. */
function connectionTokens(value: string | undefined): string[] | undefined {
  // The usual values name no header: answered without splitting (most backend responses say keep-alive).
  if (value === undefined || value === 'keep-alive' || value === 'close' || value === 'Keep-Alive' || value === 'Close') return undefined;
  const tokens: string[] = [];
  for (const token of value.split(',')) {
    const name = token.trim().toLowerCase();
    if (name !== '' && name !== 'keep-alive' && name !== 'close') tokens.push(name);
  }
  return tokens.length === 0 ? undefined : tokens;
}

/**
 * Caller headers minus hop-by-hop ones, those the Connection header names, the subscription key
 * and x-request-id (replaced by ours), with host and x-forwarded-* set.
 */
function forwardHeaders(req: IncomingMessage, call: ForwardRequest, backendHost: string, hasBody: boolean): string[] {
  const named = connectionTokens(req.headers.connection);
  const out: string[] = [];
  let forwardedFor = '';
  const raw = req.rawHeaders;
  const keyHeader = call.keyHeaderLower;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const lower = name.toLowerCase();
    if (isHopByHop(lower) || lower === 'host' || lower === keyHeader || (named !== undefined && named.includes(lower))) continue;
    if (lower.charCodeAt(0) === 0x78 /* x */) {
      if (lower === 'x-forwarded-for') {
        forwardedFor = forwardedFor === '' ? value : `${forwardedFor}, ${value}`;
        continue;
      }
      if (lower === 'x-forwarded-proto' || lower === 'x-forwarded-host') continue;
      if (lower === 'x-request-id' && call.requestId !== undefined) continue;
    }
    if (lower === 'content-length' && !hasBody) continue;
    out.push(name, value);
  }
  const client = req.socket.remoteAddress ?? '';
  out.push('host', backendHost);
  out.push('x-forwarded-for', forwardedFor === '' ? client : `${forwardedFor}, ${client}`);
  out.push('x-forwarded-proto', call.proto);
  const host = req.headers.host;
  if (host !== undefined) out.push('x-forwarded-host', host);
  if (call.requestId !== undefined) out.push('x-request-id', call.requestId);
  return out;
}

/**
 * Whether a backend header name may be one responseHeaders drops or replaces (hop-by-hop, proxy-*,
 * x-request-id; any that the Connection header names are checked afterwards): by its length and
 * first letter, read from the bytes, so the usual ones (content-type, content-length, date, …) are
 * neither lower-cased nor looked up.
 */
function mayBeDropped(name: Buffer): boolean {
  const first = name[0]! | 0x20; // ASCII lower case
  switch (name.length) {
    case 2: // te
      return first === 0x74;
    case 7: // trailer, upgrade, proxy-…
      return first === 0x74 || first === 0x75 || first === 0x70;
    case 10: // connection, keep-alive, proxy-…
      return first === 0x63 || first === 0x6b || first === 0x70;
    case 12: // x-request-id, proxy-…
      return first === 0x78 || first === 0x70;
    case 17: // transfer-encoding, proxy-…
      return first === 0x74 || first === 0x70;
    default: // expect (6) and every other proxy-…
      return first === 0x65 || first === 0x70;
  }
}

/**
 * The backend's headers (raw, as undici hands them over) as a flat [name, value, …] list for
 * writeHead, minus hop-by-hop ones and those its Connection header names; our x-request-id replaces
 * the backend's.
 */
function responseHeaders(rawHeaders: Buffer[], requestId: string | undefined): string[] {
  const out: string[] = [];
  let named: string[] | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const rawName = rawHeaders[i]!;
    const name = rawName.toString('latin1');
    if (!mayBeDropped(rawName)) {
      out.push(name, rawHeaders[i + 1]!.toString('latin1'));
      continue;
    }
    const lower = name.toLowerCase();
    if (lower === 'connection') {
      named = connectionTokens(rawHeaders[i + 1]!.toString('latin1'));
      continue;
    }
    if (isHopByHop(lower) || (requestId !== undefined && lower === 'x-request-id')) continue;
    out.push(name, rawHeaders[i + 1]!.toString('latin1'));
  }
  if (named !== undefined) {
    for (let i = out.length - 2; i >= 0; i -= 2) {
      if (named.includes(out[i]!.toLowerCase())) out.splice(i, 2);
    }
  }
  if (requestId !== undefined) out.push('x-request-id', requestId);
  return out;
}
