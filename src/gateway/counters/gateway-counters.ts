import type { Logger } from 'pino';
import type { PorticoConfig } from '../../config/config.js';
import type { NodeHeartbeatStore, QuotaCounterStore } from '../../store/store.js';
import { InMemoryCounterStore } from './in-memory-counter-store.js';
import { LiveGatewayNodes } from './live-gateway-nodes.js';
import { QuotaPersistence } from './quota-persistence.js';
import type { RateCounterStore } from './rate-counter-store.js';
import { RedisCounterConnection } from './redis-counter-store.js';
import { SplitCounterStore } from './split-counter-store.js';

/** A gateway process's rate-limit and quota counters, wherever they live. */
export interface GatewayCounters {
  readonly rate: RateCounterStore;
  readonly quota: RateCounterStore;
  /** `redis`: shared and exact across processes; `memory`: this process's own (split when several count). */
  readonly kind: 'redis' | 'memory';
  /** Writes the in-memory quota counts that changed (nothing with Redis, which holds them itself). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface GatewayCountersDeps {
  readonly config: PorticoConfig;
  readonly quotaStore: QuotaCounterStore;
  readonly logger: Logger;
  /**
   * The nodes' heartbeat rows: without Redis and PORTICO_GATEWAY_NODES, on PostgreSQL (where several
   * nodes can run), each limit is split among the live gateway nodes they show.
   */
  readonly nodes?: Pick<NodeHeartbeatStore, 'listSeenSince'>;
  /**
   * What keeps the in-memory quota counts across restarts (default: QuotaPersistence, this process
   * writes them); a gateway worker may hand them to another process instead. Unused with Redis.
   */
  readonly persistQuota?: (quota: InMemoryCounterStore, alsoSweep: InMemoryCounterStore[]) => QuotaKeeper;
}

/** Loads the quota counts at start, keeps them written on a beat, writes once more on stop. */
export interface QuotaKeeper {
  start(): Promise<void>;
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * With PORTICO_REDIS_URL: one Redis connection, counts exact across every gateway process; quota
 * counts are as durable as Redis is, so the store's quota_counters are neither read nor written.
 * Without: in-memory counters, the quota counts written to the store every 2 s, and each limit split
 * among the processes that count apart (nodes × workers).
 */
export async function openGatewayCounters(deps: GatewayCountersDeps): Promise<GatewayCounters> {
  const { config, logger } = deps;
  if (config.redisUrl !== undefined) {
    const connection = new RedisCounterConnection(config.redisUrl, config.redisCommandTimeoutMs, logger);
    await connection.connect();
    return {
      rate: connection.store('rate'),
      quota: connection.store('quota'),
      kind: 'redis',
      flush: async () => undefined,
      close: () => connection.close(),
    };
  }
  let live: LiveGatewayNodes | undefined;
  if (config.gatewayNodes === undefined && config.databaseUrl !== undefined && deps.nodes !== undefined) {
    live = new LiveGatewayNodes(deps.nodes, logger);
    await live.start();
  }
  const perNode = Math.max(1, config.workers);
  const processes = (): number => (config.gatewayNodes ?? live?.get() ?? 1) * perNode;
  const split = processes() > 1 || live !== undefined;
  if (split) logger.info({ countingProcesses: processes() }, 'no shared counters (PORTICO_REDIS_URL unset): each limit is split among the gateway processes');
  const rate = new InMemoryCounterStore();
  // The stored quota counts are every process's calls together: each restores its share of them.
  const quota = new InMemoryCounterStore(split ? processes : undefined);
  const persistence = deps.persistQuota?.(quota, [rate]) ?? new QuotaPersistence(quota, deps.quotaStore, logger, [rate]);
  await persistence.start();
  return {
    // One process: the store itself, so the hot path stays a plain synchronous call.
    rate: split ? new SplitCounterStore(rate, processes) : rate,
    quota: split ? new SplitCounterStore(quota, processes) : quota,
    kind: 'memory',
    flush: () => persistence.flush(),
    close: () => {
      live?.stop();
      return persistence.stop();
    },
  };
}
