export type { RateCounterStore } from './rate-counter-store.js';
export { InMemoryCounterStore } from './in-memory-counter-store.js';
export { QuotaPersistence, QUOTA_FLUSH_INTERVAL_MS } from './quota-persistence.js';
