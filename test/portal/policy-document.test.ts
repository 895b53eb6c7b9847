/**
 * The admin portal's Policies form writes the product policy document with the same module as the
 * CLI and the first start; a limit's fail mode (set elsewhere) survives a save from the portal.
 */
import { describe, expect, it } from 'vitest';
import { policyDocument } from '../../web/admin/policy.js';
import { parseProductPolicy } from '../../src/gateway/policies/product-policy.js';
import { policyDocument as cliPolicyDocument } from '../../src/cli/commands/product-policy.js';

describe("the portal's policy document", () => {
  it('reads back as the limits it was written from, fail mode included', () => {
    const document = policyDocument({ rateLimit: { calls: 5, renewalPeriod: 60, failMode: 'closed' }, quota: { calls: 100, renewalPeriod: 604800 } });
    expect(document).toContain('<rate-limit calls="5" renewal-period="60" portico-fail-mode="closed" />');
    expect(document).toContain('<quota calls="100" renewal-period="604800" />');
    const limits = parseProductPolicy(document);
    expect(limits.rateLimit).toMatchObject({ calls: 5, renewalPeriod: 60, failMode: 'closed' });
    expect(limits.quota).toMatchObject({ calls: 100, renewalPeriod: 604800, failMode: 'open' });
  });

  it('is the same document the CLI writes for the same limits', () => {
    expect(policyDocument({ rateLimit: { calls: 5, renewalPeriod: 60 }, quota: { calls: 100, renewalPeriod: 604800 } })).toBe(cliPolicyDocument('5/60', '100/604800'));
    expect(policyDocument({})).toBe(cliPolicyDocument(undefined, undefined));
  });
});
