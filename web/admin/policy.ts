/** The product policy document (rate limit and quota) as the management API reads and writes it. */

export interface Limit {
  readonly calls: number;
  readonly renewalPeriod: number;
}

export interface PolicyLimits {
  readonly rateLimit?: Limit;
  readonly quota?: Limit;
}

/** APIM's product policy document holding just these limits (docs/management-api.md, Product policies). */
export function policyDocument(limits: PolicyLimits): string {
  const lines: string[] = [];
  if (limits.rateLimit) lines.push(`    <rate-limit calls="${limits.rateLimit.calls}" renewal-period="${limits.rateLimit.renewalPeriod}" />`);
  if (limits.quota) lines.push(`    <quota calls="${limits.quota.calls}" renewal-period="${limits.quota.renewalPeriod}" />`);
  return [
    '<policies>',
    '  <inbound>',
    ...lines,
    '    <base />',
    '  </inbound>',
    '  <backend>',
    '    <base />',
    '  </backend>',
    '  <outbound>',
    '    <base />',
    '  </outbound>',
    '  <on-error>',
    '    <base />',
    '  </on-error>',
    '</policies>',
  ].join('\n');
}
