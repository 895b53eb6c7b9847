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
        const token = await fetchToken(ctx.identityUrl, ctx.tenantId, String(options.clientId), secret, resolvedScope!);
        ctx.out.result(token, () => ctx.out.line(token.access_token));
        if (ctx.out.format !== 'json' && typeof token.expires_in === 'number') ctx.out.progress(`The token expires in ${token.expires_in} seconds.`);
      }),
    );
}
