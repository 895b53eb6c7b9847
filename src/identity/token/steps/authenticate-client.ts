import { OAuthError } from '../../../errors/index.js';
import { isGuid } from '../../directory/validate.js';
import { parseBasicCredentials } from '../client-auth/basic-credentials.js';
import { requireJwtBearerType, verifyClientAssertion } from '../client-auth/client-assertion.js';
import { verifyClientSecret } from '../client-auth/client-secret.js';
import type { TokenStep } from '../token-context.js';

/** client_secret_post, client_secret_basic or private_key_jwt — exactly one of them per request (RFC 6749 §2.3). */
export const authenticateClient: TokenStep = async (ctx, deps) => {
  const basic = parseBasicCredentials(ctx.request.authorization);
  const bodyId = ctx.param('client_id') || undefined;
  const bodySecret = ctx.param('client_secret') || undefined;
  const assertion = ctx.param('client_assertion') || undefined;
  if ((basic && bodySecret) || (assertion && (basic || bodySecret))) {
    throw new OAuthError(90014, assertion
      ? 'The request uses more than one client authentication method; send either client_assertion or a client secret, not both.'
      : 'The request uses more than one client authentication method; send the client secret in the body or in the Authorization header, not both.');
  }
  if (basic && bodyId !== undefined && bodyId !== basic.clientId) {
    throw new OAuthError(900023, 'The client_id in the request body does not match the client id in the Authorization header.');
  }
  const clientId = basic?.clientId ?? bodyId ?? '';
  const secret = basic?.clientSecret ?? bodySecret;
  if (secret === undefined && assertion === undefined) {
    throw new OAuthError(7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  }

  const tenantId = ctx.tenantId ?? deps.urls.tenantId;
  const app = isGuid(clientId) ? await deps.store.directory.getApplicationByAppId(clientId.toLowerCase()) : undefined;
  const servicePrincipal = app && (await deps.store.directory.getServicePrincipalByAppId(app.appId));
  if (!app || !servicePrincipal) {
    throw new OAuthError(700016, `Application with identifier '${clientId.slice(0, 128)}' was not found in the directory '${tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`);
  }
  let keyId: string;
  if (secret === undefined) {
    requireJwtBearerType(ctx.param('client_assertion_type'));
    keyId = await verifyClientAssertion({
      assertion: assertion!,
      clientId,
      credentials: await deps.store.directory.listKeyCredentials(app.id),
      audiences: [deps.urls.tokenEndpoint(), deps.urls.issuer()],
      now: deps.now(),
      replay: deps.assertionReplay,
    });
  } else {
    keyId = verifyClientSecret(secret, await deps.store.directory.listPasswordCredentials(app.id), deps.now(), app.appId);
  }
  if (!servicePrincipal.accountEnabled) {
    throw new OAuthError(7000112, `Application '${app.appId}'(${app.displayName}) is disabled.`);
  }
  const method = secret === undefined ? 'private_key_jwt' : basic ? 'client_secret_basic' : 'client_secret_post';
  ctx.client = { app, servicePrincipal, credentialKeyId: keyId, authMethod: secret === undefined ? '2' : '1' };
  ctx.request.log.debug({ clientId: app.appId, credentialKeyId: keyId, method }, 'client authenticated');
};
