import { OAuthError } from '../../../errors/index.js';
import { isGuid } from '../../directory/validate.js';
import { clientThrottleKey, TooManyFailuresError } from '../client-auth/client-throttle.js';
import { verifyClientSecret } from '../client-auth/client-secret.js';
import { presentedClient } from '../client-auth/presented-client.js';
import type { TokenStep } from '../token-context.js';

/**
 * client_secret_post or client_secret_basic — exactly one of them per request (RFC 6749 §2.3).
 * Failed credentials of an existing client count towards the failure throttle, keyed on the
 * client as presentedClient resolves it; unknown client ids are not counted.
 */
export const authenticateClient: TokenStep = async (ctx, deps) => {
  const presented = presentedClient(ctx.params, ctx.request.authorization);
  const { clientId, secret } = presented;

  const tenantId = ctx.tenantId ?? deps.urls.tenantId;
  const app = isGuid(clientId) ? await deps.store.directory.getApplicationByAppId(clientId.toLowerCase()) : undefined;
  const servicePrincipal = app && (await deps.store.directory.getServicePrincipalByAppId(app.appId));
  if (!app || !servicePrincipal) {
    throw new OAuthError(700016, `Application with identifier '${clientId.slice(0, 128)}' was not found in the directory '${tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`);
  }
  const throttleKey = clientThrottleKey(app.appId, ctx.request.clientAddress);
  const wait = deps.throttle.retryAfter(throttleKey);
  if (wait !== undefined) throw new TooManyFailuresError(wait);
  if (secret === undefined) {
    // Certificate credentials (private_key_jwt) are not implemented yet: no assertion can verify.
    throw new OAuthError(700027, `Client assertion failed signature validation: the application '${app.appId}' has no certificate credential registered.`);
  }

  // Counted before the await, so parallel attempts cannot all slip under the limit; forgiven
  // when the secret turns out to be right.
  deps.throttle.recordFailure(throttleKey);
  let keyId: string;
  try {
    keyId = verifyClientSecret(secret, await deps.store.directory.listPasswordCredentials(app.id), deps.now(), app.appId);
  } catch (error) {
    if (!(error instanceof OAuthError)) deps.throttle.forgive(throttleKey); // a store failure is not the client's
    throw error;
  }
  deps.throttle.forgive(throttleKey);
  if (!servicePrincipal.accountEnabled) {
    throw new OAuthError(7000112, `Application '${app.appId}'(${app.displayName}) is disabled.`);
  }
  ctx.client = { app, servicePrincipal, credentialKeyId: keyId, authMethod: '1' };
  ctx.request.log.debug({ clientId: app.appId, credentialKeyId: keyId, method: presented.method }, 'client authenticated');
};
