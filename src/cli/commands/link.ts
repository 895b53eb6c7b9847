import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { lastSegment, props, seg, type ArmResource } from '../context.js';
import { textOf } from '../output.js';
import { act, leaf, type Deps } from './shared.js';
import { findLink } from './app.js';
import { registerLinkApprovalCommands } from './link-approval.js';
import { linksOfEveryApplication } from './product-links.js';

/**
 * `portico link list|show`: product links (an application's access to a product). They are made
 * and removed with `portico app link` / `portico app unlink`.
 */
export function registerLinkCommands(program: Command, deps: Deps): void {
  const link = program
    .command('link')
    .description('list, show, approve and reject product links (make them with `app link`, remove them with `app unlink`)');

  leaf(link, 'list', 'list product links (all applications\', or one\'s)', ['portico link list', 'portico link list --app contoso-billing']).option(
    '--app <appId>',
    'only this application\'s links',
  ).action(
    act(deps, async (ctx, _args, options) => {
      const perApp = options.app !== undefined
        ? [{ appId: String(options.app), links: await ctx.armList(`/clientApplications/${seg(String(options.app))}/productLinks`) }]
        : await linksOfEveryApplication(ctx);
      const rows: Array<{ app: string; link: ArmResource }> = perApp.flatMap(({ appId, links }) => links.map((link) => ({ app: appId, link })));
      ctx.out.result({ value: rows.map((row) => row.link) }, () =>
        ctx.out.table(
          ['APPLICATION', 'PRODUCT', 'LINK ID', 'STATE'],
          rows.map(({ app, link: item }) => [app, lastSegment(props(item).productId), item.name ?? '', textOf(props(item).state) ?? 'active']),
          'No product links.',
        ),
      );
    }),
  );

  leaf(link, 'show <appId> <productId>', 'show the link of an application to a product', ['portico link show contoso-billing starter']).action(
    act(deps, async (ctx, [appId, productId]) => {
      const found = await findLink(ctx, appId!, productId!);
      if (found === undefined) throw new CliError(`error: application ${appId} is not linked to product ${productId}.`, 1, 'ResourceNotFound');
      ctx.out.result(found, () =>
        ctx.out.fields([
          ['Link ID', found.name],
          ['Application', appId],
          ['Product', lastSegment(props(found).productId)],
          ['State', textOf(props(found).state) ?? 'active'],
        ]),
      );
    }),
  );

  registerLinkApprovalCommands(link, deps);
}
