import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { props, seg, type ArmResource } from '../context.js';
import { textOf } from '../output.js';
import { findLink } from './app.js';
import { act, leaf, withYes, type Deps } from './shared.js';

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
    const command = leaf(link, `${verb} <appId> <productId>`, description, [`portico link ${verb} contoso-billing unlimited${verb === 'reject' ? ' --yes' : ''}`]);
    // Rejecting cuts access at once, so it asks first, as unlink does.
    if (verb === 'reject') withYes(command);
    command.action(
      act(deps, async (ctx, [appId, productId], options) => {
        const found = await findLink(ctx, appId!, productId!);
        if (found?.name === undefined) throw new CliError(`error: application ${appId} is not linked to product ${productId}.`);
        if (verb === 'reject') await ctx.confirm(`Rejecting the link of application ${appId} to product ${productId} cuts its access to that product at once`, options);
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
