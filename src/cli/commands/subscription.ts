import { Option, type Command } from 'commander';
import { CliError, usageError } from '../cli-error.js';
import { lastSegment, props, seg, type ArmResource, type CliContext } from '../context.js';
import { asRecord } from '../http.js';
import { textOf, yesNo } from '../output.js';
import { act, leaf, withYes, type Deps } from './shared.js';

const STATES = ['active', 'submitted', 'suspended', 'cancelled', 'rejected', 'expired'] as const;

export function registerSubscriptionCommands(program: Command, deps: Deps): void {
  const subscription = program.command('subscription').description('list, create and manage subscriptions (subscription keys)');

  leaf(subscription, 'list', 'list subscriptions (all, or one owner\'s)', ['portico subscription list', 'portico subscription list --owner alice']).option(
    '--owner <userId>',
    'only the subscriptions this user owns',
  ).action(
    act(deps, async (ctx, _args, options) => {
      const owner = options.owner as string | undefined;
      const list = await ctx.armList(owner === undefined ? '/subscriptions' : `/users/${seg(owner)}/subscriptions`);
      ctx.out.result({ value: list }, () =>
        ctx.out.table(
          ['ID', 'DISPLAY NAME', 'SCOPE', 'OWNER', 'STATE'],
          list.map((item) => {
            const p = props(item);
            return [item.name ?? '', textOf(p.displayName) ?? '', shortScope(p.scope), lastSegment(p.ownerId), textOf(p.state) ?? ''];
          }),
          'No subscriptions.',
        ),
      );
    }),
  );

  leaf(subscription, 'show <subscriptionId>', 'show a subscription; its keys only with --show-keys', [
    'portico subscription show alice-starter',
    'portico subscription show alice-starter --show-keys',
  ])
    .option('--show-keys', 'also print the primary and secondary keys (secrets: keep them out of logs)')
    .action(
      act(deps, async (ctx, [sid], options) => {
        const resource = await ctx.armGet(`/subscriptions/${seg(sid!)}`);
        const keys = options.showKeys === true ? asRecord((await ctx.arm('POST', `/subscriptions/${seg(sid!)}/listSecrets`)).body) : undefined;
        const raw = keys === undefined ? resource : { ...resource, keys: { primaryKey: keys.primaryKey, secondaryKey: keys.secondaryKey } };
        ctx.out.result(raw, () => {
          printSubscription(ctx, resource);
          if (keys !== undefined) {
            ctx.out.fields([
              ['Primary key', textOf(keys.primaryKey)],
              ['Secondary key', textOf(keys.secondaryKey)],
            ]);
          }
        });
      }),
    );

  leaf(subscription, 'create <subscriptionId>', 'create a subscription to a product, an API or all APIs', [
    'portico subscription create alice-starter --product starter --owner alice',
    'portico subscription create ops-echo --api echo-api --display-name "Ops echo" --state submitted',
  ])
    .option('--product <productId>', 'scope: this product')
    .option('--api <apiId>', 'scope: this API')
    .option('--all-apis', 'scope: every API')
    .option('--display-name <name>', 'display name (default: the subscription id)')
    .option('--owner <userId>', 'the user who owns it')
    .addOption(new Option('--state <state>', 'initial state (default active: usable at once)').choices(STATES))
    .option('--show-keys', 'print the generated keys')
    .action(
      act(deps, async (ctx, [sid], options) => {
        const scopes = [
          options.product !== undefined ? `/products/${String(options.product)}` : undefined,
          options.api !== undefined ? `/apis/${String(options.api)}` : undefined,
          options.allApis === true ? '/apis' : undefined,
        ].filter((scope) => scope !== undefined);
        if (scopes.length !== 1) throw usageError('give exactly one of --product, --api or --all-apis.');
        if ((await ctx.armFind(`/subscriptions/${seg(sid!)}`)) !== undefined) throw new CliError(`error: subscription ${sid} already exists.`);
        const properties: Record<string, unknown> = { scope: scopes[0], displayName: (options.displayName as string | undefined) ?? sid, state: (options.state as string | undefined) ?? 'active' };
        if (options.owner !== undefined) properties.ownerId = `/users/${String(options.owner)}`;
        const response = await ctx.arm('PUT', `/subscriptions/${seg(sid!)}`, { json: { properties } });
        const resource = (response.body ?? {}) as ArmResource;
        const keys = options.showKeys === true ? asRecord((await ctx.arm('POST', `/subscriptions/${seg(sid!)}/listSecrets`)).body) : undefined;
        ctx.out.result(keys === undefined ? resource : { ...resource, keys: { primaryKey: keys.primaryKey, secondaryKey: keys.secondaryKey } }, () => {
          ctx.out.line(`Created subscription ${resource.name ?? sid}.`);
          printSubscription(ctx, resource);
          if (keys !== undefined) ctx.out.fields([['Primary key', textOf(keys.primaryKey)], ['Secondary key', textOf(keys.secondaryKey)]]);
        });
      }),
    );

  leaf(subscription, 'update <subscriptionId>', 'change a subscription\'s state or display name', [
    'portico subscription update alice-starter --state suspended',
  ])
    .addOption(new Option('--state <state>', 'new state').choices(STATES))
    .option('--display-name <name>', 'new display name')
    .option('-y, --yes', 'do not ask before suspending or cancelling')
    .action(
      act(deps, async (ctx, [sid], options) => {
        const properties: Record<string, unknown> = {};
        if (options.state !== undefined) properties.state = options.state;
        if (options.displayName !== undefined) properties.displayName = options.displayName;
        if (Object.keys(properties).length === 0) throw usageError('nothing to update: give --state or --display-name.');
        if (properties.state !== undefined && properties.state !== 'active' && properties.state !== 'submitted') {
          await ctx.confirm(`Setting subscription ${sid} to ${String(properties.state)} stops its keys working`, options);
        }
        const response = await ctx.arm('PATCH', `/subscriptions/${seg(sid!)}`, { json: { properties } });
        const resource = (response.body ?? {}) as ArmResource;
        ctx.out.result(resource, () => {
          ctx.out.line(`Updated subscription ${resource.name ?? sid}.`);
          printSubscription(ctx, resource);
        });
      }),
    );

  withYes(
    leaf(subscription, 'regenerate <subscriptionId>', 'replace a subscription key with a new one (the old one stops working at once)', [
      'portico subscription regenerate alice-starter --key primary',
      'portico subscription regenerate alice-starter --key secondary --yes --show-keys',
    ])
      .addOption(new Option('--key <which>', 'which key').choices(['primary', 'secondary']).makeOptionMandatory())
      .option('--show-keys', 'print the keys afterwards'),
  ).action(
    act(deps, async (ctx, [sid], options) => {
      const which = String(options.key);
      await ctx.confirm(`Regenerating the ${which} key of subscription ${sid} stops the old key working at once`, options);
      await ctx.arm('POST', `/subscriptions/${seg(sid!)}/regenerate${which === 'primary' ? 'Primary' : 'Secondary'}Key`);
      const keys = options.showKeys === true ? asRecord((await ctx.arm('POST', `/subscriptions/${seg(sid!)}/listSecrets`)).body) : undefined;
      ctx.out.result({ name: sid, regenerated: which, ...(keys !== undefined ? { keys: { primaryKey: keys.primaryKey, secondaryKey: keys.secondaryKey } } : {}) }, () => {
        ctx.out.line(`Regenerated the ${which} key of subscription ${sid}.`);
        if (keys !== undefined) ctx.out.fields([['Primary key', textOf(keys.primaryKey)], ['Secondary key', textOf(keys.secondaryKey)]]);
      });
    }),
  );

  withYes(leaf(subscription, 'delete <subscriptionId>', 'delete a subscription (its keys stop working at once)', ['portico subscription delete alice-starter --yes'])).action(
    act(deps, async (ctx, [sid], options) => {
      await ctx.confirm(`Deleting subscription ${sid} stops its keys working at once`, options);
      const deleted = (await ctx.arm('DELETE', `/subscriptions/${seg(sid!)}`)).status !== 204;
      ctx.out.result({ name: sid, deleted }, () => ctx.out.line(deleted ? `Deleted subscription ${sid}.` : `Subscription ${sid} does not exist; nothing deleted.`));
    }),
  );
}

/** `/products/starter` from the full ARM scope. */
function shortScope(scope: unknown): string {
  const text = textOf(scope) ?? '';
  const match = /\/service\/[^/]+(\/.*)?$/i.exec(text);
  return match === null ? text : (match[1] ?? '/');
}

function printSubscription(ctx: CliContext, resource: ArmResource): void {
  const p = props(resource);
  ctx.out.fields([
    ['ID', resource.name],
    ['Display name', textOf(p.displayName)],
    ['Scope', shortScope(p.scope)],
    ['Owner', lastSegment(p.ownerId) || undefined],
    ['State', textOf(p.state)],
    ['Created', textOf(p.createdDate)],
    ['Allow tracing', yesNo(p.allowTracing)],
  ]);
}
