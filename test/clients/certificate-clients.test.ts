/**
 * private_key_jwt from the real Microsoft client libraries, unmodified, configured as their own
 * docs say: MSAL Node's ConfidentialClientApplication with `clientCertificate` (PS256 + x5t#S256, and
 * the legacy RS256 + x5t), and @azure/identity's ClientCertificateCredential. The certificate is
 * uploaded with Graph's PATCH; each token must carry azpacr "2" and open the gateway. Over
 * `--tls local` and behind a TLS-terminating proxy, like the other client tests.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeCertificate, type TestCertificate } from '../helpers/certificates.js';
import { CLIENT_MODES, MODE_TITLES, commonSettings, runClientScript, startClientEnvironment, type ClientEnvironment } from './environment.js';

for (const mode of CLIENT_MODES) {
  describe(`certificate credentials with the real clients ${MODE_TITLES[mode]}`, () => {
    let env: ClientEnvironment;
    let dir: string;
    let graphToken: string;

    /** A client application on Starter with `certificate` uploaded through Graph; its files written as a user keeps them. */
    async function clientWithCertificate(name: string, certificate: TestCertificate): Promise<{ clientId: string; files: Record<string, string> }> {
      await env.manage('PUT', `/users/${name}`, { properties: { email: `${name}@example.com`, firstName: name, lastName: 'Example' } });
      const registered = await env.manage('PUT', `/clientApplications/${name}-app`, { properties: { displayName: `${name} app`, ownerId: `/users/${name}`, productIds: ['/products/starter'] } });
      expect(registered.status).toBe(201);
      const clientId = registered.body.properties.entraApplicationId as string;
      const headers = { authorization: `Bearer ${graphToken}`, 'content-type': 'application/json' };
      const found = await (await env.fetch(`${env.identityUrl}/v1.0/applications?$filter=${encodeURIComponent(`appId eq '${clientId}'`)}`, { headers })).json();
      const patched = await env.fetch(`${env.identityUrl}/v1.0/applications/${found.value[0].id}`, {
        method: 'PATCH', headers,
        body: JSON.stringify({ keyCredentials: [{ type: 'AsymmetricX509Cert', usage: 'Verify', key: certificate.derBase64, displayName: `CN=${name}` }] }),
      });
      expect(patched.status).toBe(204);
      const files = { CERT_FILE: join(dir, `${name}.crt`), KEY_FILE: join(dir, `${name}.key`), PEM_FILE: join(dir, `${name}.pem`) };
      await writeFile(files.CERT_FILE, certificate.pem);
      await writeFile(files.KEY_FILE, certificate.privateKeyPem, { mode: 0o600 });
      await writeFile(files.PEM_FILE, `${certificate.privateKeyPem}${certificate.pem}`, { mode: 0o600 });
      return { clientId, files };
    }

    const expectCertificateTokenOpensGateway = (output: any, clientId: string) => {
      expect(output.claims).toMatchObject({ iss: env.issuer, tid: env.tenantId, azp: clientId, azpacr: '2', aud: env.app.audience, roles: ['Product.Starter.All'] });
      expect(output.gateway.status).toBe(200);
    };

    beforeAll(async () => {
      env = await startClientEnvironment(mode);
      dir = await mkdtemp(join(tmpdir(), 'portico-client-certs-'));
      const response = await env.fetch(`${env.identityUrl}/${env.tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: env.admin.clientId, client_secret: env.admin.clientSecret, scope: 'https://graph.microsoft.com/.default' }).toString(),
      });
      graphToken = (await response.json()).access_token;
    });
    afterAll(async () => {
      await env?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    test('@azure/msal-node ConfidentialClientApplication with clientCertificate { thumbprintSha256, privateKey, x5c }', async () => {
      const certificate = await makeCertificate({ subject: 'msal' });
      const { clientId, files } = await clientWithCertificate('msal', certificate);
      const { output, stderr } = await runClientScript(env, 'msal-node-certificate.mjs', { ...commonSettings(env), ...files, CLIENT_ID: clientId, SCOPE: env.app.scope, THUMBPRINT_SHA256: certificate.sha256 });
      expect(output, `${JSON.stringify(output)}\n${stderr}`).toMatchObject({ ok: true, fromCache: [false, true] });
      expectCertificateTokenOpensGateway(output, clientId);
    });

    test('@azure/msal-node with the legacy SHA-1 thumbprint (RS256 + x5t)', async () => {
      const certificate = await makeCertificate({ subject: 'msal-legacy' });
      const { clientId, files } = await clientWithCertificate('msallegacy', certificate);
      const { output, stderr } = await runClientScript(env, 'msal-node-certificate.mjs', { ...commonSettings(env), ...files, CLIENT_ID: clientId, SCOPE: env.app.scope, THUMBPRINT: certificate.sha1 });
      expect(output, `${JSON.stringify(output)}\n${stderr}`).toMatchObject({ ok: true });
      expectCertificateTokenOpensGateway(output, clientId);
    });

    test('@azure/identity ClientCertificateCredential with a PEM file (key and certificate)', async () => {
      const certificate = await makeCertificate({ subject: 'azure-identity' });
      const { clientId, files } = await clientWithCertificate('azid', certificate);
      const { output, stderr } = await runClientScript(env, 'azure-identity-certificate.mjs', { ...commonSettings(env), ...files, CLIENT_ID: clientId, SCOPE: env.app.scope });
      expect(output, `${JSON.stringify(output)}\n${stderr}`).toMatchObject({ ok: true });
      expectCertificateTokenOpensGateway(output, clientId);
    });

    test('a certificate that was never uploaded is refused with AADSTS700027 through MSAL', async () => {
      const uploaded = await makeCertificate({ subject: 'uploaded' });
      const { clientId } = await clientWithCertificate('msalwrong', uploaded);
      const stranger = await makeCertificate({ subject: 'stranger' });
      const files = { CERT_FILE: join(dir, 'stranger.crt'), KEY_FILE: join(dir, 'stranger.key') };
      await writeFile(files.CERT_FILE, stranger.pem);
      await writeFile(files.KEY_FILE, stranger.privateKeyPem, { mode: 0o600 });
      const { output } = await runClientScript(env, 'msal-node-certificate.mjs', { ...commonSettings(env), ...files, CLIENT_ID: clientId, SCOPE: env.app.scope, THUMBPRINT_SHA256: stranger.sha256 });
      expect(output.ok).toBe(false);
      expect(output.error.code).toBe('invalid_client');
      expect(output.error.message).toMatch(/AADSTS700027: /);
    });
  });
}
