// openid-client: discovery of the tenant's v2.0 issuer, then the client credentials grant.
import * as client from 'openid-client';
import { callEcho, claimsOf, run, setting } from './common.mjs';

await run(async () => {
  const issuer = new URL(`${setting('PORTICO_IDENTITY_URL')}/${setting('TENANT_ID')}/v2.0`);
  const config = await client.discovery(issuer, setting('CLIENT_ID'), setting('CLIENT_SECRET'));
  const tokens = await client.clientCredentialsGrant(config, { scope: setting('SCOPE') });
  return {
    issuer: config.serverMetadata().issuer,
    tokenEndpoint: config.serverMetadata().token_endpoint,
    tokenType: tokens.token_type,
    expiresIn: tokens.expires_in,
    claims: claimsOf(tokens.access_token),
    gateway: await callEcho(setting('PORTICO_GATEWAY_URL'), tokens.access_token),
  };
});
