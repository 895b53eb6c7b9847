import type { Command } from 'commander';
import { deriveId, parseIdList } from '../args.js';
import { CliError, usageError } from '../cli-error.js';
import { lastSegment, props, seg, type ArmResource, type CliContext } from '../context.js';
import { asRecord } from '../http.js';
import { textOf } from '../output.js';
import { act, leaf, type Deps } from './shared.js';
import { registerAppCredentialCommands } from './app-credential.js';

export function registerAppCommands(program: Command, deps: Deps): void {
  const app = program.command('app').description('register client applications, link them to products and create their secrets');

  leaf(app, 'register', 'register a client application owned by one user, with access to products that have application-token on', [
    'portico app register --name "Contoso Billing" --owner alice --products starter',
    'portico app register --name "Contoso Billing" --owner alice --products starter,unlimited --description "Nightly billing job" --id billing',
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
          throw new CliError(`error: client application ${appId} already exists (owner ${lastSegment(String(props(existing).ownerId ?? ''))}). Choose another --id, or change it with \`portico app add-product\` / \`remove-product\`.`);
        }
        ctx.out.progress(`Registering application ${appId} (directory application, service principal, access to ${products.join(', ')})…`);
        const response = await ctx.arm('PUT', `/clientApplications/${seg(appId)}`, { json: { properties } });
        const resource = (response.body ?? {}) as ArmResource;
        ctx.out.result(resource, () => {
          ctx.out.line(`${response.status === 201 ? 'Registered' : 'Updated'} application ${resource.name ?? appId}.`);
          const productIds = props(resource).productIds;
          printApp(ctx, resource, Array.isArray(productIds) ? productIds.map(lastSegment) : products);
          ctx.out.progress(`Next: create a client secret with \`portico app secret ${resource.name ?? appId}\`.`);
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

  leaf(app, 'delete <appId>', 'delete a client application (its tokens stop working at once)', ['portico app delete contoso-billing']).action(
    act(deps, async (ctx, [appId]) => {
      // ARM answers 204 when there was nothing to delete.
      const deleted = (await ctx.arm('DELETE', `/clientApplications/${seg(appId!)}`)).status !== 204;
      ctx.out.result({ name: appId, deleted }, () =>
        ctx.out.line(deleted ? `Deleted application ${appId}.` : `Application ${appId} does not exist; nothing deleted.`),
      );
    }),
  );

  leaf(app, 'add-product <appId> <productId>', 'give a client application access to one more product', [
    'portico app add-product contoso-billing unlimited',
  ]).action(
    act(deps, async (ctx, [appId, productId]) => {
      const response = await ctx.arm('PUT', productLinkPath(appId!, productId!), {
        json: { properties: { productId: `${ctx.serviceId}/products/${seg(productId!)}` } },
      });
      ctx.out.result(response.body ?? {}, () =>
        ctx.out.line(response.status === 201 ? `Linked product ${productId} to application ${appId}.` : `Application ${appId} was already linked to product ${productId}.`),
      );
    }),
  );

  leaf(app, 'remove-product <appId> <productId>', 'take a product away from a client application (its tokens stop working for it at once)', [
    'portico app remove-product contoso-billing unlimited',
  ]).action(
    act(deps, async (ctx, [appId, productId]) => {
      const deleted = (await ctx.arm('DELETE', productLinkPath(appId!, productId!))).status !== 204;
      ctx.out.result({ name: productId, deleted }, () =>
        ctx.out.line(deleted ? `Unlinked product ${productId} from application ${appId}.` : `Application ${appId} was not linked to product ${productId}.`),
      );
    }),
  );

  leaf(app, 'secret <appId>', 'create a new client secret (shown once; valid for one year)', ['portico app secret contoso-billing']).action(
    act(deps, async (ctx, [appId]) => {
      const path = `/clientApplications/${seg(appId!)}`;
      const clientId = textOf(props(await ctx.armGet(path)).entraApplicationId);
      ctx.out.progress(`Creating a new client secret for ${appId}…`);
      const response = await ctx.arm('POST', `${path}/listSecrets`);
      const entra = asRecord(asRecord(response.body)?.entra);
      const secret = textOf(entra?.clientSecret);
      if (secret === undefined) throw new CliError('error: the server answered without a client secret.');
      ctx.out.result(response.body, () =>
        ctx.out.fields([
          ['Client ID', clientId],
          ['Client secret', secret],
          ['Expires', textOf(entra?.expiresAt)],
        ]),
      );
      ctx.out.warn('copy the client secret now: it cannot be shown again. Running this command again creates another new secret.');
    }),
  );

  registerAppCredentialCommands(app, deps);
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
