import type { PolicySchema } from '../schema.js';

/** No configuration: counts into the process's metrics registry, served at /metrics. */
export type MetricsConfig = Record<string, never>;

export const metricsSchema: PolicySchema<MetricsConfig> = {
  description: 'Counts every request by API, operation, product and status class, with histograms of the whole request and of the backend (docs/gateway.md, Observability).',
  fields: {},
};
