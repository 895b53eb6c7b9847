import type { PolicySchema } from '../schema.js';

/** No per-API configuration: the backend is the API's serviceUrl; timeouts are the gateway's (backendTimeoutMs). */
export type ForwardConfig = Record<string, never>;

export const forwardSchema: PolicySchema<ForwardConfig> = {
  description:
    "Forwards the call to the API's serviceUrl over a keep-alive pool (bodies streamed both ways, the key's header and query parameter removed); 500 without a serviceUrl, 502 when the backend is unreachable, 504 when it does not answer in time.",
  fields: {},
};
