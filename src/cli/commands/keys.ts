import type { Command } from 'commander';
import { asRecord } from '../http.js';
import { textOf } from '../output.js';
import { act, leaf, type Deps } from './shared.js';

/** The Portico extension on the identity listener (not Microsoft Graph; same token and roles). */
const PATH = '/portico/signingKeys';

export function registerKeysCommands(program: Command, deps: Deps): void {
  const keys = program.command('keys').description('list and rotate the token-signing keys (needs Global Administrator or Privileged Role Administrator)');

  leaf(keys, 'list', 'list the signing keys: next (published, not signing yet), current (signs), previous (published until its tokens expire)', [
    'portico keys list',
    'portico keys list --all',
    'portico keys list --output json',
  ])
    .option('--all', 'also show retired keys (no longer published)')
    .action(
      act(deps, async (ctx, _args, options) => {
        const all = await ctx.graphList(PATH);
        const shown = options.all === true ? all : all.filter((key) => key.state !== 'retired');
        ctx.out.result({ value: shown }, () =>
          ctx.out.table(
            ['KID', 'STATE', 'CREATED', 'ACTIVATES', 'RETIRES'],
            shown.map((key) => [
              textOf(key.kid) ?? '',
              textOf(key.state) ?? '',
              textOf(key.createdDateTime) ?? '',
              textOf(key.activationDateTime) ?? '',
              textOf(key.retirementDateTime) ?? '-',
            ]),
            'No signing keys.',
          ),
        );
      }),
    );

  leaf(keys, 'rotate', 'publish a new signing key now; it signs after the pre-publication period (a day by default), or at once with --immediate', [
    'portico keys rotate',
    'portico keys rotate --immediate',
  ])
    .option('--immediate', 'the new key signs as soon as the command returns (for a key you no longer trust); verifiers that cached the JWKS learn it when they refetch it')
    .action(
      act(deps, async (ctx, _args, options) => {
        const immediate = options.immediate === true;
        ctx.out.progress(immediate ? 'Rotating the signing key now…' : 'Publishing the next signing key…');
        const response = await ctx.graph('POST', `${PATH}/rotate`, { json: { immediate } });
        const key = asRecord(response.body) ?? {};
        ctx.out.result(key, () => {
          const kid = textOf(key.kid) ?? '';
          if (key.state === 'current') ctx.out.line(`Key ${kid} signs from now on. The previous key stays published until the tokens it signed have expired.`);
          else ctx.out.line(`Key ${kid} is published and signs from ${textOf(key.activationDateTime) ?? '?'}. The current key signs until then.`);
        });
      }),
    );
}
