import type { PolicySchema } from '../schema.js';

/** No configuration: audiences and roles are the products' (their backend applications in the directory). */
export type ApplicationTokenConfig = Record<string, never>;

export const applicationTokenSchema: PolicySchema<ApplicationTokenConfig> = {
  description:
    "Accepts `Authorization: Bearer` access tokens signed by the tenant's keys (verified once, then cached) for a product holding the API with application-token on: `aud` is the product's audience, `roles` holds its role, and — live, every request — the client application exists, is active, is linked to the product, and its owner is active.",
  fields: {},
};
