import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { Pool } from 'undici';
import type { Logger } from 'pino';
import { GatewayMessages, sendGatewayError } from './errors.js';
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
}

/** Forwards calls to backends: one keep-alive undici Pool per origin, bodies streamed both ways. */
export class BackendProxy {
  private readonly pools = new Map<string, Pool>();

  constructor(
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  async forward(call: ForwardRequest): Promise<void> {
    const { req, res, backend } = call;
    const pool = this.pool(backend.origin);
    const query = [backend.query, call.query].filter((q) => q !== '').join('&');
    const path = `${backend.basePath}${call.remainder}` || '/';
    const hasBody = requestHasBody(req.headers);
    const abort = new AbortController();
    const onClose = (): void => {
      if (!res.writableFinished) abort.abort();
    };
    res.once('close', onClose);
    try {
      const upstream = await pool.request({
        method: req.method ?? 'GET',
        path: query === '' ? path : `${path}?${query}`,
        headers: forwardHeaders(req, call, backend.host, hasBody),
        body: hasBody ? req : null,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        signal: abort.signal,
      });
      res.writeHead(upstream.statusCode, responseHeaders(upstream.headers));
      await relay(upstream.body, res);
    } catch (err) {
      this.fail(res, err, abort.signal.aborted);
    } finally {
      res.off('close', onClose);
    }
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

  private fail(res: ServerResponse, err: unknown, callerGone: boolean): void {
    const code = (err as { code?: string } | null)?.code;
    if (callerGone) {
      this.logger.debug({ code }, 'caller closed the connection before the backend answered');
      return;
    }
    if (res.headersSent) {
      // The response has started; the only honest signal left is to cut the connection.
      this.logger.warn({ code, err: (err as Error)?.message }, 'backend response failed mid-stream');
      res.destroy();
      return;
    }
    const timedOut = code !== undefined && TIMEOUT_CODES.has(code);
    this.logger.warn({ code, err: (err as Error)?.message }, timedOut ? 'backend timed out' : 'backend unreachable');
    if (timedOut) sendGatewayError(res, 504, GatewayMessages.backendTimeout);
    else sendGatewayError(res, 502, GatewayMessages.backendUnreachable);
  }
}

/**
 * Streams the backend body to the caller. (stream.pipeline would do, but it allocates an
 * AbortController and a DOMException per call, which shows on the hot path.)
 */
function relay(body: Readable, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    body.once('error', reject);
    res.once('finish', resolve);
    res.once('close', () => {
      if (res.writableFinished) return;
      body.destroy();
      reject(new Error('caller closed the connection'));
    });
    body.pipe(res);
  });
}

function requestHasBody(headers: IncomingHttpHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && length !== '0';
}

/** Caller headers minus hop-by-hop ones and the subscription key, with host and x-forwarded-* set. */
function forwardHeaders(req: IncomingMessage, call: ForwardRequest, backendHost: string, hasBody: boolean): string[] {
  const connectionTokens = new Set(
    String(req.headers.connection ?? '')
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter((t) => t !== ''),
  );
  const out: string[] = [];
  let forwardedFor = '';
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const lower = name.toLowerCase();
    if (isHopByHop(lower) || connectionTokens.has(lower) || lower === 'host' || lower === call.keyHeaderLower) continue;
    if (lower === 'x-forwarded-for') {
      forwardedFor = forwardedFor === '' ? value : `${forwardedFor}, ${value}`;
      continue;
    }
    if (lower === 'x-forwarded-proto' || lower === 'x-forwarded-host') continue;
    if (lower === 'content-length' && !hasBody) continue;
    out.push(name, value);
  }
  const client = req.socket.remoteAddress ?? '';
  out.push('host', backendHost);
  out.push('x-forwarded-for', forwardedFor === '' ? client : `${forwardedFor}, ${client}`);
  out.push('x-forwarded-proto', call.proto);
  if (req.headers.host !== undefined) out.push('x-forwarded-host', req.headers.host);
  return out;
}

function responseHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const connectionTokens = new Set(
    String(headers['connection'] ?? '')
      .split(',')
      .map((t) => t.trim().toLowerCase()),
  );
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || isHopByHop(name) || connectionTokens.has(name)) continue;
    out[name] = value;
  }
  return out;
}
