/** The product policy document (rate limit and quota) as the management API reads and writes it. */
import { limitElement, productPolicyDocument, type LimitSetting } from '../../src/gateway/policies/policy-document.js';

export type Limit = LimitSetting;

export interface PolicyLimits {
  readonly rateLimit?: Limit;
  readonly quota?: Limit;
}

/** APIM's product policy document holding just these limits (docs/management-api.md, Product policies). */
export function policyDocument(limits: PolicyLimits): string {
  const inbound: string[] = [];
  if (limits.rateLimit) inbound.push(limitElement('rate-limit', limits.rateLimit));
  if (limits.quota) inbound.push(limitElement('quota', limits.quota));
  return productPolicyDocument(inbound);
}
