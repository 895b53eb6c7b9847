import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExtraHeaders } from '../errors.js';
import type { ApiEntry, OperationEntry, ProductEntry, Snapshot } from '../snapshot.js';

/**
 * The fixed phases, in the order they run. A request goes through route → authenticate → authorize
 * → limits → forward until a handler answers it (a Rejection); `log` runs for every request once
 * its response is over (sent, failed or abandoned), whatever answered it.
 */
export const PHASES = ['route', 'authenticate', 'authorize', 'limits', 'forward', 'log'] as const;
export type Phase = (typeof PHASES)[number];

/** An answer that ends the request: APIM's `{"statusCode":n,"message":"…"}` with optional headers. */
export interface Rejection {
  readonly status: number;
  readonly message: string;
  readonly headers?: ExtraHeaders;
}

/** undefined: go on to the next handler. */
export type Outcome = Rejection | undefined;

/**
 * One policy's request handler, Kong-style: it runs in one phase; within a phase, higher priority
 * runs first. `run` is synchronous when its work is (most are); it returns a promise only when it
 * must wait (verifying a new token, forwarding, a shared counter store).
 */
export interface PolicyHandler {
  readonly name: string;
  readonly phase: Phase;
  readonly priority: number;
  run(call: GatewayCall): Outcome | Promise<Outcome>;
}

/**
 * The little a request carries through the pipeline: the request, the snapshot it started with (so
 * an await midway never mixes two views), and what the phases found. Never the store. One object per
 * request, its fields set in place, so the hot path allocates nothing else for it.
 */
export class GatewayCall {
  // --- route -------------------------------------------------------------------------------
  api: ApiEntry | undefined = undefined;
  operation: OperationEntry | undefined = undefined;
  /** Raw request path after the API path ('' or starting with '/'), forwarded to the backend. */
  remainder = '';
  // --- authenticate / authorize ---------------------------------------------------------------
  /** The product whose context the call runs in (its policies apply); undefined: none. */
  product: ProductEntry | undefined = undefined;
  /** Set when a good subscription key was presented. */
  subscriptionId: string | undefined = undefined;
  /** Management id and Entra client id of the calling client application (token calls). */
  clientApplicationId: string | undefined = undefined;
  clientAppId: string | undefined = undefined;
  /** A key was presented (good or not): decides which 401 message a refusal gets. */
  keyPresented = false;
  /** A bearer token was presented where tokens are accepted (good or not). */
  tokenPresented = false;
  /**
   * What the product's limits count against: a product-scoped subscription (keys) or the client
   * application (tokens). Undefined: the product's limits do not apply (APIM: service-, all-APIs- and
   * API-scoped subscriptions, and calls without credentials).
   */
  limitSubject: 'subscription' | 'clientApplication' | undefined = undefined;
  /** `<product>/subscriptions/<id>` or `<product>/clientApplications/<id>`, made by the first limit that needs it. */
  counterKey: string | undefined = undefined;
  // --- forward / log ---------------------------------------------------------------------------
  /** performance.now() when the request was forwarded to the backend (0: it was not). */
  forwardStarted = 0;
  /** From forwarding until the backend's response was over, in ms (the proxy sets it); undefined: not forwarded or not over. */
  backendMs: number | undefined = undefined;
  /** The handler whose Rejection answered the request, if one did. */
  rejectedBy: string | undefined = undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly snapshot: Snapshot,
    readonly method: string,
    /** Raw (still percent-encoded) path. */
    readonly pathname: string,
    /** The query after '?', raw; '' when none. */
    readonly rawQuery: string,
    /** performance.now() when the request arrived. */
    readonly started: number,
    /** x-request-id: the caller's when sane, else made by the gateway (observability/request-id.ts). */
    readonly requestId: string,
  ) {}
}
