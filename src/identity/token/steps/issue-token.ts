import { randomBytes } from 'node:crypto';
import { signCompactRs256 } from '../../keys/compact-jws.js';
import type { AccessTokenClaims } from '../access-token-claims.js';
import { need, type TokenStep } from '../token-context.js';

/** An Entra v2 app-only access token, signed with the current key. */
export const issueToken: TokenStep = async (ctx, deps) => {
  const client = need(ctx.client, 'client');
  const resource = need(ctx.resource, 'resource');
  const tenantId = need(ctx.tenantId, 'tenantId');
  const iat = Math.floor(deps.now().getTime() / 1000);
  const lifetime = deps.tokenLifetimeSeconds;
  const claims: AccessTokenClaims = {
    aud: resource.app.appId,
    iss: deps.urls.issuer(),
    iat,
    nbf: iat,
    exp: iat + lifetime,
    azp: client.app.appId,
    azpacr: client.authMethod,
    oid: client.servicePrincipal.id,
    sub: client.servicePrincipal.id,
    tid: tenantId,
    ...(ctx.roles.length > 0 ? { roles: ctx.roles } : {}),
    uti: randomBytes(16).toString('base64url'),
    ver: '2.0',
    idtyp: 'app',
  };
  const signer = await deps.keys.currentSigner();
  const accessToken = await signCompactRs256(signer.header, claims, signer.key);
  ctx.response = { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken };
  // The one line per issued token (the token route writes no generic request lines). Debug, not
  // info: with the synchronous stdout logger a line per token was ~7% of the endpoint's CPU.
  ctx.request.log.debug({
    remoteAddress: ctx.request.clientAddress, clientId: client.app.appId, method: client.method,
    credentialKeyId: client.credentialKeyId, aud: resource.app.appId, roles: ctx.roles, uti: claims.uti,
  }, 'access token issued');
};
