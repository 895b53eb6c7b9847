// @azure/msal-node with a certificate credential (private_key_jwt): the app proves itself with a
// signed assertion instead of a secret. Run with NODE_EXTRA_CA_CERTS pointing at the trusted CA.
import { readFileSync } from 'node:fs';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { callEcho, claimsOf, run, setting } from './common.mjs';

await run(async () => {
  const identityUrl = setting('PORTICO_IDENTITY_URL');
  const privateKey = readFileSync(setting('KEY_FILE'), 'utf8');
  // SHA-256 thumbprint: MSAL signs with PS256 and sends x5t#S256; the legacy SHA-1 one gives RS256 + x5t.
  const clientCertificate = process.env.THUMBPRINT_SHA256
    ? { thumbprintSha256: process.env.THUMBPRINT_SHA256, privateKey, x5c: readFileSync(setting('CERT_FILE'), 'utf8') }
    : { thumbprint: setting('THUMBPRINT'), privateKey };
  const app = new ConfidentialClientApplication({
    auth: {
      clientId: setting('CLIENT_ID'),
      authority: `${identityUrl}/${setting('TENANT_ID')}`,
      clientCertificate,
      knownAuthorities: [new URL(identityUrl).host],
    },
  });
  const first = await app.acquireTokenByClientCredential({ scopes: [setting('SCOPE')] });
  const second = await app.acquireTokenByClientCredential({ scopes: [setting('SCOPE')] });
  return {
    fromCache: [first.fromCache, second.fromCache],
    claims: claimsOf(first.accessToken),
    gateway: await callEcho(setting('PORTICO_GATEWAY_URL'), first.accessToken),
  };
});
