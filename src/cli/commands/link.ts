import type { Command } from 'commander';
import { props, seg, type ArmResource } from '../context.js';
import { textOf } from '../output.js';
import { act, leaf, type Deps } from './shared.js';

/**
 * `portico link approve|reject`: an administrator's decision on a client application's link to a
 * product that requires approval (the Portico extension actions on productLinks, docs/management-api.md).
 */
export function registerLinkCommands(program: Command, deps: Deps): void {
  const link = program.command('link').description("approve or reject a client application's link to a product that requires approval");

  for (const [verb, description, done] of [
    ['approve', 'approve a pending (or rejected) link: tokens for the product work from the next request', 'approved'],
    ['reject', "reject a link: the application's tokens stop working for the product at once", 'rejected'],
  ] as const) {
    leaf(link, `${verb} <appId> <linkId>`, description, [`portico link ${verb} contoso-billing unlimited`]).action(
      act(deps, async (ctx, [appId, linkId]) => {
        const response = await ctx.arm('POST', `/clientApplications/${seg(appId!)}/productLinks/${seg(linkId!)}/${verb}`);
        const resource = (response.body ?? {}) as ArmResource;
        const state = textOf(props(resource).state);
        ctx.out.result(resource, () =>
          ctx.out.line(state === done ? `Link ${linkId} of application ${appId} is ${done}.` : `Link ${linkId} of application ${appId} is ${state ?? 'unchanged'}; it already grants access.`),
        );
      }),
    );
  }
}
