import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { usageError } from '../cli-error.js';
import { props, seg, type ArmResource } from '../context.js';
import { asRecord } from '../http.js';
import { act, leaf, type Deps } from './shared.js';
// The document's layout only (a pure function): not the gateway itself.
import { limitElement, productPolicyDocument, type LimitSetting } from '../../gateway/policies/policy-document.js';

/** A policy document is a few hundred bytes; the server refuses more than 256 KiB anyway. */
const MAX_POLICY_FILE_BYTES = 256 * 1024;

/** `portico product policy show|set`: the product's rate limit and quota (APIM's product policy). */
export function registerProductPolicyCommands(product: Command, deps: Deps): void {
  const policy = product.command('policy').description("show or set a product's rate limit and quota (its APIM policy document)");

  leaf(policy, 'show <productId>', "show a product's limits and its policy document", [
    'portico product policy show starter',
    'portico product policy show starter --output json',
  ]).action(
    act(deps, async (ctx, [productId]) => {
      const resource = await ctx.armFind(`/products/${seg(productId!)}/policies/policy`);
      if (!resource) {
        await ctx.armGet(`/products/${seg(productId!)}`); // a missing product is an error, a missing policy is not
        ctx.out.result(null, () => ctx.out.line(`Product ${productId} has no policy: its calls are not limited.`));
        return;
      }
      ctx.out.result(resource, () => {
        ctx.out.fields(limitFields(props(resource).limits));
        ctx.out.line('');
        ctx.out.line(String(props(resource).value ?? ''));
      });
    }),
  );

  leaf(policy, 'set <productId>', "set a product's rate limit and quota (replaces its policy), or remove them", [
    'portico product policy set starter --rate-limit 5/60 --quota 100/604800',
    'portico product policy set gold --quota 10000/2592000',
    'portico product policy set gold --file policy.xml',
    'portico product policy set gold --none',
  ])
    .option('--rate-limit <calls/seconds>', 'calls allowed per window of that many seconds, e.g. 5/60 (429 over it)')
    .option('--quota <calls/seconds>', 'calls allowed per period of that many seconds, e.g. 100/604800 (403 over it)')
    .option('--file <policy.xml>', "an APIM policy document (<rate-limit> and <quota> in <inbound>); instead of the options above")
    .option('--none', 'remove the policy: the product limits nothing')
    .action(
      act(deps, async (ctx, [productId], options) => {
        const path = `/products/${seg(productId!)}/policies/policy`;
        const given = [options.rateLimit, options.quota, options.file, options.none].filter((o) => o !== undefined).length;
        if (given === 0) throw usageError('give --rate-limit and/or --quota, or --file, or --none.');
        if (options.none !== undefined) {
          if (given > 1) throw usageError('--none removes the policy; give it alone.');
          const response = await ctx.arm('DELETE', path);
          ctx.out.result({ deleted: response.status === 200 }, () =>
            ctx.out.line(response.status === 200 ? `Removed the policy of product ${productId}: its calls are not limited.` : `Product ${productId} had no policy.`),
          );
          return;
        }
        if (options.file !== undefined && given > 1) throw usageError('--file gives the whole document; do not combine it with --rate-limit or --quota.');
        const value = options.file !== undefined ? readPolicyFile(String(options.file)) : policyDocument(options.rateLimit as string | undefined, options.quota as string | undefined);
        const response = await ctx.arm('PUT', path, { json: { properties: { format: 'rawxml', value } } });
        const resource = (asRecord(response.body) ?? {}) as ArmResource;
        ctx.out.result(resource, () => {
          ctx.out.line(`Set the policy of product ${productId}.`);
          ctx.out.fields(limitFields(props(resource).limits));
        });
      }),
    );
}

/** The document for the options given: APIM's layout, rate limit before quota. */
export function policyDocument(rateLimit: string | undefined, quota: string | undefined): string {
  const inbound: string[] = [];
  if (rateLimit !== undefined) inbound.push(limitElement('rate-limit', parseLimit('--rate-limit', rateLimit)));
  if (quota !== undefined) inbound.push(limitElement('quota', parseLimit('--quota', quota)));
  return productPolicyDocument(inbound);
}

function parseLimit(option: string, value: string): LimitSetting {
  const match = /^([1-9][0-9]{0,9})\/([1-9][0-9]{0,9})$/.exec(value.trim());
  if (!match) throw usageError(`${option} must be CALLS/SECONDS with whole numbers above 0, e.g. 5/60; '${value}' is not.`);
  return { calls: Number(match[1]), renewalPeriod: Number(match[2]) };
}

function readPolicyFile(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw usageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (bytes.length > MAX_POLICY_FILE_BYTES) throw usageError(`${path} is larger than ${MAX_POLICY_FILE_BYTES} bytes; a policy document is much smaller.`);
  return bytes.toString('utf8');
}

/** "5 calls per 60 seconds" lines for a product's limits (the policy resource's `limits`). */
export function limitFields(limits: unknown): [string, string | undefined][] {
  const record = asRecord(limits) ?? {};
  return [
    ['Rate limit', describeLimit(record.rateLimit)],
    ['Quota', describeLimit(record.quota)],
  ];
}

function describeLimit(limit: unknown): string {
  const record = asRecord(limit);
  if (!record) return 'none';
  const failMode = record.failMode === 'closed' ? ' (refused while shared counters are unreachable)' : '';
  return `${String(record.calls)} calls per ${String(record.renewalPeriod)} seconds${failMode}`;
}
