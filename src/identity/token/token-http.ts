import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { OAuthError } from '../../errors/index.js';
import { REQUEST_ID_HEADER, requestIdOf } from '../../shared/index.js';
import { readLimitedBody } from '../../shared/read-body.js';
import { correlationIdFrom, entraErrorBody } from '../http/entra-error.js';
import { TooManyFailuresError } from './client-auth/client-throttle.js';
import { StaleViewError } from './stale-view.js';
import type { TokenDeps } from './token-context.js';
import { runTokenEndpoint } from './token-endpoint.js';

/** A client-credentials request is a few hundred bytes; 64 KiB leaves room for assertions. */
export const TOKEN_BODY_LIMIT = 64 * 1024; // bytes

/** `/{tenant}/oauth2/v2.0/token`, doubled slashes tolerated as the identity router does (the Azure CLI makes them). */
const TOKEN_PATH = /^\/+([^/]+)\/+oauth2\/+v2\.0\/+token$/;

const JSON_TYPE = 'application/json; charset=utf-8';

export interface TokenHttpOptions {
  /** The identity listener's logger; each request gets a child with its `reqId` (= Entra's trace_id). */
  readonly logger: FastifyBaseLogger;
  /** The listener's body limit; the token endpoint takes at most TOKEN_BODY_LIMIT of it. */
  readonly bodyLimit: number;
  /** Counts each answer: `issued`, or the OAuth `error` code of a refusal (metrics hook). */
  readonly onOutcome?: ((outcome: string) => void) | undefined;
}

/**
 * `POST /{tenant}/oauth2/v2.0/token` served on node:http directly, in front of the identity
 * listener's Fastify app: this path is the identity provider's hot path, and Fastify's routing,
 * hooks, body parser and reply pipeline were a measurable share of its cost (docs/benchmarks.md).
 * Everything else (other methods and paths) returns false and goes to Fastify. The endpoint's
 * logic is runTokenEndpoint's steps; this is only the HTTP plumbing: the body with its limit,
 * the JSON answer with Cache-Control: no-store, and Entra's error bodies.
 */
export function createTokenHttpHandler(deps: TokenDeps, options: TokenHttpOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const limit = Math.min(options.bodyLimit, TOKEN_BODY_LIMIT);
  return (req, res) => {
    if (req.method !== 'POST') return false;
    const url = req.url ?? '';
    const queryAt = url.indexOf('?');
    const match = TOKEN_PATH.exec(queryAt === -1 ? url : url.slice(0, queryAt));
    if (!match) return false;
    const exchange = new TokenExchange(req, res, deps, options.logger, queryAt === -1 ? '' : url.slice(queryAt + 1), options.onOutcome);
    readLimitedBody(req, limit).then(
      (body) => {
        if (body === undefined) exchange.fail(new OAuthError(90014, `The request body is larger than ${TOKEN_BODY_LIMIT / 1024} KiB.`));
        else exchange.run(decodeTenant(match[1]!), body);
      },
      () => undefined, // the client went away; there is no one to answer
    );
    return true;
  };
}

/** One request: its id, its (lazily made) logger, and the answer. */
class TokenExchange {
  /** Portico's request-id scheme (the caller's sane x-request-id, else a new GUID); doubles as Entra's trace_id. */
  readonly id: string;
  private logger: FastifyBaseLogger | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly deps: TokenDeps,
    private readonly parentLogger: FastifyBaseLogger,
    private readonly query: string,
    private readonly onOutcome: ((outcome: string) => void) | undefined,
  ) {
    this.id = requestIdOf(req.headers[REQUEST_ID_HEADER]);
  }

  get log(): FastifyBaseLogger {
    this.logger ??= this.parentLogger.child({ reqId: this.id });
    return this.logger;
  }

  run(tenant: string, body: Buffer): void {
    const exchange = this;
    runTokenEndpoint({
      tenant,
      contentType: this.req.headers['content-type'],
      authorization: this.req.headers.authorization,
      body,
      clientAddress: this.req.socket.remoteAddress ?? '',
      get log() {
        return exchange.log;
      },
    }, this.deps).then(
      (response) => {
        this.onOutcome?.('issued');
        this.send(200, JSON.stringify(response));
      },
      (error: unknown) => this.fail(error),
    );
  }

  fail(error: unknown): void {
    let oauth: OAuthError;
    if (error instanceof OAuthError) {
      oauth = error;
    } else {
      this.log.error({ err: error, remoteAddress: this.req.socket.remoteAddress }, 'token endpoint failed');
      oauth = new OAuthError(50000, 'There was an error issuing a token. Try again later.');
    }
    this.onOutcome?.(oauth.error);
    if (error instanceof OAuthError) this.log.info({ remoteAddress: this.req.socket.remoteAddress, aadsts: oauth.aadsts, error: oauth.error }, 'token request refused');
    const correlation = correlationIdFrom(this.req.headers['client-request-id'], this.query);
    const body = JSON.stringify(entraErrorBody(oauth, this.id, correlation, this.deps.urls, this.deps.now()));
    // No Retry-After on other 4xx: MSAL would cache and replay the failure without calling again.
    // On a 5xx without it MSAL waits its default 60 s; a stale view is usually back within a second.
    const retryAfter = oauth instanceof TooManyFailuresError || oauth instanceof StaleViewError ? String(oauth.retryAfterSeconds) : undefined;
    this.send(oauth.status, body, retryAfter);
  }

  private send(status: number, body: string, retryAfter?: string): void {
    if (this.res.headersSent || this.res.destroyed) return;
    const headers: Record<string, string | number> = {
      'content-type': JSON_TYPE,
      // Token responses must never be cached (RFC 6749 §5.1); Entra sends both directives plus Pragma.
      'cache-control': 'no-store, no-cache',
      pragma: 'no-cache',
      'content-length': Buffer.byteLength(body),
      [REQUEST_ID_HEADER]: this.id,
    };
    if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
    // A body left unread (too large) cannot be skipped safely: close the connection after answering.
    if (!this.req.readableEnded) headers['connection'] = 'close';
    this.res.writeHead(status, headers).end(body);
  }
}

/** The path segment as a router would give it: percent-decoded when that is valid. */
function decodeTenant(raw: string): string {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
