// @azure/identity: ClientSecretCredential against Portico's identity provider.
import { ClientSecretCredential } from '@azure/identity';
import { callEcho, claimsOf, run, setting } from './common.mjs';

await run(async () => {
  const credential = new ClientSecretCredential(setting('TENANT_ID'), setting('CLIENT_ID'), setting('CLIENT_SECRET'), {
    authorityHost: setting('PORTICO_IDENTITY_URL'),
    disableInstanceDiscovery: true,
  });
  const { token, expiresOnTimestamp } = await credential.getToken(setting('SCOPE'));
  return {
    expiresInSeconds: Math.round((expiresOnTimestamp - Date.now()) / 1000),
    claims: claimsOf(token),
    gateway: await callEcho(setting('PORTICO_GATEWAY_URL'), token),
  };
});
