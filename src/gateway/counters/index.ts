export type { RateCounterStore } from './rate-counter-store.js';
export { InMemoryCounterStore } from './in-memory-counter-store.js';
export { QuotaPersistence, QUOTA_FLUSH_INTERVAL_MS, type QuotaPersister } from './quota-persistence.js';
export { QuotaDeltaReporter, type QuotaDeltaSink } from './quota-delta-reporter.js';
