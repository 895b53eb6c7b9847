import { failModeField, type FailMode } from '../limits.js';
import type { PolicySchema } from '../schema.js';

/** APIM's `<quota calls="100" renewal-period="604800" />`: at most `calls` calls per `renewalPeriod` seconds. */
export interface QuotaConfig {
  readonly calls: number;
  /** Seconds. */
  readonly renewalPeriod: number;
  /** Portico's `portico-fail-mode`: what happens to a call the shared counters cannot count. */
  readonly failMode: FailMode;
}

export const quotaSchema: PolicySchema<QuotaConfig> = {
  element: 'quota',
  description: 'Call volume allowed per subscription (keys) or client application (tokens) and product over a long period; over it: 403. Counts survive a restart.',
  fields: {
    calls: { type: 'integer', attribute: 'calls', description: 'calls allowed in one period', min: 1, max: 2_147_483_647 },
    renewalPeriod: { type: 'integer', attribute: 'renewal-period', description: 'length of the period in seconds', min: 1, max: 2_147_483_647 },
    failMode: failModeField,
  },
};
