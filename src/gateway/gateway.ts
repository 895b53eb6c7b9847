import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { PorticoConfig } from '../config/config.js';
import type { ChangeFeed } from '../shared/change-feed.js';
import type { Store } from '../store/store.js';
import { createGatewayServer } from './gateway-server.js';
import { BackendProxy } from './proxy.js';
import type { ChangeEvent } from '../shared/change-events.js';
import { buildSnapshot, type Snapshot } from './snapshot.js';
import { applyChange } from './snapshot-events.js';
import { VerifiedTokenCache } from './token-cache.js';
import { openGatewayCounters, QuotaDeltaReporter, type QuotaDeltaSink } from './counters/index.js';
import { Pipeline, POLICIES, type PolicyDeps } from './policies/index.js';
import type { ServerCertificate } from '../tls/index.js';
import type { PorticoMetrics } from './observability/index.js';
import type { OnRevoked } from './policies/index.js';

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
  /** This process's metrics: request counts and latencies, the snapshot's version and age. */
  readonly metrics?: PorticoMetrics;
  /** Told when a valid token's application has lost access; must not block (the primary queues it for the audit log). */
  readonly onRevoked?: OnRevoked;
  /**
   * A gateway worker of `--workers N`: instead of writing its quota counts, it hands the calls it
   * counted to this sink every few seconds (the primary sums every worker's and is the one writer).
   */
  readonly quotaDeltas?: QuotaDeltaSink;
  /**
   * false while this node's change feed has been lost for longer than the bound
   * (PORTICO_MAX_FEED_LAG_MS): a revocation may not have reached the snapshot, so every request is
   * refused (503) rather than served from possibly stale access. Default: always current.
   */
  readonly feedCurrent?: () => boolean;
}

export interface Gateway {
  /** Not listening yet; the caller listens and closes it. */
  readonly server: Server;
  /** Rebuilds the snapshot from the store; concurrent calls coalesce into at most one more run. */
  reload(): Promise<void>;
  /** Change-feed version the current snapshot reflects. */
  readonly snapshotVersion: number;
  /** The snapshot can be trusted: not stale after a failed rebuild, and the feed within its bound. */
  readonly serving: boolean;
  /** Full builds so far (the one at start included); events applied incrementally do not count. */
  readonly fullBuilds: number;
  /** Writes (with workers: hands to the primary) the quota counts that changed since the last periodic write (tests, shutdown). */
  flushQuotaCounters(): Promise<void>;
  /** Stops following the feed, writes the quota counts and closes the backend connection pools (not the server). */
  close(): Promise<void>;
}

const RETRY_AFTER_FAILED_RELOAD_MS = 1_000; // a failed reload (store hiccup) is retried this soon

export async function createGateway(deps: GatewayDeps): Promise<Gateway> {
  const logger = deps.logger.child({ component: 'gateway' });
  const tokens = new VerifiedTokenCache(deps.issuer);
  const proxy = new BackendProxy(deps.config.backendTimeoutMs, logger);
  // The version a full build reflects, read before the data: every event up to it has committed.
  // The store's own counter may be ahead of this process's feed (first start writes through a feed
  // nobody listens to), and starting there spares the first event a needless "gap".
  const versionBeforeRead = async (): Promise<number> => Math.max(deps.feed.currentVersion, await deps.store.configVersion.current());
  let snapshot: Snapshot = await buildSnapshot(deps.store, await versionBeforeRead(), logger);
  let fullBuilds = 1;
  let installedAtMs = Date.now(); // for the snapshot-age gauge
  logger.debug({ version: snapshot.version }, 'gateway snapshot built in full');
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;
  // Set when a change could not be applied and the rebuild failed too: the snapshot may still grant
  // what was just revoked, so requests are refused (503) until a rebuild succeeds. Fail closed.
  let stale = false;

  // Every change to `snapshot` runs through this one queue, so an incremental step never
  // interleaves with a full build (which would install a view older than the step's).
  const serially = serialQueue();

  const install = (next: Snapshot): void => {
    if (next.signingKeys !== snapshot.signingKeys && next.signingKeys.id !== snapshot.signingKeys.id) tokens.retainKeys(next.signingKeys);
    if (next.backendOrigins !== snapshot.backendOrigins) proxy.retainOrigins(next.backendOrigins);
    snapshot = next;
    installedAtMs = Date.now();
  };

  const load = async (): Promise<void> => {
    const version = await versionBeforeRead();
    const next = await buildSnapshot(deps.store, version, logger);
    fullBuilds++;
    install(next);
    if (stale) logger.info({ version }, 'gateway snapshot rebuilt; serving requests again');
    stale = false;
    logger.debug({ version }, 'gateway snapshot built in full');
  };
  const reload = coalesce(() => serially(load));

  /**
   * The next event in order (version = last applied + 1) is applied by re-reading the rows it names;
   * one already reflected (a full build read past it) is skipped; a gap, an event that does not say
   * precisely what changed, or a failed step falls back to the coalesced full rebuild.
   */
  const applyInOrder = (event: ChangeEvent): Promise<boolean> =>
    serially(async () => {
      if (event.version <= snapshot.version) return true;
      if (event.version !== snapshot.version + 1) {
        logger.info({ event: event.type, version: event.version, snapshotVersion: snapshot.version }, 'change-feed version gap; rebuilding the gateway snapshot');
        return false;
      }
      const next = await applyChange(snapshot, event, deps.store, logger);
      if (!next) return false;
      install(next);
      return true;
    });

  const unsubscribe = deps.feed.subscribe(async (event) => {
    if (closed) return;
    try {
      if (await applyInOrder(event)) return;
    } catch (err) {
      logger.warn({ err, event: event.type, version: event.version }, 'applying a change event to the gateway snapshot failed; rebuilding it');
    }
    try {
      await reload();
    } catch (err) {
      // The write is committed already; failing the writer would not help. Refuse requests until a
      // rebuild succeeds, retrying soon.
      stale = true;
      logger.error({ err, event: event.type, version: event.version }, 'gateway snapshot reload failed; refusing requests (503) and retrying');
      retryUntilRebuilt();
    }
  });

  function retryUntilRebuilt(): void {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      if (closed) return;
      reload().catch((e: unknown) => {
        logger.error({ err: e }, 'gateway snapshot reload failed again; retrying');
        retryUntilRebuilt();
      });
    }, RETRY_AFTER_FAILED_RELOAD_MS);
    retryTimer.unref();
  }

  // Counters in Redis (shared by every gateway process) or in this process, with the quota counts
  // written to the store every few seconds (counters/gateway-counters.ts) — by this process, or with
  // workers by the primary, which sums the deltas every worker reports.
  const quotaDeltas = deps.quotaDeltas;
  const counters = await openGatewayCounters({
    config: deps.config,
    quotaStore: deps.store.quotaCounters,
    nodes: deps.store.nodes,
    logger,
    ...(quotaDeltas ? { persistQuota: (quota, alsoSweep) => new QuotaDeltaReporter(quota, deps.store.quotaCounters, quotaDeltas, logger, alsoSweep) } : {}),
  });
  const policyDeps: PolicyDeps = { tokens, proxy, logger, publicUrl: deps.publicUrl, rateCounters: counters.rate, quotaCounters: counters.quota, now: Date.now, metrics: deps.metrics, onRevoked: deps.onRevoked };
  const pipeline = new Pipeline(
    POLICIES.map((policy) => policy.create(policyDeps)),
    logger,
  );
  const feedCurrent = deps.feedCurrent ?? (() => true);
  const server = createGatewayServer({ snapshot: () => (stale || !feedCurrent() ? undefined : snapshot), pipeline, logger, ...(deps.tls ? { tls: deps.tls } : {}) });
  deps.metrics?.watchSnapshot(() => ({ version: snapshot.version, installedAtMs }));

  return {
    server,
    reload,
    get snapshotVersion() {
      return snapshot.version;
    },
    get serving() {
      return !stale && feedCurrent();
    },
    get fullBuilds() {
      return fullBuilds;
    },
    flushQuotaCounters: () => counters.flush(),
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      unsubscribe();
      await counters.close();
      await proxy.close();
    },
  };
}

/** Runs tasks one after another, in call order; a failed task does not stop the ones after it. */
function serialQueue(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
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
