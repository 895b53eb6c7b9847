import type { Command } from 'commander';
import { isGuid } from '../../shared/index.js';
import { CliError, usageError } from '../cli-error.js';
import { props, seg, type CliContext } from '../context.js';
import { asRecord } from '../http.js';
import { textOf } from '../output.js';
import { act, leaf, withYes, type Deps } from './shared.js';
import { portico } from '../invocation.js';

type GraphObject = Record<string, unknown>;

/**
 * `portico app secret list|add|delete`: a client application's client secrets, through the
 * Graph-shaped API (addPassword / removePassword) of its directory application. A secret's value
 * is shown once, by `add`; `list` shows key id, hint and expiry only.
 */
export function registerAppSecretCommands(app: Command, deps: Deps): void {
  const secret = app.command('secret').description('list, add and delete the client secrets of a client application');
  // `app secret <appId>` was how a secret was created before `add`: say what to type now.
  const group = secret as unknown as { args: string[]; unknownCommand(): void };
  const unknownCommand = group.unknownCommand.bind(secret);
  group.unknownCommand = () => {
    const name = group.args[0] ?? '';
    // A near-miss of a verb (lst, ad) gets commander's did-you-mean instead.
    if (['list', 'add', 'delete'].some((verb) => verb[0] === name[0] && Math.abs(verb.length - name.length) <= 2) || !/^[A-Za-z0-9][\w.-]*$/.test(name)) return unknownCommand();
    secret.error(`error: unknown command '${name}'. To create a client secret for application ${name}: ${portico(`app secret add ${name}`)}`, { code: 'commander.unknownCommand' });
  };

  leaf(secret, 'list <appId>', 'list the client secrets of a client application (key id, hint, expiry; never the value)', [
    'portico app secret list contoso-billing',
  ]).action(
    act(deps, async (ctx, [appId]) => {
      const secrets = passwordsOf(await directoryApplication(ctx, appId!));
      ctx.out.result({ value: secrets }, () =>
        ctx.out.table(
          ['KEY ID', 'HINT', 'DISPLAY NAME', 'CREATED', 'EXPIRES'],
          secrets.map((p) => [textOf(p.keyId) ?? '', `${textOf(p.hint) ?? ''}…`, textOf(p.displayName) ?? '', textOf(p.startDateTime) ?? '', textOf(p.endDateTime) ?? '']),
          'No client secrets.',
        ),
      );
    }),
  );

  leaf(secret, 'add <appId>', 'create a new client secret (valid for one year; its value is shown once)', [
    'portico app secret add contoso-billing',
    'portico app secret add contoso-billing --display-name "billing job 2027"',
  ])
    .option('--display-name <name>', 'a name for the secret, to tell it apart in `app secret list`')
    .action(
      act(deps, async (ctx, [appId], options) => {
        const application = await directoryApplication(ctx, appId!);
        ctx.out.progress(`Creating a new client secret for ${appId}…`);
        const passwordCredential = options.displayName === undefined ? {} : { displayName: String(options.displayName) };
        const response = await ctx.graph('POST', `/applications/${seg(String(application.id))}/addPassword`, { json: { passwordCredential } });
        const created = asRecord(response.body) ?? {};
        const value = textOf(created.secretText);
        if (value === undefined) throw new CliError('error: the server answered without a client secret.');
        const result = { keyId: created.keyId, hint: created.hint, displayName: created.displayName, startDateTime: created.startDateTime, endDateTime: created.endDateTime, secretText: value, clientId: application.appId };
        ctx.out.result(result, () =>
          ctx.out.fields([
            ['Client ID', textOf(application.appId)],
            ['Client secret', value],
            ['Key ID', textOf(created.keyId)],
            ['Expires', textOf(created.endDateTime)],
          ]),
        );
        ctx.out.warn('copy the client secret now: it cannot be shown again. Running this command again creates another new secret.');
      }),
    );

  withYes(
    leaf(secret, 'delete <appId>', 'delete a client secret (tokens can no longer be requested with it)', [
      'portico app secret delete contoso-billing --key-id 6f0d2c1e-9a4b-4c7e-8d3f-2b1a0e9c8d7f',
    ]).requiredOption('--key-id <keyId>', 'the secret\'s KEY ID (see `app secret list`)'),
  ).action(
    act(deps, async (ctx, [appId], options) => {
      const keyId = String(options.keyId).toLowerCase();
      if (!isGuid(keyId)) throw usageError('--key-id must be the GUID shown as KEY ID by `app secret list`.');
      const application = await directoryApplication(ctx, appId!);
      const deleted = passwordsOf(application).some((p) => textOf(p.keyId)?.toLowerCase() === keyId);
      if (deleted) {
        await ctx.confirm(`Deleting client secret ${keyId} of application ${appId} stops it getting tokens with that secret`, options);
        await ctx.graph('POST', `/applications/${seg(String(application.id))}/removePassword`, { json: { keyId } });
      }
      ctx.out.result({ name: keyId, deleted }, () =>
        ctx.out.line(deleted ? `Deleted client secret ${keyId} of application ${appId}.` : `Application ${appId} has no client secret ${keyId}; nothing deleted.`),
      );
    }),
  );
}

/** The client application's directory application (Graph object), found by its client id. */
export async function directoryApplication(ctx: CliContext, appId: string): Promise<GraphObject> {
  const clientId = textOf(props(await ctx.armGet(`/clientApplications/${seg(appId)}`)).entraApplicationId);
  if (clientId === undefined) throw new CliError(`error: client application ${appId} has no directory application.`);
  const found = await ctx.graphList('/applications', { $filter: `appId eq '${clientId}'` });
  if (found.length !== 1) throw new CliError(`error: the directory has no application with client id ${clientId}.`);
  return found[0]!;
}

function passwordsOf(application: GraphObject): GraphObject[] {
  const list = application.passwordCredentials;
  return Array.isArray(list) ? list.map((p) => asRecord(p) ?? {}) : [];
}
