import { OAuthError } from '../../../errors/index.js';
import { isGuid } from '../../directory/validate.js';
import { need, type TokenStep } from '../token-context.js';
import { invalidScope } from './check-scope.js';

/**
 * The scope's resource: an appId, or an identifier URI matched with or without a trailing slash.
 * A scope naming two different resources is AADSTS70011.
 */
export const resolveResource: TokenStep = (ctx, deps) => {
  const directory = need(ctx.directory, 'directory');
  const identifiers = need(ctx.resourceIdentifiers, 'resourceIdentifiers');
  const appIds = new Set<string>();
  for (const identifier of identifiers) {
    const appId = isGuid(identifier) ? identifier.toLowerCase() : directory.appIdForIdentifierUri(identifier);
    if (appId === undefined) throw resourceNotFound(identifier, ctx.tenantId ?? deps.urls.tenantId);
    appIds.add(appId);
  }
  if (appIds.size > 1) throw invalidScope(ctx.param('scope') ?? '');
  const identifier = identifiers[0]!;
  const app = directory.application([...appIds][0]!);
  const servicePrincipal = app && directory.servicePrincipal(app.appId);
  if (!app || !servicePrincipal) throw resourceNotFound(identifier, ctx.tenantId ?? deps.urls.tenantId);
  if (!servicePrincipal.accountEnabled) {
    throw new OAuthError(7000112, `Application '${app.appId}'(${app.displayName}) is disabled.`);
  }
  ctx.resource = { identifier, app, servicePrincipal };
};

function resourceNotFound(identifier: string, tenant: string): OAuthError {
  return new OAuthError(500011, `The resource principal named ${identifier} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`);
}
