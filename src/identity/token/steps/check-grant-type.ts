import { OAuthError } from '../../../errors/index.js';
import { GRANTS } from '../grants/index.js';
import type { TokenStep } from '../token-context.js';

const missing = (name: string) => new OAuthError(900144, `The request body must contain the following parameter: '${name}'.`);

/** grant_type first, then client_id (body or Basic header), then the grant's own parameters. */
export const checkGrantType: TokenStep = (ctx) => {
  const grantType = ctx.param('grant_type');
  if (!grantType) throw missing('grant_type');
  const grant = GRANTS.get(grantType);
  if (!grant) {
    throw new OAuthError(70003, `The app requested an unsupported grant type '${grantType.slice(0, 64)}'. Only client_credentials is supported.`);
  }
  const hasBasic = /^\s*basic\b/i.test(ctx.request.authorization ?? '');
  if (!ctx.param('client_id') && !hasBasic) throw missing('client_id');
  for (const name of grant.requiredParameters) {
    if (!ctx.params.has(name)) throw missing(name);
  }
  ctx.grant = grant;
};
