export type { RateCounterStore } from './rate-counter-store.js';
export { InMemoryCounterStore } from './in-memory-counter-store.js';
export { QuotaPersistence, QUOTA_FLUSH_INTERVAL_MS, type QuotaPersister } from './quota-persistence.js';
export { QuotaDeltaReporter, type QuotaDeltaSink } from './quota-delta-reporter.js';
export { RedisCounterConnection, CountersUnavailableError, redisKey, REDIS_KEY_PREFIX, MAX_PLAIN_KEY_LENGTH } from './redis-counter-store.js';
export { SplitCounterStore, shareOf } from './split-counter-store.js';
export { openGatewayCounters, type GatewayCounters, type GatewayCountersDeps, type QuotaKeeper } from './gateway-counters.js';
export { LiveGatewayNodes, LIVE_NODE_WITHIN_MS, LIVE_NODES_REFRESH_MS } from './live-gateway-nodes.js';
