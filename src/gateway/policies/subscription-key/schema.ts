import type { PolicySchema } from '../schema.js';

/**
 * Not configured by a policy document: each API names its key's header and query parameter
 * (`subscriptionKeyParameterNames`); these are the defaults the snapshot applies when it does not.
 */
export const DEFAULT_KEY_HEADER = 'Ocp-Apim-Subscription-Key';
export const DEFAULT_KEY_QUERY = 'subscription-key';

export type SubscriptionKeyConfig = Record<string, never>;

export const subscriptionKeySchema: PolicySchema<SubscriptionKeyConfig> = {
  description:
    `Accepts a key of an active, unexpired subscription whose owner (if any) is active and whose scope covers the API: the service ('/'), all APIs, the API, or a product holding the API that takes keys. Header '${DEFAULT_KEY_HEADER}', else query '${DEFAULT_KEY_QUERY}', unless the API names others.`,
  fields: {},
};
