import type { Command } from 'commander';
import { deriveId, parseIdList } from '../args.js';
import { CliError, usageError } from '../cli-error.js';
import { lastSegment, props, seg, type ArmResource, type CliContext } from '../context.js';
import { textOf } from '../output.js';
import { act, leaf, withYes, type Deps } from './shared.js';
import { registerAppCredentialCommands } from './app-credential.js';
import { registerAppSecretCommands } from './app-secret.js';
import { portico } from '../invocation.js';

export function registerAppCommands(program: Command, deps: Deps): void {
  const app = program.command('app').description('register client applications, link them to products, manage their secrets and certificates');

  leaf(app, 'register', 'register a client application owned by one user, with access to products that have application-token on', [
    'portico app register --name "Contoso Billing" --owner alice --products starter',
    'portico app register --name "Contoso Billing" --owner alice --products starter,unlimited --description "Nightly billing job" --id billing',
    'portico app register --name "Contoso Billing" --owner alice --products starter -o json   # the resource, without products: see `portico link list --app <id>`',
  ])
    .requiredOption('--name <displayName>', 'display name')
    .requiredOption('--owner <userId>', 'id of the user who owns the application')
    .requiredOption('--products <ids>', 'comma-separated product ids to grant access to', parseIdList)
    .option('--description <text>', 'description')
    .option('--id <appId>', 'application id in Portico (default: from the name, e.g. "Contoso Billing" → contoso-billing)')
    .action(
      act(deps, async (ctx, _args, options) => {
        const name = String(options.name);
        const appId = (options.id as string | undefined) ?? deriveId(name);
        if (appId === '') throw usageError('cannot derive an application id from that name; give one with --id.');
        const products = options.products as string[];
        const properties: Record<string, unknown> = { displayName: name, ownerId: `/users/${options.owner}`, productIds: products };
        if (options.description !== undefined) properties.description = options.description;
        // PUT would quietly update (even re-own) an existing application; registering must not.
        const existing = await ctx.armFind(`/clientApplications/${seg(appId)}`);
        if (existing !== undefined) {
          throw new CliError(`error: client application ${appId} already exists (owner ${lastSegment(String(props(existing).ownerId ?? ''))}). Choose another --id, or change its products with \`${portico('app link')}\` / \`unlink\`.`);
        }
        ctx.out.progress(`Registering application ${appId} (directory application, service principal, access to ${products.join(', ')})…`);
        const response = await ctx.arm('PUT', `/clientApplications/${seg(appId)}`, { json: { properties } });
        const resource = (response.body ?? {}) as ArmResource;
        ctx.out.result(resource, () => {
          ctx.out.line(`${response.status === 201 ? 'Registered' : 'Updated'} application ${resource.name ?? appId}.`);
          const productIds = props(resource).productIds;
          printApp(ctx, resource, Array.isArray(productIds) ? productIds.map(lastSegment) : products);
          ctx.out.progress(`Next: create a client secret with \`${portico(`app secret add ${resource.name ?? appId}`)}\`.`);
        });
      }),
    );

  leaf(app, 'list', 'list client applications (all, or one owner\'s)', ['portico app list', 'portico app list --owner alice']).option(
    '--owner <userId>',
    'only the applications this user owns',
  ).action(
    act(deps, async (ctx, _args, options) => {
      const owner = options.owner as string | undefined;
      const apps = await ctx.armList(owner === undefined ? '/clientApplications' : `/users/${seg(owner)}/clientApplications`);
      ctx.out.result({ value: apps }, () =>
        ctx.out.table(
          ['ID', 'NAME', 'CLIENT ID', 'OWNER', 'STATE'],
          apps.map((item) => {
            const p = props(item);
            return [item.name ?? '', textOf(p.displayName) ?? '', textOf(p.entraApplicationId) ?? '', lastSegment(p.ownerId), textOf(p.state) ?? ''];
          }),
          'No client applications.',
        ),
      );
    }),
  );

  leaf(app, 'show <appId>', 'show a client application and the products it is linked to', ['portico app show contoso-billing']).action(
    act(deps, async (ctx, [appId]) => {
      const resource = await ctx.armGet(`/clientApplications/${seg(appId!)}`);
      if (ctx.out.format === 'json') return ctx.out.result(resource, () => undefined);
      const links = await ctx.armList(`/clientApplications/${seg(appId!)}/productLinks`);
      printApp(ctx, resource, links.map((link) => lastSegment(props(link).productId)));
    }),
  );

  withYes(leaf(app, 'delete <appId>', 'delete a client application (its tokens stop working at once)', [
    'portico app delete contoso-billing',
    'portico app delete contoso-billing --yes',
  ])).action(
    act(deps, async (ctx, [appId], options) => {
      await ctx.confirm(`Deleting application ${appId} stops its tokens working at once`, options);
      // ARM answers 204 when there was nothing to delete.
      const deleted = (await ctx.arm('DELETE', `/clientApplications/${seg(appId!)}`)).status !== 204;
      ctx.out.result({ name: appId, deleted }, () =>
        ctx.out.line(deleted ? `Deleted application ${appId}.` : `Application ${appId} does not exist; nothing deleted.`),
      );
    }),
  );

  leaf(app, 'link <appId> <productId>', 'link a client application to one more product (a product link)', [
    'portico app link contoso-billing unlimited',
  ]).action(
    act(deps, async (ctx, [appId, productId]) => {
      const existing = await findLink(ctx, appId!, productId!);
      if (existing !== undefined) {
        return ctx.out.result(existing, () => ctx.out.line(`Application ${appId} was already linked to product ${productId}.`));
      }
      const response = await ctx.arm('PUT', productLinkPath(appId!, productId!), {
        json: { properties: { productId: `${ctx.serviceId}/products/${seg(productId!)}` } },
      });
      ctx.out.result(response.body ?? {}, () =>
        ctx.out.line(response.status === 201 ? `Linked product ${productId} to application ${appId}.` : `Application ${appId} was already linked to product ${productId}.`),
      );
    }),
  );

  withYes(leaf(app, 'unlink <appId> <productId>', 'unlink a product from a client application (its tokens stop working for it at once)', [
    'portico app unlink contoso-billing unlimited',
    'portico app unlink contoso-billing unlimited --yes',
  ])).action(
    act(deps, async (ctx, [appId, productId], options) => {
      const link = await findLink(ctx, appId!, productId!);
      if (link !== undefined) {
        await ctx.confirm(`Unlinking product ${productId} from application ${appId} cuts its access to that product at once`, options);
        await ctx.arm('DELETE', `/clientApplications/${seg(appId!)}/productLinks/${seg(link.name ?? productId!)}`);
      }
      ctx.out.result({ name: productId, deleted: link !== undefined }, () =>
        ctx.out.line(link !== undefined ? `Unlinked product ${productId} from application ${appId}.` : `Application ${appId} was not linked to product ${productId}.`),
      );
    }),
  );

  registerAppSecretCommands(app, deps);
  registerAppCredentialCommands(app, deps);
}

/** The product link of `appId` whose productId names `productId` (its link id may differ). */
export async function findLink(ctx: CliContext, appId: string, productId: string): Promise<ArmResource | undefined> {
  const links = await ctx.armList(`/clientApplications/${seg(appId)}/productLinks`);
  return links.find((link) => lastSegment(props(link).productId).toLowerCase() === productId.toLowerCase());
}

function productLinkPath(appId: string, productId: string): string {
  return `/clientApplications/${seg(appId)}/productLinks/${seg(productId)}`;
}

function printApp(ctx: CliContext, resource: ArmResource, products: readonly string[]): void {
  const p = props(resource);
  ctx.out.fields([
    ['ID', resource.name],
    ['Display name', textOf(p.displayName)],
    ['Description', textOf(p.description)],
    ['Owner', lastSegment(p.ownerId) || undefined],
    ['State', textOf(p.state)],
    ['Products', products.length > 0 ? products.join(', ') : '(none)'],
    ['Tenant ID', textOf(p.entraTenantId)],
    ['Client ID', textOf(p.entraApplicationId)],
  ]);
}
