import { Option, type Command } from 'commander';
import { AUTH_TYPES, PRODUCT_STATES, parseAuthTypes, parseBoolean, type AuthType } from '../args.js';
import { CliError, usageError } from '../cli-error.js';
import { portico } from '../invocation.js';
import { lastSegment, props, seg, type ArmResource, type CliContext } from '../context.js';
import { asRecord } from '../http.js';
import { textOf, yesNo } from '../output.js';
import { act, leaf, withYes, type Deps } from './shared.js';
import { limitFields, registerProductPolicyCommands } from './product-policy.js';
import { linksOfEveryApplication } from './product-links.js';

export function registerProductCommands(program: Command, deps: Deps): void {
  const product = program.command('product').description('list, show, create, update and delete products (authentication types, state)');

  leaf(product, 'list', 'list the products of the service', ['portico product list', 'portico product list --output json']).action(
    act(deps, async (ctx) => {
      const products = await ctx.armList('/products');
      ctx.out.result({ value: products }, () =>
        ctx.out.table(
          ['ID', 'DISPLAY NAME', 'STATE', 'AUTHENTICATION', 'SUBSCRIPTION REQUIRED'],
          products.map((item) => {
            const p = props(item);
            return [item.name ?? '', textOf(p.displayName) ?? '', textOf(p.state) ?? '', describeAuthTypes(p), yesNo(p.subscriptionRequired) ?? ''];
          }),
          'No products.',
        ),
      );
    }),
  );

  leaf(product, 'show <productId>', 'show a product, with its limits, and its audience and scope when application-token is on', [
    'portico product show starter',
    'portico product show starter --output json',
  ]).action(
    act(deps, async (ctx, [productId]) => {
      const resource = await ctx.armGet(`/products/${seg(productId!)}`);
      // The limits of its policy (rate limit, quota) as JSON; {} when it has none.
      const policy = await ctx.armFind(`/products/${seg(productId!)}/policies/policy`);
      const limits = asRecord(policy ? props(policy).limits : undefined) ?? {};
      ctx.out.result({ ...resource, limits }, () => printProduct(ctx, resource, limits));
    }),
  );

  leaf(product, 'create <productId>', 'create a product', [
    'portico product create gold --display-name Gold --state published --auth-types application-token',
  ])
    .requiredOption('--display-name <name>', 'display name')
    .option('--description <text>', 'description')
    .option('--auth-types <types>', 'comma-separated: subscription-key, application-token, or none', parseAuthTypes)
    .addOption(new Option('--state <state>', 'publication state (default notPublished)').choices(PRODUCT_STATES))
    .option('--subscription-required <bool>', 'whether calls need a subscription key (true|false; default true)', parseBoolean)
    .option('--approval-required <bool>', 'whether new subscriptions need approval (true|false; default false)', parseBoolean)
    .action(
      act(deps, async (ctx, [productId], options) => {
        if ((await ctx.armFind(`/products/${seg(productId!)}`)) !== undefined) {
          throw new CliError(`error: product ${productId} already exists; change it with \`${portico(`product update ${productId}`)}\`.`);
        }
        const response = await ctx.arm('PUT', `/products/${seg(productId!)}`, { json: { properties: updateProperties(options) } });
        const resource = (response.body ?? {}) as ArmResource;
        ctx.out.result(resource, () => {
          ctx.out.line(`Created product ${resource.name ?? productId}.`);
          printProduct(ctx, resource, {}); // a new product has no policy yet
        });
      }),
    );

  withYes(
    leaf(product, 'delete <productId>', 'delete a product (its links and, with --delete-subscriptions, its subscriptions)', [
      'portico product delete gold',
      'portico product delete gold --delete-subscriptions --yes',
    ]).option('--delete-subscriptions', 'also delete the product\'s subscriptions'),
  ).action(
    act(deps, async (ctx, [productId], options) => {
      await ctx.confirm(`Deleting product ${productId} cuts the access of every application and subscription that uses it`, options);
      const query = options.deleteSubscriptions === true ? '?deleteSubscriptions=true' : '';
      const deleted = (await ctx.arm('DELETE', `/products/${seg(productId!)}${query}`)).status !== 204;
      ctx.out.result({ name: productId, deleted }, () => ctx.out.line(deleted ? `Deleted product ${productId}.` : `Product ${productId} does not exist; nothing deleted.`));
    }),
  );

  leaf(product, 'update <productId>', 'change how a product is accessed (authentication types) and its state', [
    'portico product update starter --auth-types subscription-key,application-token',
    'portico product update starter --auth-types application-token      # OAuth 2.0 tokens only: subscription keys off',
    'portico product update starter --auth-types none',
    'portico product update unlimited --state notPublished',
  ])
    .option(
      '--auth-types <types>',
      'comma-separated: subscription-key, application-token (OAuth 2.0 token; creates the product\'s directory application), or none. Replaces the list: a type left out is turned off (the output says what changed)',
      parseAuthTypes,
    )
    .addOption(new Option('--state <state>', 'publication state').choices(PRODUCT_STATES))
    .option('--subscription-required <bool>', 'whether calls need a subscription key (true|false)', parseBoolean)
    .option('--approval-required <bool>', 'whether new subscriptions need approval (true|false)', parseBoolean)
    .option('--display-name <name>', 'new display name')
    .option('--description <text>', 'new description')
    .option('-y, --yes', 'do not ask before turning off application-token while applications are linked')
    .action(
      act(deps, async (ctx, [productId], options) => {
        const properties = updateProperties(options);
        if (Object.keys(properties).length === 0) {
          throw usageError('nothing to update: give --auth-types, --state, --subscription-required, --approval-required, --display-name or --description.');
        }
        const newTypes = properties.authenticationType as AuthType[] | undefined;
        // --auth-types replaces the list: what was on before, to say what this turns on and off.
        const before = newTypes !== undefined ? props(await ctx.armGet(`/products/${seg(productId!)}`)) : undefined;
        if (newTypes !== undefined && !newTypes.includes('application-token')) {
          const current = before!;
          const linked = tokensOn(current) ? await appsLinkedTo(ctx, productId!) : [];
          if (linked.length > 0) {
            await ctx.confirm(`Turning off application-token on ${productId} cuts the access of ${linked.length} linked application(s) (${linked.slice(0, 5).join(', ')}${linked.length > 5 ? ', …' : ''})`, options);
          }
        }
        const turningOnTokens = (properties.authenticationType as AuthType[] | undefined)?.includes('application-token') === true;
        ctx.out.progress(
          turningOnTokens
            ? `Updating product ${productId} (application-token: the service's managed identity registers the product in the directory)…`
            : `Updating product ${productId}…`,
        );
        // Without the Application Administrator role the server's error says how to assign it.
        const response = await ctx.arm('PATCH', `/products/${seg(productId!)}`, { json: { properties } });
        const resource = (response.body ?? {}) as ArmResource;
        ctx.out.result(resource, () => {
          const p = props(resource);
          ctx.out.line(`Updated product ${resource.name ?? productId}.`);
          if (before !== undefined) for (const change of authChanges(before, p)) ctx.out.line(change);
          ctx.out.fields([
            ['Authentication types', describeAuthTypes(p)],
            ['State', textOf(p.state)],
          ]);
          printAudience(ctx, p);
        });
      }),
    );

  registerProductPolicyCommands(product, deps);
}

/** The ids of the client applications linked to a product. */
export async function appsLinkedTo(ctx: CliContext, productId: string): Promise<string[]> {
  const perApp = await linksOfEveryApplication(ctx);
  return perApp
    .filter(({ links }) => links.some((link) => lastSegment(props(link).productId).toLowerCase() === productId.toLowerCase()))
    .map(({ appId }) => appId);
}

/** The PATCH body's properties from the options given (only those). */
export function updateProperties(options: Record<string, unknown>): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  if (options.authTypes !== undefined) properties.authenticationType = options.authTypes;
  if (options.state !== undefined) properties.state = options.state;
  if (options.subscriptionRequired !== undefined) properties.subscriptionRequired = options.subscriptionRequired;
  if (options.approvalRequired !== undefined) properties.approvalRequired = options.approvalRequired;
  if (options.displayName !== undefined) properties.displayName = options.displayName;
  if (options.description !== undefined) properties.description = options.description;
  return properties;
}

export function authTypesOf(properties: Record<string, unknown>): string[] {
  const value = properties.authenticationType;
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

export function audienceOf(properties: Record<string, unknown>): string | undefined {
  return textOf(asRecord(asRecord(properties.application)?.entra)?.audience);
}

/** The client-credentials scope for a product audience: `api://<audience>/.default`. */
export function scopeForAudience(audience: string): string {
  return audience.includes('://') ? `${audience.replace(/\/+$/, '')}/.default` : `api://${audience}/.default`;
}

function printProduct(ctx: CliContext, resource: ArmResource, limits: Record<string, unknown>): void {
  const p = props(resource);
  const audience = audienceOf(p);
  ctx.out.fields([
    ['ID', resource.name],
    ['Display name', textOf(p.displayName)],
    ['Description', textOf(p.description)],
    ['State', textOf(p.state)],
    ['Subscription required', yesNo(p.subscriptionRequired)],
    ['Approval required', yesNo(p.approvalRequired)],
    ['Subscriptions limit', textOf(p.subscriptionsLimit)],
    ['Authentication types', describeAuthTypes(p)],
    // The directory application stays when application-token is turned off; its scope only matters while on.
    ['Application ID', textOf(asRecord(asRecord(p.application)?.entra)?.applicationId)],
    ['Audience', audience],
    ['Scope', audience !== undefined && tokensOn(p) ? scopeForAudience(audience) : undefined],
    ...limitFields(limits),
  ]);
}

/** After an update: the audience and scope a client asks a token for, while application-token is on. */
function printAudience(ctx: CliContext, p: Record<string, unknown>): void {
  if (!tokensOn(p)) return;
  const audience = audienceOf(p);
  if (audience === undefined) return ctx.out.warn('application-token is on but the product has no audience yet.');
  ctx.out.fields([
    ['Audience', audience],
    ['Scope', scopeForAudience(audience)],
  ]);
}

const AUTH_TYPE_NAMES: Record<AuthType, string> = {
  'subscription-key': 'Subscription key access (subscription-key)',
  'application-token': 'OAuth 2.0 token access (application-token)',
};

/**
 * What an update turned on and off, one sentence each: `--auth-types` replaces the list, so
 * `--auth-types application-token` on a product with subscription keys turns those off.
 * An empty list is APIM's default, subscription keys.
 */
export function authChanges(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const effective = (p: Record<string, unknown>) => (authTypesOf(p).length === 0 ? ['subscription-key'] : authTypesOf(p));
  const was = effective(before);
  const is = effective(after);
  const changes: string[] = [];
  for (const type of AUTH_TYPES) {
    if (was.includes(type) && !is.includes(type)) changes.push(`${AUTH_TYPE_NAMES[type]} turned off.`);
    if (!was.includes(type) && is.includes(type)) changes.push(`${AUTH_TYPE_NAMES[type]} turned on.`);
  }
  return changes;
}

function tokensOn(p: Record<string, unknown>): boolean {
  return authTypesOf(p).includes('application-token');
}

function describeAuthTypes(p: Record<string, unknown>): string {
  const types = authTypesOf(p);
  // An empty list is APIM's default: subscription keys.
  return types.length === 0 ? 'none set (subscription keys)' : types.join(', ');
}
