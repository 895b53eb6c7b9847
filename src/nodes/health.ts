/**
 * `/healthz` (the process is alive) and `/readyz` (it may take traffic) on every listener
 * (docs/operations.md, Health). Ready means: start-up finished (snapshot and token view loaded),
 * the gateway's snapshot is not stale, and the change feed has not been lost or behind for longer
 * than PORTICO_MAX_FEED_LAG_MS. The body says why not.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { ChangeFeed } from '../shared/index.js';

export const HEALTH_PATH = '/healthz';
export const READY_PATH = '/readyz';

export interface Readiness {
  readonly ready: boolean;
  /** Why not, one sentence each (empty when ready). */
  readonly reasons: readonly string[];
  readonly nodeId: string;
  readonly roles: readonly string[];
  readonly appliedVersion: number;
  readonly feed: { readonly connected: boolean; readonly disconnectedForMs: number; readonly behindForMs: number };
  readonly maxFeedLagMs: number;
}

export interface ReadinessSources {
  readonly nodeId: string;
  readonly roles: readonly string[];
  readonly feed: ChangeFeed;
  readonly maxFeedLagMs: number;
  /** Start-up has finished: every view this node serves from is loaded. */
  readonly started: () => boolean;
  /** The gateway's snapshot can be trusted (absent without the gateway role). */
  readonly gatewayServing?: () => boolean;
}

/** Whether the feed is within its bound: what the gateway checks before each request. */
export function feedWithinBound(feed: ChangeFeed, maxFeedLagMs: number): boolean {
  const health = feed.health();
  return health.disconnectedForMs <= maxFeedLagMs && health.behindForMs <= maxFeedLagMs;
}

export function readinessOf(sources: ReadinessSources): Readiness {
  const health = sources.feed.health();
  const reasons: string[] = [];
  if (!sources.started()) reasons.push('starting: the configuration snapshot and token view are still loading');
  if (health.disconnectedForMs > sources.maxFeedLagMs) {
    reasons.push(`the change feed connection has been lost for ${health.disconnectedForMs} ms (bound ${sources.maxFeedLagMs} ms): revocations may not have reached this node`);
  } // lost for less than the bound: not yet a reason to leave the load balancer (feed.connected says it)
  if (health.behindForMs > sources.maxFeedLagMs) {
    reasons.push(`this node has been behind the stored config version for ${health.behindForMs} ms (bound ${sources.maxFeedLagMs} ms)`);
  }
  if (sources.gatewayServing && sources.started() && !sources.gatewayServing() && reasons.length === 0) {
    reasons.push('the gateway could not bring its configuration snapshot up to date; retrying');
  }
  return {
    ready: reasons.length === 0,
    reasons,
    nodeId: sources.nodeId,
    roles: sources.roles,
    appliedVersion: health.appliedVersion,
    feed: { connected: health.connected, disconnectedForMs: health.disconnectedForMs, behindForMs: health.behindForMs },
    maxFeedLagMs: sources.maxFeedLagMs,
  };
}

/**
 * Answers GET/HEAD /healthz and /readyz on server before its own request handlers (Fastify, the
 * gateway), which see every other request as before. Call it once the server's handlers are attached.
 * On the gateway listener these two paths are taken: an API cannot use them as its path.
 */
export function serveHealth(server: Server, readiness: () => Readiness): void {
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if ((path === HEALTH_PATH || path === READY_PATH) && (req.method === 'GET' || req.method === 'HEAD')) {
      if (path === HEALTH_PATH) return send(res, req.method, 200, { status: 'alive' });
      const state = readiness();
      return send(res, req.method, state.ready ? 200 : 503, { status: state.ready ? 'ready' : 'not ready', ...state });
    }
    for (const handler of handlers) handler.call(server, req, res);
  });
}

function send(res: ServerResponse, method: string, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(method === 'HEAD' ? undefined : text);
}
