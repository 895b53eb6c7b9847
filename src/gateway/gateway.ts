import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { PorticoConfig } from '../config/config.js';
import type { ChangeFeed } from '../shared/change-feed.js';
import type { Store } from '../store/store.js';
import { createGatewayServer } from './gateway-server.js';
import { BackendProxy } from './proxy.js';
import { buildSnapshot, type Snapshot } from './snapshot.js';
import { VerifiedTokenCache } from './token-cache.js';
import type { ServerCertificate } from '../tls/index.js';

export interface GatewayDeps {
  readonly config: PorticoConfig;
  readonly store: Store;
  readonly feed: ChangeFeed;
  readonly logger: Logger;
  /** Issuer every accepted access token must carry: `{identity base URL}/{tenant}/v2.0`. */
  readonly issuer: string;
  /** The gateway's advertised base URL (WWW-Authenticate realms); a function, as it may be known only after listen. */
  readonly publicUrl: () => string;
  /** Serve HTTPS with this certificate; plain http without it. */
  readonly tls?: ServerCertificate;
}

export interface Gateway {
  /** Not listening yet; the caller listens and closes it. */
  readonly server: Server;
  /** Rebuilds the snapshot from the store; concurrent calls coalesce into at most one more run. */
  reload(): Promise<void>;
  /** Change-feed version the current snapshot reflects. */
  readonly snapshotVersion: number;
  /** Stops following the feed and closes the backend connection pools (not the server). */
  close(): Promise<void>;
}

const RETRY_AFTER_FAILED_RELOAD_MS = 1_000; // a failed reload (store hiccup) is retried this soon

export async function createGateway(deps: GatewayDeps): Promise<Gateway> {
  const logger = deps.logger.child({ component: 'gateway' });
  const tokens = new VerifiedTokenCache(deps.issuer);
  const proxy = new BackendProxy(deps.config.backendTimeoutMs, logger);
  let snapshot: Snapshot = await buildSnapshot(deps.store, deps.feed.currentVersion, logger);
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;

  const load = async (): Promise<void> => {
    // Read the version first: the snapshot then reflects at least every event up to it.
    const version = deps.feed.currentVersion;
    const next = await buildSnapshot(deps.store, version, logger);
    if (next.signingKeys.id !== snapshot.signingKeys.id) tokens.retainKeys(next.signingKeys);
    snapshot = next;
    proxy.retainOrigins(next.backendOrigins);
    logger.debug({ version }, 'gateway snapshot reloaded');
  };
  const reload = coalesce(load);

  const unsubscribe = deps.feed.subscribe(async (event) => {
    if (closed) return;
    try {
      await reload();
    } catch (err) {
      // The write is committed already; failing the writer would not help. Retry soon instead.
      logger.error({ err, event: event.type, version: event.version }, 'gateway snapshot reload failed; retrying');
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => {
        if (!closed) reload().catch((e: unknown) => logger.error({ err: e }, 'gateway snapshot reload failed again'));
      }, RETRY_AFTER_FAILED_RELOAD_MS);
      retryTimer.unref();
    }
  });

  const server = createGatewayServer({ snapshot: () => snapshot, tokens, proxy, logger, publicUrl: deps.publicUrl, ...(deps.tls ? { tls: deps.tls } : {}) });

  return {
    server,
    reload,
    get snapshotVersion() {
      return snapshot.version;
    },
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      unsubscribe();
      await proxy.close();
    },
  };
}

/**
 * Runs `task` so that calls made while it runs share one follow-up run: N change events during a
 * reload cause one more reload, not N, and every caller's change is visible when its promise resolves.
 */
export function coalesce(task: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const run = (): Promise<void> => {
    if (!running) {
      running = task().finally(() => {
        running = undefined;
      });
      return running;
    }
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return run();
      });
    return queued;
  };
  return run;
}
