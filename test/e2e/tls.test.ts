/**
 * HTTPS on every listener: `--tls local` (a CA Portico makes and reuses), the operator's own
 * certificate files, and the start-up errors for bad ones.
 */
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { startPortico } from '../../src/main.js';
import { ensureLocalCertificates, localTlsPaths } from '../../src/tls/index.js';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { fetchTrusting, type Fetch } from '../helpers/clients.js';
import { makeProxyCertificate, type ProxyCertificate } from '../helpers/tls-proxy.js';

const DAY_MS = 86_400_000;

describe('--tls local', () => {
  let dataDir: string;
  let portico: Booted;
  let trusted: Fetch;
  const printed: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'portico-tls-'));
    portico = await bootPortico({ dataDir, tls: 'local', printed });
    trusted = fetchTrusting(await readFile(localTlsPaths(dataDir).caCertificate, 'utf8'));
  });
  afterAll(async () => {
    await portico?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('gateway, management and identity serve https on localhost; the echo backend stays http', () => {
    expect(portico.gatewayUrl).toMatch(/^https:\/\/localhost:\d+$/);
    expect(portico.managementUrl).toMatch(/^https:\/\/localhost:\d+$/);
    expect(portico.identityUrl).toMatch(/^https:\/\/localhost:\d+$/);
    expect(portico.echoUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('prints the lines that make Node and Python trust the CA', () => {
    const paths = localTlsPaths(dataDir);
    expect(printed).toContain(`  local CA    ${paths.caCertificate}`);
    expect(printed).toContain(`  export NODE_EXTRA_CA_CERTS=${paths.caCertificate}`);
    expect(printed).toContain(`  export REQUESTS_CA_BUNDLE=${paths.caBundle}`);
  });

  test('keys are 0600, the bundle holds the system CAs and then Portico\'s', async () => {
    const paths = localTlsPaths(dataDir);
    expect((await stat(paths.caKey)).mode & 0o777).toBe(0o600);
    expect((await stat(paths.serverKey)).mode & 0o777).toBe(0o600);
    expect((await stat(paths.dir)).mode & 0o777).toBe(0o700);
    const bundle = await readFile(paths.caBundle, 'utf8');
    const ca = await readFile(paths.caCertificate, 'utf8');
    expect(bundle.endsWith(ca)).toBe(true);
    expect(bundle.split('-----BEGIN CERTIFICATE-----').length).toBeGreaterThan(10);
  });

  test('the server certificate names localhost, 127.0.0.1 and ::1, and is signed by the CA', async () => {
    const paths = localTlsPaths(dataDir);
    const server = new X509Certificate(await readFile(paths.serverCertificate, 'utf8'));
    const ca = new X509Certificate(await readFile(paths.caCertificate, 'utf8'));
    expect(server.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(ca.ca).toBe(true);
  });

  test('a client trusting the CA reaches each listener by localhost, 127.0.0.1 and ::1', async () => {
    const port = new URL(portico.identityUrl).port;
    const path = `/${portico.credentials.tenantId}/v2.0/.well-known/openid-configuration`;
    for (const host of ['localhost', '127.0.0.1', '[::1]']) {
      const response = await trusted(`https://${host}:${port}${path}`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { issuer: string }).issuer).toBe(`${portico.identityUrl}/${portico.credentials.tenantId}/v2.0`);
    }
    expect((await trusted(`${portico.gatewayUrl}/status-0123456789abcdef`)).status).toBe(200);
    expect((await trusted(`${portico.managementUrl}/metadata/endpoints?api-version=2022-08-01`)).status).toBe(200);
  });

  test('a client that does not trust the CA is refused by the TLS handshake', async () => {
    await expect(fetch(`${portico.identityUrl}/${portico.credentials.tenantId}/v2.0/.well-known/openid-configuration`)).rejects.toThrow();
  });

  test('credentials.json names the CA and the https URLs', () => {
    const c = portico.credentials;
    expect(c.caCertificate).toBe(localTlsPaths(dataDir).caCertificate);
    expect([c.gatewayUrl, c.managementUrl, c.identityUrl]).toEqual([portico.gatewayUrl, portico.managementUrl, portico.identityUrl]);
  });

  test('a restart reuses the CA and the server certificate', async () => {
    const paths = localTlsPaths(dataDir);
    const ca = await readFile(paths.caCertificate, 'utf8');
    const server = await readFile(paths.serverCertificate, 'utf8');
    await portico.running.stop();
    portico = await bootPortico({ dataDir, tls: 'local' });
    expect(await readFile(paths.caCertificate, 'utf8')).toBe(ca);
    expect(await readFile(paths.serverCertificate, 'utf8')).toBe(server);
    expect((await trusted(`${portico.gatewayUrl}/status-0123456789abcdef`)).status).toBe(200);
  });
});

describe('local certificate renewal', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'portico-tls-renew-'));
  });
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  test('the server certificate is renewed 30 days before it expires, with the same CA', async () => {
    const now = new Date();
    const first = await ensureLocalCertificates(dataDir, [], now);
    expect(first.issued).toBe(true);
    const ca = await readFile(first.paths.caCertificate, 'utf8');
    const again = await ensureLocalCertificates(dataDir, [], new Date(now.getTime() + 59 * DAY_MS));
    expect(again.issued).toBe(false);
    const renewed = await ensureLocalCertificates(dataDir, [], new Date(now.getTime() + 61 * DAY_MS));
    expect(renewed.issued).toBe(true);
    expect(renewed.notAfter.getTime()).toBeGreaterThan(first.notAfter.getTime());
    expect(await readFile(first.paths.caCertificate, 'utf8')).toBe(ca);
  });

  test('a new public host name gets a new certificate that names it', async () => {
    const renewed = await ensureLocalCertificates(dataDir, ['portico.test']);
    expect(renewed.issued).toBe(true);
    expect(new X509Certificate(renewed.cert).subjectAltName).toContain('DNS:portico.test');
  });
});

describe('--tls-cert / --tls-key', () => {
  let dir: string;
  let certificate: ProxyCertificate;
  const start = (certFile: string, keyFile: string) =>
    startPortico(loadConfig({}, { dataDir: join(dir, 'data'), ports: { gateway: 0, management: 0, identity: 0, echo: 0 }, logLevel: 'silent', tls: { certFile, keyFile } }), { print: () => undefined, env: {} });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portico-tls-files-'));
    certificate = await makeProxyCertificate();
    await writeFile(join(dir, 'cert.pem'), certificate.cert);
    await writeFile(join(dir, 'key.pem'), certificate.key);
    await writeFile(join(dir, 'garbage.pem'), 'not a certificate\n');
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    await writeFile(join(dir, 'other-key.pem'), other);
  });
  afterAll(async () => {
    await certificate?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  test('serves https with the given certificate', async () => {
    const running = await start(join(dir, 'cert.pem'), join(dir, 'key.pem'));
    try {
      expect(running.urls.identity).toMatch(/^https:\/\/localhost:\d+$/);
      expect(running.caCertificate).toBeUndefined();
      const response = await fetchTrusting(certificate.ca)(`${running.urls.identity}/${running.tenantId}/v2.0/.well-known/openid-configuration`);
      expect(response.status).toBe(200);
    } finally {
      await running.stop();
    }
  });

  test('a missing file stops the start with a message naming it and the setting', async () => {
    await expect(start(join(dir, 'missing.pem'), join(dir, 'key.pem'))).rejects.toThrow(
      `Cannot read the TLS certificate file ${join(dir, 'missing.pem')} (PORTICO_TLS_CERT, --tls-cert): there is no such file.`,
    );
    await expect(start(join(dir, 'cert.pem'), join(dir, 'missing.pem'))).rejects.toThrow(
      `Cannot read the TLS private key file ${join(dir, 'missing.pem')} (PORTICO_TLS_KEY, --tls-key): there is no such file.`,
    );
  });

  test('a file that is not a certificate, or a key of another certificate, is refused by name', async () => {
    await expect(start(join(dir, 'garbage.pem'), join(dir, 'key.pem'))).rejects.toThrow(
      `The TLS certificate file ${join(dir, 'garbage.pem')} (PORTICO_TLS_CERT, --tls-cert) does not hold a PEM certificate`,
    );
    await expect(start(join(dir, 'cert.pem'), join(dir, 'garbage.pem'))).rejects.toThrow(
      `The TLS key file ${join(dir, 'garbage.pem')} (PORTICO_TLS_KEY, --tls-key) does not hold an unencrypted PEM private key`,
    );
    await expect(start(join(dir, 'cert.pem'), join(dir, 'other-key.pem'))).rejects.toThrow(
      `The TLS key file ${join(dir, 'other-key.pem')} does not belong to the certificate in ${join(dir, 'cert.pem')}`,
    );
  });
});

describe('TLS and public URL settings', () => {
  test('bad combinations and values are refused with the variable, the flag and the rule', () => {
    expect(() => loadConfig({ PORTICO_TLS: 'on' })).toThrow('PORTICO_TLS (--tls) must be "local" (a certificate Portico makes) or "off", got "on"');
    expect(() => loadConfig({ PORTICO_TLS: 'local', PORTICO_TLS_CERT: 'c.pem' })).toThrow('PORTICO_TLS (--tls) is "local", which makes its own certificate');
    expect(() => loadConfig({ PORTICO_TLS_CERT: 'c.pem' })).toThrow('PORTICO_TLS_KEY (--tls-key) is needed with PORTICO_TLS_CERT');
    expect(() => loadConfig({ PORTICO_TLS_KEY: 'k.pem' })).toThrow('PORTICO_TLS_CERT (--tls-cert) is needed with PORTICO_TLS_KEY');
    expect(() => loadConfig({ PORTICO_PUBLIC_IDENTITY_URL: 'login.example.com' })).toThrow('PORTICO_PUBLIC_IDENTITY_URL (--public-identity-url) must be an absolute URL');
    expect(() => loadConfig({ PORTICO_PUBLIC_GATEWAY_URL: 'ftp://x.example' })).toThrow('PORTICO_PUBLIC_GATEWAY_URL (--public-gateway-url) must start with https:// or http://');
    expect(() => loadConfig({ PORTICO_PUBLIC_MANAGEMENT_URL: 'https://x.example/?a=1' })).toThrow('must not carry a query, a fragment or credentials');
  });

  test('values are read from the environment; a trailing slash is dropped and a path prefix kept', () => {
    const config = loadConfig({ PORTICO_TLS: 'local', PORTICO_PUBLIC_IDENTITY_URL: 'https://login.example.com/portico/', PORTICO_PUBLIC_GATEWAY_URL: 'https://API.example.com:8443' });
    expect(config.tls).toEqual({ mode: 'local' });
    expect(config.publicUrls).toEqual({ identity: 'https://login.example.com/portico', gateway: 'https://api.example.com:8443' });
    expect(loadConfig({ PORTICO_TLS: 'off' }).tls).toEqual({ mode: 'off' });
    expect(loadConfig({ PORTICO_TLS: 'LOCAL' }).tls).toEqual({ mode: 'local' });
    expect(loadConfig({ PORTICO_TLS: 'local' }, { tls: 'off' }).tls).toEqual({ mode: 'off' }); // the --tls off flag wins
    expect(loadConfig({}).tls).toEqual({ mode: 'off' });
  });
});
