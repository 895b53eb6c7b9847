import { OAuthError } from '../../../errors/index.js';
import { isGuid } from '../../directory/validate.js';
import { requireJwtBearerType, verifyClientAssertion } from '../client-auth/client-assertion.js';
import { clientThrottleKey, TooManyFailuresError } from '../client-auth/client-throttle.js';
import { verifyClientSecret } from '../client-auth/client-secret.js';
import { presentedClient } from '../client-auth/presented-client.js';
import { need, type TokenStep } from '../token-context.js';

/**
 * client_secret_post, client_secret_basic or private_key_jwt — exactly one of them per request
 * (RFC 6749 §2.3). Failed credentials of an existing client count towards the failure throttle,
 * keyed on the client as presentedClient resolves it; unknown client ids are not counted. A secret
 * is checked synchronously from the throttle check to the failure count (the directory is in
 * memory); an assertion check awaits, so its failure is counted before the await and forgiven on
 * success, and parallel attempts cannot slip under the limit either way.
 */
export const authenticateClient: TokenStep = async (ctx, deps) => {
  const directory = need(ctx.directory, 'directory');
  const presented = presentedClient(ctx.params, ctx.request.authorization);
  const { clientId, secret } = presented;

  const tenantId = ctx.tenantId ?? deps.urls.tenantId;
  const app = isGuid(clientId) ? directory.application(clientId) : undefined;
  const servicePrincipal = app && directory.servicePrincipal(app.appId);
  if (!app || !servicePrincipal) {
    throw new OAuthError(700016, `Application with identifier '${clientId.slice(0, 128)}' was not found in the directory '${tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`);
  }
  const throttleKey = clientThrottleKey(app.appId, ctx.request.clientAddress);
  const wait = deps.throttle.retryAfter(throttleKey);
  if (wait !== undefined) throw new TooManyFailuresError(wait);

  let keyId: string;
  if (secret === undefined) {
    requireJwtBearerType(ctx.param('client_assertion_type'));
    deps.throttle.recordFailure(throttleKey);
    keyId = await verifyClientAssertion({
      assertion: need(presented.assertion, 'client_assertion'),
      clientId,
      credentials: directory.keyCredentials(app.id),
      audiences: [deps.urls.tokenEndpoint(), deps.urls.issuer()],
      now: deps.now(),
      replay: deps.assertionReplay,
    });
    deps.throttle.forgive(throttleKey);
  } else {
    try {
      keyId = verifyClientSecret(secret, directory.passwordCredentials(app.id), deps.now(), app.appId);
    } catch (error) {
      deps.throttle.recordFailure(throttleKey); // 7000215 or 7000222: wrong credentials for a client that exists
      throw error;
    }
  }
  if (!servicePrincipal.accountEnabled) {
    throw new OAuthError(7000112, `Application '${app.appId}'(${app.displayName}) is disabled.`);
  }
  ctx.client = { app, servicePrincipal, credentialKeyId: keyId, authMethod: secret === undefined ? '2' : '1', method: presented.method };
};
