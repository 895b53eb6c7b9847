import { failModeField, type FailMode } from '../limits.js';
import type { PolicySchema } from '../schema.js';

/** APIM's `<rate-limit calls="5" renewal-period="60" />`: at most `calls` calls per window of `renewalPeriod` seconds. */
export interface RateLimitConfig {
  readonly calls: number;
  /** Seconds. */
  readonly renewalPeriod: number;
  /** Portico's `portico-fail-mode`: what happens to a call the shared counters cannot count. */
  readonly failMode: FailMode;
}

export const rateLimitSchema: PolicySchema<RateLimitConfig> = {
  element: 'rate-limit',
  description: 'Calls allowed per subscription (keys) or client application (tokens) and product in a short window; over it: 429 with Retry-After.',
  fields: {
    calls: { type: 'integer', attribute: 'calls', description: 'calls allowed in one window', min: 1, max: 2_147_483_647 },
    renewalPeriod: { type: 'integer', attribute: 'renewal-period', description: 'length of the window in seconds', min: 1, max: 2_147_483_647 },
    failMode: failModeField,
  },
};
