import type { Command } from 'commander';
import { userIdFromEmail } from '../args.js';
import { CliError, usageError } from '../cli-error.js';
import { props, seg, type ArmResource, type CliContext } from '../context.js';
import { textOf } from '../output.js';
import { readSecretOption } from '../secret-input.js';
import { act, leaf, withYes, type Deps } from './shared.js';

const PASSWORD_HELP = 'developer portal password, at least 8 characters (- reads it from stdin, or asks for it without echo on a terminal; never printed)';

export function registerUserCommands(program: Command, deps: Deps): void {
  const user = program.command('user').description('manage the users (developers) who own client applications');

  leaf(user, 'create', 'create a user', [
    'portico user create --email alice@example.com --first-name Alice --last-name Smith',
    'portico user create --email bob@example.com --first-name Bob --last-name Jones --id bob --password "S3cret-pass"',
  ])
    .requiredOption('--email <email>', 'email address (sign-in name)')
    .requiredOption('--first-name <name>', 'first name')
    .requiredOption('--last-name <name>', 'last name')
    .option('--id <userId>', 'user id (default: from the email, e.g. alice.smith@… → alice-smith)')
    .option('--password <password>', PASSWORD_HELP)
    .option('--note <text>', 'administrator note')
    .action(
      act(deps, async (ctx, _args, options) => {
        const email = String(options.email);
        if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw usageError(`"${email}" is not an email address.`);
        const userId = (options.id as string | undefined) ?? userIdFromEmail(email);
        if (userId === '') throw usageError('cannot derive a user id from that email; give one with --id.');
        const properties: Record<string, unknown> = { email, firstName: options.firstName, lastName: options.lastName };
        if (options.password !== undefined) properties.password = await readSecretOption(String(options.password), 'password');
        if (options.note !== undefined) properties.note = options.note;
        // The id is derived from the email's local part, so two people can collide: never overwrite.
        const existing = await ctx.armFind(`/users/${seg(userId)}`);
        if (existing !== undefined) {
          throw new CliError(`error: user ${userId} already exists (${String(props(existing).email ?? '')}). Give this user another id with --id.`);
        }
        const response = await ctx.arm('PUT', `/users/${seg(userId)}`, { json: { properties } });
        const resource = (response.body ?? {}) as ArmResource;
        ctx.out.result(resource, () => {
          ctx.out.line(`${response.status === 201 ? 'Created' : 'Updated'} user ${resource.name ?? userId}.`);
          printUser(ctx, resource);
        });
      }),
    );

  leaf(user, 'update <userId>', "change a user's email, name, note or developer portal password (what the admin portal's Users → Edit changes)", [
    'portico user update alice --password "S3cret-pass"',
    'portico user update alice --password -          # asks for it without echo (or reads it from a pipe)',
    'portico user update alice --email alice@contoso.com --note "moved to Contoso"',
  ])
    .option('--email <email>', 'new email address (sign-in name)')
    .option('--first-name <name>', 'new first name')
    .option('--last-name <name>', 'new last name')
    .option('--password <password>', PASSWORD_HELP)
    .option('--note <text>', 'new administrator note ("" clears it)')
    .action(
      act(deps, async (ctx, [userId], options) => {
        const properties: Record<string, unknown> = {};
        if (options.email !== undefined) {
          const email = String(options.email);
          if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw usageError(`"${email}" is not an email address.`);
          properties.email = email;
        }
        if (options.firstName !== undefined) properties.firstName = options.firstName;
        if (options.lastName !== undefined) properties.lastName = options.lastName;
        if (options.note !== undefined) properties.note = options.note === '' ? null : options.note;
        if (options.password !== undefined) properties.password = await readSecretOption(String(options.password), 'password');
        if (Object.keys(properties).length === 0) throw usageError('nothing to update: give --email, --first-name, --last-name, --password or --note.');
        // The same PATCH users/{id} as the admin portal's Users → Edit (If-Match: * — the CLI changes what it was told to).
        const response = await ctx.arm('PATCH', `/users/${seg(userId!)}`, { json: { properties } });
        const resource = (response.body ?? {}) as ArmResource;
        ctx.out.result(resource, () => {
          ctx.out.line(`Updated user ${resource.name ?? userId}.`);
          printUser(ctx, resource);
          // The password itself is never shown.
          if (properties.password !== undefined) ctx.out.line('Password: set (the user signs in at the developer portal with their email and this password)');
        });
      }),
    );

  leaf(user, 'list', 'list users', ['portico user list', 'portico user list --output json']).action(
    act(deps, async (ctx) => {
      const users = await ctx.armList('/users');
      ctx.out.result({ value: users }, () =>
        ctx.out.table(
          ['ID', 'EMAIL', 'NAME', 'STATE'],
          users.map((item) => {
            const p = props(item);
            return [item.name ?? '', textOf(p.email) ?? '', fullName(p), textOf(p.state) ?? ''];
          }),
          'No users.',
        ),
      );
    }),
  );

  leaf(user, 'show <userId>', 'show a user', ['portico user show alice']).action(
    act(deps, async (ctx, [userId]) => {
      const resource = await ctx.armGet(`/users/${seg(userId!)}`);
      ctx.out.result(resource, () => printUser(ctx, resource));
    }),
  );

  for (const [name, state, effect] of [
    ['block', 'blocked', 'block a user: their applications stop getting access at once'],
    ['unblock', 'active', 'unblock (re-activate) a user'],
  ] as const) {
    const command = leaf(user, `${name} <userId>`, effect, [`portico user ${name} alice`]);
    if (name === 'block') withYes(command);
    command.action(
      act(deps, async (ctx, [userId], options) => {
        if (name === 'block') await ctx.confirm(`Blocking user ${userId} cuts their applications' and subscriptions' access at once`, options);
        const response = await ctx.arm('PATCH', `/users/${seg(userId!)}`, { json: { properties: { state } } });
        const resource = (response.body ?? {}) as ArmResource;
        ctx.out.result(resource, () => ctx.out.line(`User ${userId} is now ${textOf(props(resource).state) ?? state}.`));
      }),
    );
  }

  withYes(
    leaf(user, 'delete <userId>', 'delete a user (one who owns client applications cannot be deleted until those are)', [
      'portico user delete alice',
      'portico user delete alice --delete-subscriptions --yes',
    ]).option('--delete-subscriptions', 'also delete the subscriptions the user owns'),
  ).action(
    act(deps, async (ctx, [userId], options) => {
      await ctx.confirm(`Deleting user ${userId} cannot be undone`, options);
      const query = options.deleteSubscriptions === true ? '?deleteSubscriptions=true' : '';
      // ARM answers 204 when there was nothing to delete.
      const deleted = (await ctx.arm('DELETE', `/users/${seg(userId!)}${query}`)).status !== 204;
      ctx.out.result({ name: userId, deleted }, () => ctx.out.line(deleted ? `Deleted user ${userId}.` : `User ${userId} does not exist; nothing deleted.`));
    }),
  );
}

function printUser(ctx: CliContext, resource: ArmResource): void {
  const p = props(resource);
  ctx.out.fields([
    ['ID', resource.name],
    ['Email', textOf(p.email)],
    ['Name', fullName(p) || undefined],
    ['State', textOf(p.state)],
    ['Registered', textOf(p.registrationDate)],
    ['Note', textOf(p.note)],
  ]);
}

function fullName(p: Record<string, unknown>): string {
  return [textOf(p.firstName), textOf(p.lastName)].filter((part) => part !== undefined).join(' ');
}
