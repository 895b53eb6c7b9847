// @azure/identity ClientCertificateCredential: a PEM file holding the private key and the
// certificate, as its docs describe. Run with NODE_EXTRA_CA_CERTS pointing at the trusted CA.
import { ClientCertificateCredential } from '@azure/identity';
import { callEcho, claimsOf, run, setting } from './common.mjs';

await run(async () => {
  const credential = new ClientCertificateCredential(setting('TENANT_ID'), setting('CLIENT_ID'), { certificatePath: setting('PEM_FILE') }, {
    authorityHost: setting('PORTICO_IDENTITY_URL'),
    disableInstanceDiscovery: true,
  });
  const token = await credential.getToken(setting('SCOPE'));
  return { claims: claimsOf(token.token), gateway: await callEcho(setting('PORTICO_GATEWAY_URL'), token.token) };
});
