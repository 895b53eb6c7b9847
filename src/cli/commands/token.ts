import type { Command } from 'commander';
import { CliError, usageError } from '../cli-error.js';
import { fetchToken, props, seg } from '../context.js';
import { act, leaf, type Deps } from './shared.js';
import { portico } from '../invocation.js';
import { readSecretOption } from '../secret-input.js';
import { audienceOf, scopeForAudience } from './product.js';

export function registerTokenCommand(program: Command, deps: Deps): void {
  // --client-id/--client-secret here are the client application's; the admin's are --admin-client-id/--admin-client-secret.
  leaf(
    program,
    'token',
    'get an access token with the OAuth 2.0 client credentials flow, as a client application does',
    [
      'portico token --client-id <client id> --client-secret <secret> --product starter',
      'portico token --client-id <client id> --client-secret <secret> --scope api://<audience>/.default',
      'TOKEN=$(portico token --client-id <client id> --client-secret - --product starter < secret.txt)',
    ],
    ['clientId', 'clientSecret'],
  )
    .requiredOption('--client-id <id>', 'client (application) id of the client application')
    .requiredOption('--client-secret <secret>', 'its client secret (- reads it from stdin, or asks for it without echo on a terminal)')
    .option('--scope <scope>', 'scope to ask for, e.g. api://<audience>/.default')
    .option('--product <productId>', 'ask for the scope of this product\'s audience (looked up with the admin credentials)')
    .action(
      act(deps, async (ctx, _args, options) => {
        const scope = options.scope as string | undefined;
        const productId = options.product as string | undefined;
        if ((scope === undefined) === (productId === undefined)) throw usageError('give either --scope or --product.');
        let resolvedScope = scope;
        if (productId !== undefined) {
          ctx.out.progress(`Looking up the audience of product ${productId}…`);
          const audience = audienceOf(props(await ctx.armGet(`/products/${seg(productId)}`)));
          if (audience === undefined) {
            throw new CliError(
              `error: product ${productId} has no audience: application-token is not on. Turn it on with \`${portico(`product update ${productId} --auth-types application-token`)}\`.`,
            );
          }
          resolvedScope = scopeForAudience(audience);
        }
        const secret = await readSecretOption(String(options.clientSecret), 'client secret');
        ctx.out.progress(`Requesting a token for ${resolvedScope}…`);
        const token = await fetchToken(ctx.identityUrl, ctx.tenantId, String(options.clientId), secret, resolvedScope!).catch((error: unknown) => {
          throw withTokenHint(error, productId);
        });
        ctx.out.result(token, () => ctx.out.line(token.access_token));
        if (ctx.out.format !== 'json' && typeof token.expires_in === 'number') ctx.out.progress(`The token expires in ${token.expires_in} seconds.`);
      }),
    );
}

/**
 * One line of what to do next under the token endpoint's AADSTS text, for the failures a
 * developer meets: a wrong or expired secret, an unknown client id, an application not linked.
 */
export function tokenHint(message: string, productId: string | undefined): string | undefined {
  const product = productId ?? '<product>';
  if (/\bAADSTS7000215\b/.test(message)) return `hint: check the secret, or make a new one with \`${portico('app secret add <app>')}\` (it is shown once).`;
  if (/\bAADSTS7000222\b/.test(message)) return `hint: every secret of this application has expired; make a new one with \`${portico('app secret add <app>')}\`.`;
  if (/\bAADSTS700016\b/.test(message)) return `hint: check --client-id: \`${portico('app show <app>')}\` prints the application's Client ID.`;
  if (/\bAADSTS501051\b/.test(message)) {
    return `hint: the application has no approved link to ${product}: link it with \`${portico(`app link <app> ${product}`)}\`, or check the link's state with \`${portico('link list --app <app>')}\` (a link waiting for approval gives no token).`;
  }
  return undefined;
}

function withTokenHint(error: unknown, productId: string | undefined): unknown {
  if (!(error instanceof CliError)) return error;
  const hint = tokenHint(error.message, productId);
  return hint === undefined ? error : new CliError(`${error.message}\n${hint}`, error.exitCode, error.code);
}
