import type { PolicySchema } from '../schema.js';

/** No configuration: the rules are APIM's (apim-reference §3.1), the facts precomputed per API (ApiAccess). */
export type AccessConfig = Record<string, never>;

export const accessSchema: PolicySchema<AccessConfig> = {
  description:
    'Lets the call go on when a key or token was accepted, or when an open product (subscriptionRequired false, no application-token) holds the API or the API itself does not require a subscription; otherwise 401 with the message for what was presented and WWW-Authenticate challenges.',
  fields: {},
};
