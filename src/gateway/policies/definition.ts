import type { Logger } from 'pino';
import type { RateCounterStore } from '../counters/rate-counter-store.js';
import type { PorticoMetrics } from '../observability/index.js';
import type { BackendProxy } from '../proxy.js';
import type { VerifiedTokenCache } from '../token-cache.js';
import type { PolicyHandler } from './types.js';
import type { OnRevoked } from './application-token/authorize-token.js';

/** What policies may use: gateway services, never the store. */
export interface PolicyDeps {
  readonly tokens: VerifiedTokenCache;
  readonly proxy: BackendProxy;
  readonly logger: Logger;
  /** The advertised gateway base URL (WWW-Authenticate realms; never the Host header). */
  readonly publicUrl: () => string;
  readonly rateCounters: RateCounterStore;
  readonly quotaCounters: RateCounterStore;
  /** Wall clock in ms (Date.now); counters' windows use it. */
  readonly now: () => number;
  /** This process's metrics registry (the metrics policy counts every request in it); absent: no metrics. */
  readonly metrics?: PorticoMetrics | undefined;
  /** Told when a valid token's application has lost access (the audit log's refusal recorder); must not block. */
  readonly onRevoked?: OnRevoked | undefined;
}

/** A policy module: its handler.ts exports one of these; policies/index.ts lists them all. */
export interface PolicyDefinition {
  readonly name: string;
  create(deps: PolicyDeps): PolicyHandler;
}
