/**
 * Behind a TLS-terminating reverse proxy, with the public URLs set, everything Portico advertises
 * points at the proxy: discovery (every tenant form and /adfs), JWKS, the tokens' issuer,
 * /metadata/endpoints, nextLink, WWW-Authenticate and credentials.json. No internal address leaks.
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { clientCredentialsToken, fetchTrusting, ManagementClient, type Fetch } from '../helpers/clients.js';
import { makeProxyCertificate, startTlsProxy, type ProxyCertificate, type TlsProxy } from '../helpers/tls-proxy.js';

describe('public URLs behind a TLS-terminating proxy', () => {
  let certificate: ProxyCertificate;
  let proxies: Record<'gateway' | 'management' | 'identity', TlsProxy>;
  let portico: Booted;
  let trusted: Fetch;
  let admin: ManagementClient;
  let tenant: string;
  /** Every body and header value Portico sent in these tests, checked at the end for internal addresses. */
  const seen: string[] = [];
  const get = async (url: string, headers: Record<string, string> = {}) => {
    const response = await trusted(url, { headers });
    const text = await response.text();
    seen.push(text, ...[...response.headers.values()]);
    return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
  };

  beforeAll(async () => {
    certificate = await makeProxyCertificate();
    proxies = {
      gateway: await startTlsProxy(certificate),
      management: await startTlsProxy(certificate),
      identity: await startTlsProxy(certificate),
    };
    portico = await bootPortico({ publicUrls: { gateway: proxies.gateway.url, management: proxies.management.url, identity: proxies.identity.url } });
    for (const name of ['gateway', 'management', 'identity'] as const) proxies[name].setTarget(portico.running.boundUrls[name]);
    trusted = fetchTrusting(certificate.ca);
    admin = new ManagementClient(portico.credentials, undefined, trusted);
    tenant = portico.credentials.tenantId;
  });
  afterAll(async () => {
    await portico?.stop();
    for (const proxy of Object.values(proxies ?? {})) await proxy.close();
    await certificate?.drop();
  });

  test('the listeners themselves serve plain http; the advertised URLs are the proxies\'', () => {
    expect(portico.running.boundUrls.identity).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(portico.running.urls).toMatchObject({ gateway: proxies.gateway.url, management: proxies.management.url, identity: proxies.identity.url });
  });

  test('credentials.json holds the public URLs and no CA', () => {
    const c = portico.credentials;
    expect([c.gatewayUrl, c.managementUrl, c.identityUrl]).toEqual([proxies.gateway.url, proxies.management.url, proxies.identity.url]);
    expect(c.caCertificate).toBeUndefined();
  });

  test('discovery, in every tenant form and /adfs, names only the public identity URL', async () => {
    const id = proxies.identity.url;
    const expected = {
      issuer: `${id}/${tenant}/v2.0`,
      token_endpoint: `${id}/${tenant}/oauth2/v2.0/token`,
      authorization_endpoint: `${id}/${tenant}/oauth2/v2.0/authorize`,
      jwks_uri: `${id}/${tenant}/discovery/v2.0/keys`,
    };
    for (const path of [`/${tenant}/v2.0/.well-known/openid-configuration`, `/${tenant.toUpperCase()}/v2.0/.well-known/openid-configuration`, `/${tenant}/.well-known/openid-configuration`, '/adfs/.well-known/openid-configuration']) {
      const response = await get(`${id}${path}`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject(expected);
      expect(response.body.cloud_instance_name).toBe(new URL(id).host);
    }
    const jwks = await get(expected.jwks_uri);
    expect(jwks.status).toBe(200);
    for (const key of jwks.body.keys) expect(key.issuer).toBe(expected.issuer);
  });

  test('tokens carry the public issuer and the gateway (through its proxy) accepts them', async () => {
    const patched = await admin.call('PATCH', '/products/starter', { properties: { authenticationType: ['application-token'] } }, { 'if-match': '*' });
    expect(patched.status).toBe(200);
    const audience = patched.body.properties.application.entra.audience as string;
    await admin.call('PUT', '/users/alice', { properties: { email: 'alice@example.com', firstName: 'Alice', lastName: 'Example' } });
    const registered = await admin.call('PUT', '/clientApplications/alice-app', { properties: { displayName: 'Alice app', ownerId: '/users/alice', productIds: ['/products/starter'] } });
    expect(registered.status).toBe(201);
    const secret = await admin.call('POST', '/clientApplications/alice-app/listSecrets');
    const token = await clientCredentialsToken(proxies.identity.url, tenant, registered.body.properties.entraApplicationId, secret.body.entra.clientSecret, `api://${audience}/.default`, trusted);
    expect(decodeJwt(token).iss).toBe(`${proxies.identity.url}/${tenant}/v2.0`);
    const call = await trusted(`${proxies.gateway.url}/echo/resource?param1=sample`, { headers: { authorization: `Bearer ${token}` } });
    expect(call.status).toBe(200);
  });

  test('/metadata/endpoints points the Azure CLI at the public identity URL', async () => {
    const response = await get(`${proxies.management.url}/metadata/endpoints?api-version=2015-01-01`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      galleryEndpoint: `${proxies.management.url}/`,
      graphEndpoint: `${proxies.identity.url}/`,
      portalEndpoint: `${proxies.management.url}/`,
      authentication: { loginEndpoint: `${proxies.identity.url}/adfs`, audiences: ['https://management.portico.local/'] },
    });
  });

  test('nextLink is absolute on the public management URL and carries api-version', async () => {
    const response = await get(`${proxies.management.url}${admin.servicePath}/products?api-version=2024-05-01&$top=1`, { authorization: `Bearer ${await admin.bearer()}` });
    expect(response.status).toBe(200);
    expect(response.body.value).toHaveLength(1);
    expect(response.body.nextLink).toMatch(new RegExp(`^${escape(`${proxies.management.url}${admin.servicePath}/products?api-version=2024-05-01&%24top=1&%24skipToken=`)}[A-Za-z0-9_-]+$`));
    const next = await get(response.body.nextLink, { authorization: `Bearer ${await admin.bearer()}` });
    expect(next.status).toBe(200);
  });

  test('WWW-Authenticate names the public URLs on the management API, the Graph-shaped API and the gateway', async () => {
    const management = await get(`${proxies.management.url}${admin.servicePath}/products?api-version=2024-05-01`);
    expect(management.status).toBe(401);
    expect(management.headers.get('www-authenticate')).toMatch(new RegExp(`^Bearer authorization_uri="${escape(proxies.identity.url)}/${tenant}", error="invalid_token"`));
    const graph = await get(`${proxies.identity.url}/v1.0/applications`);
    expect(graph.status).toBe(401);
    expect(graph.headers.get('www-authenticate')).toContain(`authorization_uri="${proxies.identity.url}/${tenant}/oauth2/v2.0/authorize"`);
    const gateway = await get(`${proxies.gateway.url}/echo/resource`);
    expect(gateway.status).toBe(401);
    expect(gateway.headers.get('www-authenticate')).toContain(`realm="${proxies.gateway.url}/echo"`);
  });

  test('no answer carried an internal address', () => {
    const internal = Object.values(portico.running.boundUrls).map((url) => new URL(url).host);
    for (const text of seen) for (const host of internal) expect(text).not.toContain(host);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('a change of the public identity URL', () => {
  test('tokens issued under the old URL are refused with a 401 that says why; new ones work', async () => {
    const portico = await bootPortico({ publicUrls: { identity: 'http://old-name.localhost:1' } });
    const { dataDir } = portico;
    try {
      // Issued through the listener itself: the advertised name need not resolve for the issuer to be set.
      const c = portico.credentials;
      const old = await clientCredentialsToken(portico.running.boundUrls.identity, c.tenantId, c.admin.clientId, c.admin.clientSecret, c.managementScope);
      expect(decodeJwt(old).iss).toBe(`http://old-name.localhost:1/${c.tenantId}/v2.0`);
      await portico.running.stop();
      const restarted = await bootPortico({ dataDir });
      try {
        const warning = restarted.logLines.map((line) => JSON.parse(line)).find((entry) => entry.previous !== undefined);
        expect(warning).toMatchObject({ level: 40, previous: 'http://old-name.localhost:1', current: restarted.identityUrl });
        expect(warning.msg).toContain('tokens issued before carry the old issuer and are refused');
        const stale = await new ManagementClient(restarted.credentials, old).call('GET', '/products');
        expect(stale.status).toBe(401);
        expect(stale.body).toEqual({
          error: {
            code: 'AuthenticationFailed',
            message: `Authentication failed. The access token was issued as 'http://old-name.localhost:1/${c.tenantId}/v2.0', an issuer this Portico no longer uses (its public identity URL changed). Request a new token.`,
          },
        });
        expect((await new ManagementClient(restarted.credentials).call('GET', '/products')).status).toBe(200);
      } finally {
        await restarted.stop();
      }
    } finally {
      await portico.stop(); // stopping twice is harmless; this also removes its data directory
    }
  });
});

test('an identity URL with a path, or http:// next to HTTPS listeners, starts with a warning', async () => {
  const portico = await bootPortico({ tls: 'local', publicUrls: { identity: 'https://login.example.com/portico', gateway: 'http://gateway.example.com' } });
  try {
    const warnings = portico.logLines.map((line) => JSON.parse(line)).filter((entry) => entry.level === 40).map((entry) => entry.msg as string);
    expect(warnings).toEqual(expect.arrayContaining([
      expect.stringContaining('PORTICO_PUBLIC_IDENTITY_URL has a path: MSAL and @azure/identity take the first path segment'),
      expect.stringContaining('the gateway listener serves HTTPS but PORTICO_PUBLIC_GATEWAY_URL advertises http://'),
    ]));
  } finally {
    await portico.stop();
  }
});
