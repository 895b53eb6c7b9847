/**
 * Every gateway policy, one folder each (handler.ts: its phase and priority; schema.ts: its
 * configuration). To add a policy: add a folder, export its PolicyDefinition from handler.ts, and
 * list it here (docs/gateway.md, "Adding a policy").
 */
import { access } from './access/handler.js';
import { accessLog } from './access-log/handler.js';
import { applicationToken } from './application-token/handler.js';
import type { PolicyDefinition } from './definition.js';
import { forward } from './forward/handler.js';
import { metrics } from './metrics/handler.js';
import { pathSafety } from './path-safety/handler.js';
import { quota } from './quota/handler.js';
import { rateLimit } from './rate-limit/handler.js';
import { route } from './route/handler.js';
import { subscriptionKey } from './subscription-key/handler.js';

export const POLICIES: readonly PolicyDefinition[] = [pathSafety, route, subscriptionKey, applicationToken, access, rateLimit, quota, forward, metrics, accessLog];

export { Pipeline } from './pipeline.js';
export { Refusals, type Refusal } from './refusals.js';
export { GatewayCall, PHASES, type Phase, type PolicyHandler, type Rejection, type Outcome } from './types.js';
export type { PolicyDeps, PolicyDefinition } from './definition.js';
export type { OnRevoked, RevokedApplication } from './application-token/authorize-token.js';
export type { RequestRecord } from './request-record.js';
export { requestRecord } from './request-record.js';
export { parseProductPolicy, productPolicyDocument, NO_LIMITS, type ProductLimits } from './product-policy.js';
export { PolicyConfigError } from './schema.js';
export { rateLimitSchema, type RateLimitConfig } from './rate-limit/schema.js';
export { quotaSchema, type QuotaConfig } from './quota/schema.js';
