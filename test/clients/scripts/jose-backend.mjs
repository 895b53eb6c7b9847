// What a backend API behind the gateway does: verify the access token the gateway passed on, with
// jose, against the issuer and keys from the tenant's discovery document.
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { run, setting } from './common.mjs';

await run(async () => {
  const discoveryUrl = `${setting('PORTICO_IDENTITY_URL')}/${setting('TENANT_ID')}/v2.0/.well-known/openid-configuration`;
  const discovery = await (await fetch(discoveryUrl)).json();
  const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
  const { payload, protectedHeader } = await jwtVerify(setting('ACCESS_TOKEN'), jwks, {
    issuer: discovery.issuer,
    audience: setting('AUDIENCE'),
    algorithms: ['RS256'],
  });
  return { issuer: discovery.issuer, jwksUri: discovery.jwks_uri, alg: protectedHeader.alg, payload };
});
