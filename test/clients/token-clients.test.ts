/**
 * Microsoft's and OpenID's token client libraries, unmodified and configured as their own docs
 * say, get a token for a product from Portico, and the token opens the gateway; a backend behind
 * the gateway verifies it with jose. Each runs over `--tls local` and behind a TLS proxy.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLIENT_MODES, MODE_TITLES, commonSettings, runClientScript, startClientEnvironment, type ClientEnvironment } from './environment.js';

for (const mode of CLIENT_MODES) {
  describe(`token clients ${MODE_TITLES[mode]}`, () => {
    let env: ClientEnvironment;
    const appSettings = () => ({ ...commonSettings(env), CLIENT_ID: env.app.clientId, CLIENT_SECRET: env.app.clientSecret, SCOPE: env.app.scope });

    /** What every client's token must look like, and what the gateway must do with it. */
    const expectProductTokenOpensGateway = (output: any) => {
      expect(output.claims).toMatchObject({ iss: env.issuer, tid: env.tenantId, azp: env.app.clientId, aud: env.app.audience, roles: ['Product.Starter.All'] });
      expect(output.gateway.status).toBe(200);
      expect(output.gateway.body).toMatchObject({ method: 'POST', path: '/api/resource', query: { param1: 'sample' } });
    };

    beforeAll(async () => {
      env = await startClientEnvironment(mode);
    });
    afterAll(async () => {
      await env?.stop();
    });

    test('every advertised URL is the public https one', async () => {
      expect(env.identityUrl).toMatch(/^https:\/\/localhost:\d+$/);
      expect(env.gatewayUrl).toMatch(/^https:\/\/localhost:\d+$/);
      const discovery = await (await env.fetch(`${env.issuer}/.well-known/openid-configuration`)).json();
      expect(discovery).toMatchObject({
        issuer: env.issuer,
        token_endpoint: `${env.identityUrl}/${env.tenantId}/oauth2/v2.0/token`,
        jwks_uri: expect.stringMatching(`^${env.identityUrl}/`),
        authorization_endpoint: expect.stringMatching(`^${env.identityUrl}/`),
      });
    });

    test('@azure/msal-node ConfidentialClientApplication.acquireTokenByClientCredential', async () => {
      const { output, stderr } = await runClientScript(env, 'msal-node.mjs', appSettings());
      expect(output, `${JSON.stringify(output)}\n${stderr}`).toMatchObject({ ok: true, tokenType: 'Bearer', fromCache: [false, true] });
      expectProductTokenOpensGateway(output);
    });

    test('@azure/identity ClientSecretCredential', async () => {
      const { output, stderr } = await runClientScript(env, 'azure-identity.mjs', appSettings());
      expect(output, `${JSON.stringify(output)}\n${stderr}`).toMatchObject({ ok: true });
      expect(output.expiresInSeconds).toBeGreaterThan(300);
      expectProductTokenOpensGateway(output);
    });

    test('openid-client discovery + clientCredentialsGrant against the tenant v2.0 issuer', async () => {
      const { output, stderr } = await runClientScript(env, 'openid-client.mjs', appSettings());
      expect(output, `${JSON.stringify(output)}\n${stderr}`).toMatchObject({
        ok: true,
        issuer: env.issuer,
        tokenEndpoint: `${env.identityUrl}/${env.tenantId}/oauth2/v2.0/token`,
        tokenType: 'bearer',
        expiresIn: expect.any(Number),
      });
      expectProductTokenOpensGateway(output);
    });

    test('a backend behind the gateway verifies the forwarded token with jose createRemoteJWKSet + jwtVerify', async () => {
      const tokenResponse = await env.fetch(`${env.identityUrl}/${env.tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: env.app.clientId, client_secret: env.app.clientSecret, scope: env.app.scope }).toString(),
      });
      expect(tokenResponse.status).toBe(200);
      const token = ((await tokenResponse.json()) as { access_token: string }).access_token;
      const echoed = await env.fetch(`${env.gatewayUrl}/echo/resource`, { headers: { authorization: `Bearer ${token}` } });
      expect(echoed.status).toBe(200);
      const forwarded = ((await echoed.json()) as { headers: Record<string, string> }).headers.authorization;
      expect(forwarded).toBe(`Bearer ${token}`);

      const { output, stderr } = await runClientScript(env, 'jose-backend.mjs', {
        ...commonSettings(env),
        ACCESS_TOKEN: forwarded!.slice('Bearer '.length),
        AUDIENCE: env.app.audience,
      });
      expect(output, `${JSON.stringify(output)}\n${stderr}`).toMatchObject({
        ok: true,
        issuer: env.issuer,
        jwksUri: expect.stringMatching(`^${env.identityUrl}/`),
        alg: 'RS256',
        payload: { iss: env.issuer, tid: env.tenantId, azp: env.app.clientId, aud: env.app.audience },
      });
    });
  });
}
