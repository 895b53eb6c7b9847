import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { lastSegment, props, seg, type ArmResource, type CliContext } from '../context.js';
import { textOf } from '../output.js';
import { act, leaf, type Deps } from './shared.js';

/**
 * `portico link approve|reject <appId> <productId>`: an administrator's decision on an application's
 * link to a product that requires approval (the Portico extension actions on productLinks,
 * docs/management-api.md). Added to the `link` command group.
 */
export function registerLinkApprovalCommands(link: Command, deps: Deps): void {
  for (const [verb, description, done] of [
    ['approve', 'approve a pending (or rejected) link: tokens for the product work from the next request', 'approved'],
    ['reject', "reject a link: the application's tokens stop working for the product at once", 'rejected'],
  ] as const) {
    leaf(link, `${verb} <appId> <productId>`, description, [`portico link ${verb} contoso-billing unlimited`]).action(
      act(deps, async (ctx, [appId, productId]) => {
        const found = await linkToProduct(ctx, appId!, productId!);
        if (found?.name === undefined) throw new CliError(`error: application ${appId} is not linked to product ${productId}.`);
        const response = await ctx.arm('POST', `/clientApplications/${seg(appId!)}/productLinks/${seg(found.name)}/${verb}`);
        const resource = (response.body ?? {}) as ArmResource;
        const state = textOf(props(resource).state);
        ctx.out.result(resource, () =>
          ctx.out.line(
            state === done
              ? `The link of application ${appId} to product ${productId} is ${done}.`
              : `The link of application ${appId} to product ${productId} is ${state ?? 'unchanged'}; it already grants access.`,
          ),
        );
      }),
    );
  }
}

/** The application's link to the product (links are named by whoever made them; find it by product). */
async function linkToProduct(ctx: CliContext, appId: string, productId: string): Promise<ArmResource | undefined> {
  const links = await ctx.armList(`/clientApplications/${seg(appId)}/productLinks`);
  return links.find((link) => lastSegment(props(link).productId).toLowerCase() === productId.toLowerCase());
}
