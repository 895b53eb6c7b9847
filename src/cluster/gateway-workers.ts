/**
 * The primary's side of `--workers N` (node:cluster): forks N gateway worker processes that share
 * the gateway port, relays every committed change event to each of them and waits until each has
 * applied it — so when a management write answers, every worker's snapshot already reflects it
 * (a revocation holds on the next request, whichever worker takes it). A worker that does not
 * acknowledge in time is replaced (a new one builds its snapshot from the store); a worker that
 * dies is replaced too. Metrics of all workers are merged into the primary's /metrics. The primary
 * is the one process that writes quota counts: workers report the calls they counted (deltas), the
 * primary sums them and persists the totals on the same beat a single gateway does.
 */
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import type { ChangeEvent, ChangeFeed } from '../shared/index.js';
import type { PorticoMetrics } from '../gateway/observability/index.js';
import type { OnRevoked } from '../gateway/index.js';
import { InMemoryCounterStore, QuotaPersistence, type QuotaPersister } from '../gateway/counters/index.js';
import type { QuotaCounterStore } from '../store/store.js';
import { isPorticoMessage, type FromWorker, type ToWorker, type WorkerSettings } from './messages.js';

/** A worker has this long to apply a change event before it is replaced (it then rebuilds in full). */
const APPLY_TIMEOUT_MS = 10_000;
/** A worker has this long to build its snapshot and listen. */
const START_TIMEOUT_MS = 60_000;
/** A scrape waits this long for each worker's metrics, then answers with the ones it has. */
const METRICS_TIMEOUT_MS = 2_000;
/** Restarts in a row without one worker becoming ready, before giving up (a broken build, a bad port). */
const MAX_FAILED_STARTS = 5;
/** How often the primary's feed health is checked for the workers (ms). */
const FEED_WATCH_MS = 100;

export interface GatewayWorkers {
  /** The port the workers share. */
  readonly port: number;
  /** Metrics of the primary and every ready worker, merged (counters and histograms summed). */
  scrape(): Promise<{ contentType: string; body: string }>;
  replaceCertificate(cert: string, key: string): void;
  stop(): Promise<void>;
}

interface Tracked {
  readonly worker: Worker;
  /** Its listener is attached: it receives what is sent from now on. */
  greeted: boolean;
  ready: boolean;
  /** Highest event version this worker acknowledged (or reflected when it became ready). */
  applied: number;
  readonly waiters: { version: number; resolve: () => void }[];
}

export async function startGatewayWorkers(options: {
  readonly count: number;
  readonly settings: WorkerSettings;
  readonly feed: ChangeFeed;
  readonly logger: Logger;
  readonly metrics: PorticoMetrics;
  /** A worker refused a valid token whose application lost access (the audit log's refusal recorder). */
  readonly onRevoked?: OnRevoked;
  /** Where the quota totals are written (the store's quota counters). */
  readonly quotaStore: QuotaCounterStore;
  /**
   * Who persists the summed totals; QuotaPersistence (load at start, write every beat and on stop)
   * unless a wrapper decides otherwise (e.g. only the elected leader of several nodes writes).
   */
  readonly quotaPersister?: (totals: InMemoryCounterStore) => QuotaPersister;
  /** Whether the primary's change feed is within its bound; told to every worker when it changes. */
  readonly feedCurrent?: () => boolean;
}): Promise<GatewayWorkers> {
  const { count, feed, logger, metrics } = options;
  // The workers' quota calls, summed: loaded from the store first, so a restart continues the totals.
  const quotaTotals = new InMemoryCounterStore();
  const quotaPersister = options.quotaPersister?.(quotaTotals) ?? new QuotaPersistence(quotaTotals, options.quotaStore, logger);
  await quotaPersister.start();
  let settings = options.settings;
  cluster.setupPrimary({ exec: fileURLToPath(new URL('./gateway-worker.js', import.meta.url)), args: [], silent: false });
  const tracked = new Map<number, Tracked>();
  let stopping = false;
  let failedStarts = 0;
  let port = 0;
  let nextMetricsRequest = 1;
  const metricsReplies = new Map<number, (json: MetricObjectWithValues<MetricValue<string>>[] | undefined) => void>();

  const fork = (): Promise<Tracked> => {
    const worker = cluster.fork();
    const entry: Tracked = { worker, greeted: false, ready: false, applied: 0, waiters: [] };
    tracked.set(worker.id, entry);
    return new Promise<Tracked>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`gateway worker ${worker.process.pid} did not become ready in ${START_TIMEOUT_MS / 1000} s`));
        worker.kill();
      }, START_TIMEOUT_MS);
      timer.unref();
      worker.on('message', (message: unknown) => {
        if (!isPorticoMessage(message)) return;
        const m = message as FromWorker;
        if (m.type === 'portico:hello') {
          entry.greeted = true;
          worker.send({ type: 'portico:init', settings } satisfies ToWorker);
        } else if (m.type === 'portico:ready') {
          clearTimeout(timer);
          entry.ready = true;
          entry.applied = Math.max(entry.applied, m.version);
          port = m.port;
          failedStarts = 0;
          if (!feedWasCurrent) worker.send({ type: 'portico:feed', current: false } satisfies ToWorker);
          logger.info({ worker: worker.process.pid, version: m.version }, 'gateway worker ready');
          resolve(entry);
        } else if (m.type === 'portico:applied') {
          entry.applied = Math.max(entry.applied, m.version);
          settle(entry);
        } else if (m.type === 'portico:metrics') {
          metricsReplies.get(m.requestId)?.(m.metrics);
        } else if (m.type === 'portico:refused') {
          options.onRevoked?.(m.revoked);
        } else if (m.type === 'portico:quota') {
          quotaTotals.addDeltas(m.deltas, Date.now());
        } else if (m.type === 'portico:failed') {
          clearTimeout(timer);
          reject(new Error(`gateway worker ${worker.process.pid} could not start: ${m.message}`));
        }
      });
      worker.once('exit', (code, signal) => {
        clearTimeout(timer);
        tracked.delete(worker.id);
        for (const waiter of entry.waiters.splice(0)) waiter.resolve(); // it serves nothing any more
        if (!entry.ready) reject(new Error(`gateway worker ${worker.process.pid} exited (${signal ?? code}) before it was ready`));
        if (stopping) return;
        logger.error({ worker: worker.process.pid, code, signal }, 'gateway worker exited; starting another');
        if (++failedStarts > MAX_FAILED_STARTS) {
          logger.fatal('gateway workers keep failing to start; giving up on replacing them');
          return;
        }
        fork().catch((err: unknown) => logger.error({ err }, 'a replacement gateway worker failed to start'));
      });
    });
  };

  function settle(entry: Tracked): void {
    for (let i = entry.waiters.length - 1; i >= 0; i--) {
      const waiter = entry.waiters[i]!;
      if (waiter.version <= entry.applied) {
        entry.waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  /** Sends the event to every worker and resolves when each has applied it (or was replaced). */
  const relay = async (event: ChangeEvent): Promise<void> => {
    const pending: Promise<void>[] = [];
    for (const entry of tracked.values()) {
      // One not yet greeted is sent its settings later and reads the store after this write committed.
      if (!entry.greeted || !entry.worker.isConnected()) continue;
      entry.worker.send({ type: 'portico:change', event } satisfies ToWorker);
      if (!entry.ready) continue;
      pending.push(
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            logger.error({ worker: entry.worker.process.pid, version: event.version }, 'gateway worker did not apply a change in time; replacing it');
            entry.worker.kill();
            resolve();
          }, APPLY_TIMEOUT_MS);
          timer.unref();
          entry.waiters.push({ version: event.version, resolve: () => (clearTimeout(timer), resolve()) });
          settle(entry);
        }),
      );
    }
    await Promise.all(pending);
  };
  const unsubscribe = feed.subscribe((event) => (stopping ? undefined : relay(event)));
  // Workers hear changes only through this process: when its feed is lost beyond the bound, they refuse too.
  let feedWasCurrent = true;
  const feedWatch = setInterval(() => {
    const current = options.feedCurrent?.() ?? true;
    if (current === feedWasCurrent) return;
    feedWasCurrent = current;
    for (const entry of tracked.values()) if (entry.worker.isConnected()) entry.worker.send({ type: 'portico:feed', current } satisfies ToWorker);
  }, FEED_WATCH_MS);
  feedWatch.unref();

  try {
    // One first, so a worker that cannot start (a port in use) fails start-up with its reason.
    await fork();
    await Promise.all(Array.from({ length: count - 1 }, fork));
  } catch (error) {
    stopping = true;
    clearInterval(feedWatch);
    unsubscribe();
    for (const entry of tracked.values()) entry.worker.kill();
    await quotaPersister.stop().catch(() => undefined);
    throw error;
  }

  const workerMetrics = async (entry: Tracked): Promise<MetricObjectWithValues<MetricValue<string>>[] | undefined> => {
    const requestId = nextMetricsRequest++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(undefined), METRICS_TIMEOUT_MS);
      const finish = (json: MetricObjectWithValues<MetricValue<string>>[] | undefined): void => {
        clearTimeout(timer);
        metricsReplies.delete(requestId);
        resolve(json);
      };
      metricsReplies.set(requestId, finish);
      if (entry.worker.isConnected()) entry.worker.send({ type: 'portico:metrics', requestId } satisfies ToWorker);
      else finish(undefined);
    });
  };

  return {
    get port() {
      return port;
    },
    async scrape() {
      const own = await metrics.registry.getMetricsAsJSON();
      const others = await Promise.all([...tracked.values()].filter((e) => e.ready).map(workerMetrics));
      const merged = AggregatorRegistry.aggregate([own, ...others.filter((m) => m !== undefined)]);
      return { contentType: merged.contentType, body: await merged.metrics() };
    },
    replaceCertificate(cert, key) {
      settings = { ...settings, tls: { cert, key } };
      for (const entry of tracked.values()) if (entry.worker.isConnected()) entry.worker.send({ type: 'portico:certificate', cert, key } satisfies ToWorker);
    },
    async stop() {
      stopping = true;
      clearInterval(feedWatch);
      unsubscribe();
      await Promise.all(
        [...tracked.values()].map(
          (entry) =>
            new Promise<void>((resolve) => {
              if (entry.worker.isDead() && !entry.worker.isConnected()) return resolve();
              const timer = setTimeout(() => entry.worker.kill('SIGKILL'), 10_000);
              timer.unref();
              // Done when it has exited and its channel is closed: the channel closes after the
              // last message (its final quota report) has been read.
              let exited = entry.worker.isDead();
              let disconnected = !entry.worker.isConnected();
              const done = (): void => {
                if (exited && disconnected) (clearTimeout(timer), resolve());
              };
              entry.worker.once('exit', () => ((exited = true), done()));
              entry.worker.once('disconnect', () => ((disconnected = true), done()));
              if (entry.worker.isConnected()) entry.worker.send({ type: 'portico:stop' } satisfies ToWorker);
              else entry.worker.kill();
            }),
        ),
      );
      // Every worker has reported its last calls: write the totals once more.
      await quotaPersister.stop();
    },
  };
}
