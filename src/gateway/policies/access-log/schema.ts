import type { PolicySchema } from '../schema.js';

/** No configuration: written at `info` through the gateway's logger. */
export type AccessLogConfig = Record<string, never>;

export const accessLogSchema: PolicySchema<AccessLogConfig> = {
  description: 'One line per request at info: request id, method, path, status, duration, API, operation, product, subscription or client app, and whether the caller left early.',
  fields: {},
};
