// @azure/msal-node: a confidential client gets a token for a product with client credentials.
// Run with NODE_EXTRA_CA_CERTS pointing at the CA Portico (or the proxy in front of it) uses.
import { ConfidentialClientApplication } from '@azure/msal-node';
import { callEcho, claimsOf, run, setting } from './common.mjs';

await run(async () => {
  const identityUrl = setting('PORTICO_IDENTITY_URL');
  const app = new ConfidentialClientApplication({
    auth: {
      clientId: setting('CLIENT_ID'),
      clientSecret: setting('CLIENT_SECRET'),
      authority: `${identityUrl}/${setting('TENANT_ID')}`,
      // Portico is not a Microsoft cloud: name it so MSAL skips instance discovery at Microsoft.
      knownAuthorities: [new URL(identityUrl).host],
    },
  });
  const first = await app.acquireTokenByClientCredential({ scopes: [setting('SCOPE')] });
  const second = await app.acquireTokenByClientCredential({ scopes: [setting('SCOPE')] });
  return {
    tokenType: first.tokenType,
    fromCache: [first.fromCache, second.fromCache],
    claims: claimsOf(first.accessToken),
    gateway: await callEcho(setting('PORTICO_GATEWAY_URL'), first.accessToken),
  };
});
