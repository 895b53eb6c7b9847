/**
 * `portico app credential add|list|delete` (alias remove) through the built command (bin/portico.js → dist/),
 * against the real program booted in this process; the certificate it uploads then gets a token
 * with a client assertion. When running this file alone, run `npm run build` before.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { SignJWT, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bootPortico, type Booted } from '../helpers/boot.js';
import { makeCertificate, type TestCertificate } from '../helpers/certificates.js';
import { ManagementClient, requestToken } from '../helpers/clients.js';

// Every test spawns `portico` processes (seconds each on a busy machine): a generous limit, not a timed assertion.
vi.setConfig({ testTimeout: 120_000 });

const BIN = fileURLToPath(new URL('../../bin/portico.js', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/cli/commands/app-credential.js', import.meta.url));
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('portico app credential', () => {
  let portico: Booted;
  let dir: string;
  let cert: TestCertificate;
  let scope: string;
  let clientId: string;

  /** Asynchronous on purpose: the server runs in this process and must keep answering. */
  const cli = (...args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PORTICO_')));
      execFile(process.execPath, [BIN, ...args, '--credentials', portico.credentialsPath], { env, cwd: dir }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
      });
    });

  const tokenWithCertificate = async (certificate: TestCertificate) => {
    const now = Math.floor(Date.now() / 1000);
    const tokenEndpoint = `${portico.identityUrl}/${portico.credentials.tenantId}/oauth2/v2.0/token`;
    const assertion = await new SignJWT({ aud: tokenEndpoint, iss: clientId, sub: clientId, jti: randomUUID(), nbf: now, exp: now + 600 })
      .setProtectedHeader({ alg: 'PS256', typ: 'JWT', 'x5t#S256': certificate.x5tS256 })
      .sign(certificate.privateKey);
    return requestToken(portico.identityUrl, portico.credentials.tenantId, {
      grant_type: 'client_credentials', client_id: clientId, scope,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion,
    });
  };

  beforeAll(async () => {
    if (!existsSync(BUILT)) throw new Error('dist/ is missing or old: run `npm run build` before this test.');
    portico = await bootPortico();
    dir = mkdtempSync(join(tmpdir(), 'portico-cert-cli-'));
    cert = await makeCertificate({ subject: 'dave-app' });
    writeFileSync(join(dir, 'dave.pem'), cert.pem);
    writeFileSync(join(dir, 'dave.cer'), Buffer.from(cert.derBase64, 'base64'));
    writeFileSync(join(dir, 'dave.key'), cert.privateKeyPem);
    writeFileSync(join(dir, 'both.pem'), `${cert.privateKeyPem}${cert.pem}`);
    const admin = new ManagementClient(portico.credentials);
    const audience = (await admin.call('PATCH', '/products/starter', { properties: { authenticationType: ['application-token'] } })).body.properties.application.entra.audience;
    scope = `api://${audience}/.default`;
    await admin.call('PUT', '/users/dave', { properties: { email: 'dave@example.com', firstName: 'Dave', lastName: 'Example' } });
    clientId = (await admin.call('PUT', '/clientApplications/dave-app', { properties: { displayName: 'Dave app', ownerId: '/users/dave', productIds: ['/products/starter'] } })).body.properties.entraApplicationId;
  });
  afterAll(async () => {
    await portico?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('adds a PEM certificate and prints its key id and thumbprints; the certificate then gets tokens with azpacr "2"', async () => {
    expect((await tokenWithCertificate(cert)).body.error_codes).toEqual([700027]);
    const run = await cli('app', 'credential', 'add', 'dave-app', '--certificate', 'dave.pem');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Key ID: +[0-9a-f-]{36}$`, 'm'));
    expect(run.stdout).toMatch(new RegExp(`^Thumbprint: +${cert.sha1}$`, 'm'));
    expect(run.stdout).toMatch(new RegExp(`^Thumbprint \\(SHA-256\\): +${cert.sha256}$`, 'm'));
    expect(run.stdout).toMatch(new RegExp(`^Client ID: +${clientId}$`, 'm'));
    expect(run.stdout).toMatch(/^Display name: +CN=dave-app$/m);

    const token = await tokenWithCertificate(cert);
    expect(token.status, JSON.stringify(token.body)).toBe(200);
    expect(decodeJwt(token.body.access_token as string)).toMatchObject({ azp: clientId, azpacr: '2' });
  });

  it('adds a DER certificate with --output json, refuses the same one twice and a private key before sending anything', async () => {
    const second = await makeCertificate({ subject: 'dave-app-2027' });
    writeFileSync(join(dir, 'second.cer'), Buffer.from(second.derBase64, 'base64'));
    const run = await cli('app', 'credential', 'add', 'dave-app', '--certificate', 'second.cer', '--display-name', '2027 rotation', '--output', 'json');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      keyId: expect.stringMatching(GUID), displayName: '2027 rotation', customKeyIdentifier: second.sha1, thumbprintSha256: second.sha256,
      type: 'AsymmetricX509Cert', usage: 'Verify', key: null, startDateTime: expect.any(String), endDateTime: expect.any(String), clientId,
    });
    expect((await tokenWithCertificate(second)).status).toBe(200);
    expect((await tokenWithCertificate(cert)).status).toBe(200); // the first one still works

    const again = await cli('app', 'credential', 'add', 'dave-app', '--certificate', 'dave.cer');
    expect(again).toMatchObject({ code: 1, stdout: '' });
    expect(again.stderr).toBe(`error: application dave-app already has this certificate (thumbprint ${cert.sha1}).\n`);
    const keyOnly = await cli('app', 'credential', 'add', 'dave-app', '--certificate', 'dave.key');
    expect(keyOnly.code).toBe(1);
    expect(keyOnly.stderr).toMatch(/^error: dave\.key is a private key, not a certificate\. Give the public certificate made with it/);
    const both = await cli('app', 'credential', 'add', 'dave-app', '--certificate', 'both.pem');
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/^error: both\.pem contains a private key next to the certificate\. Give only the public certificate \(`openssl x509 -in both\.pem -out cert\.pem` extracts it\)/);
  });

  it('lists the certificates and removes one by key id; its assertions stop working at once', async () => {
    const listed = JSON.parse((await cli('app', 'credential', 'list', 'dave-app', '--output', 'json')).stdout).value as { keyId: string; customKeyIdentifier: string }[];
    expect(listed).toHaveLength(2);
    const text = await cli('app', 'credential', 'list', 'dave-app');
    expect(text.stdout.split('\n')[0]).toMatch(/^KEY ID +DISPLAY NAME +THUMBPRINT +EXPIRES$/);
    expect(text.stdout).toContain(cert.sha1);

    const first = listed.find((k) => k.customKeyIdentifier === cert.sha1)!;
    const refused = await cli('app', 'credential', 'delete', 'dave-app', '--key-id', first.keyId);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('Add --yes to go ahead.');
    const removed = await cli('app', 'credential', 'remove', 'dave-app', '--key-id', first.keyId, '--yes');
    expect(removed).toMatchObject({ code: 0, stdout: `Removed certificate ${first.keyId} from application dave-app.\n` });
    expect((await tokenWithCertificate(cert)).body.error_codes).toEqual([700027]);
    const nothing = await cli('app', 'credential', 'remove', 'dave-app', '--key-id', first.keyId);
    expect(nothing.stdout).toBe(`Application dave-app has no certificate ${first.keyId}; nothing removed.\n`);
    const badId = await cli('app', 'credential', 'remove', 'dave-app', '--key-id', 'nope');
    expect(badId.code).toBe(2);
  });
});
