/**
 * APIM's product policy document, written. Shared by the first start (Starter's default), the CLI
 * and the admin portal, which bundles this file: it imports nothing, so it runs in a browser too.
 */

/** One limit as the management API shows it in a policy's `limits` (failMode only when not `open`). */
export interface LimitSetting {
  readonly calls: number;
  readonly renewalPeriod: number;
  /** Portico's `portico-fail-mode`: what a call gets while shared counters are unreachable. */
  readonly failMode?: 'open' | 'closed';
}

/** `<rate-limit …/>` or `<quota …/>`; `portico-fail-mode` only when it is not the default (open). */
export function limitElement(name: 'rate-limit' | 'quota', limit: LimitSetting): string {
  const failMode = limit.failMode === 'closed' ? ' portico-fail-mode="closed"' : '';
  return `<${name} calls="${limit.calls}" renewal-period="${limit.renewalPeriod}"${failMode} />`;
}

/** A product policy document in APIM's layout: the given `<inbound>` elements, then `<base />` in every section. */
export function productPolicyDocument(inbound: readonly string[]): string {
  return [
    '<policies>',
    '  <inbound>',
    ...inbound.map((element) => `    ${element}`),
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
