/** Certificate credentials (Graph keyCredentials): the directory service and the Graph-shaped API. */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AppError } from '../../src/errors/index.js';
import { ROLE_IDS, type DirectoryClient } from '../../src/identity/index.js';
import { makeCertificate, type TestCertificate } from '../helpers/certificates.js';
import { describeEachDialect } from '../helpers/databases.js';
import { IdentityHarness, type TestClient } from './harness.js';

async function appError(fn: () => Promise<unknown>): Promise<AppError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

const DAY_MS = 24 * 60 * 60 * 1000;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const invalidKey = (detail: string) => `Invalid value specified for property 'key' of resource 'Application': ${detail}`;

describeEachDialect('key credentials', (dialect) => {
  let h: IdentityHarness;
  let system: DirectoryClient;
  let cert: TestCertificate;
  let other: TestCertificate;

  beforeAll(async () => {
    h = await IdentityHarness.start(dialect);
    system = h.system;
    [cert, other] = await Promise.all([makeCertificate(), makeCertificate({ bits: 3072 })]);
  });
  afterAll(async () => h?.stop());

  describe('directory service', () => {
    test('a certificate is registered from base64 DER or PEM, shown as Graph shows it, listed and removed', async () => {
      const app = await system.createApplication({ displayName: 'cert-app' });
      const added = await system.addKeyCredential(app.id, { key: cert.derBase64, displayName: 'ci' });
      const x509 = new (await import('node:crypto')).X509Certificate(cert.pem);
      expect(added).toEqual({
        keyId: expect.stringMatching(GUID), displayName: 'ci', customKeyIdentifier: cert.sha1,
        type: 'AsymmetricX509Cert', usage: 'Verify',
        startDateTime: new Date(x509.validFrom).toISOString(), endDateTime: new Date(x509.validTo).toISOString(),
      });
      const fromPem = await system.addKeyCredential(app.id, { key: other.pem });
      expect(fromPem.customKeyIdentifier).toBe(other.sha1);
      expect(fromPem.displayName).toBeNull();
      expect((await system.listKeyCredentials(app.id)).map((k) => k.keyId)).toEqual([added.keyId, fromPem.keyId]);
      const stored = await h.store.directory.listKeyCredentials(app.id);
      expect(stored[0]).toMatchObject({ certificate: cert.derBase64, thumbprintSha1: cert.sha1, thumbprintSha256: cert.sha256 });

      await system.removeKeyCredential(app.id, added.keyId);
      expect((await system.listKeyCredentials(app.id)).map((k) => k.keyId)).toEqual([fromPem.keyId]);
      const missing = await appError(() => system.removeKeyCredential(app.id, added.keyId));
      expect([missing.code, missing.message]).toEqual(['Request_ResourceNotFound', `No key credential found with keyId '${added.keyId}'.`]);
    });

    test('the same certificate twice on one application is refused', async () => {
      const app = await system.createApplication({ displayName: 'dup-app' });
      const first = await system.addKeyCredential(app.id, { key: cert.derBase64 });
      const error = await appError(() => system.addKeyCredential(app.id, { key: cert.pem }));
      expect([error.code, error.message]).toEqual(['Request_BadRequest',
        `This certificate (thumbprint ${cert.sha1}) is already a key credential of the application (keyId '${first.keyId}').`]);
    });

    test('private keys, non-certificates, expired certificates, short or non-RSA keys are refused with what to upload', async () => {
      const app = await system.createApplication({ displayName: 'bad-certs' });
      const refused = async (key: string) => {
        const error = await appError(() => system.addKeyCredential(app.id, { key }));
        expect(error.code).toBe('Request_BadRequest');
        return error.message;
      };
      const privateKeyText = invalidKey('it contains a private key. Upload only the public certificate; the private key never leaves the client.');
      expect(await refused(cert.privateKeyPem)).toBe(privateKeyText);
      expect(await refused(`${cert.pem}${cert.privateKeyPem}`)).toBe(privateKeyText);
      expect(await refused(cert.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'))).toBe(privateKeyText);
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
      expect(await refused(rsa.privateKey.export({ format: 'der', type: 'pkcs1' }).toString('base64'))).toBe(privateKeyText);
      expect(await refused(rsa.publicKey.export({ format: 'der', type: 'spki' }).toString('base64')))
        .toBe(invalidKey('it is not an X.509 certificate. Upload the public certificate (.cer, .crt or .pem), not a key or a PKCS#12 (.pfx) file.'));
      expect(await refused('not base64 at all!')).toBe(invalidKey('it is neither base64 nor PEM. Send the certificate as base64 of its DER encoding.'));
      expect(await refused(`${cert.pem}${other.pem}`)).toBe(invalidKey('the PEM text holds more than one certificate; upload only the application\'s own certificate, not a chain.'));

      const expired = await makeCertificate({ notBefore: new Date(Date.now() - 10 * DAY_MS), notAfter: new Date(Date.now() - DAY_MS) });
      expect(await refused(expired.derBase64)).toMatch(/^Invalid value specified for property 'key' of resource 'Application': the certificate expired on \d{4}-\d\d-\d\dT[\d:.]+Z\. Upload a certificate that is still valid\.$/);
      const short = await makeCertificate({ bits: 1024 });
      expect(await refused(short.derBase64)).toBe(invalidKey('the certificate\'s RSA key has 1024 bits; at least 2048 are required.'));
      const hugeExponent = await makeCertificate({ publicExponent: new Uint8Array([0x7f, 0xff, 0xff, 0xff]) }); // 2^31 - 1
      expect(await refused(hugeExponent.derBase64)).toBe(invalidKey('the certificate\'s RSA public exponent is unusually large; use a standard key (exponent 65537).'));
      const ec = await makeCertificate({ algorithm: 'ECDSA' });
      expect(await refused(ec.derBase64)).toBe(invalidKey('the certificate\'s key is ec; only RSA keys (at least 2048 bits) are accepted.'));
      expect(await system.listKeyCredentials(app.id)).toEqual([]);
    });

    test('credentials of an application whose principal holds a directory role need a role administrator', async () => {
      const appAdmin = h.identity.directory.forPrincipal((await h.createClient(undefined, { directoryRoles: [ROLE_IDS.applicationAdministrator] })).sp.id);
      const plain = await h.createClient();
      await appAdmin.addKeyCredential(plain.app.id, { key: cert.derBase64 });

      const privileged = await h.createClient(undefined, { directoryRoles: [ROLE_IDS.directoryReaders] });
      const denied = await appError(() => appAdmin.addKeyCredential(privileged.app.id, { key: cert.derBase64 }));
      expect([denied.code, denied.message]).toEqual(['Authorization_RequestDenied',
        'Insufficient privileges to complete the operation. The caller needs the Global Administrator or Privileged Role Administrator directory role.']);
      expect((await appError(() => appAdmin.replaceKeyCredentials(privileged.app.id, []))).code).toBe('Authorization_RequestDenied');

      const roleAdmin = h.identity.directory.forPrincipal((await h.createClient(undefined, {
        directoryRoles: [ROLE_IDS.applicationAdministrator, ROLE_IDS.privilegedRoleAdministrator],
      })).sp.id);
      const added = await roleAdmin.addKeyCredential(privileged.app.id, { key: cert.derBase64 });
      expect((await appError(() => appAdmin.removeKeyCredential(privileged.app.id, added.keyId))).code).toBe('Authorization_RequestDenied');
      await roleAdmin.removeKeyCredential(privileged.app.id, added.keyId);

      const reader = h.identity.directory.forPrincipal((await h.createClient(undefined, { directoryRoles: [ROLE_IDS.directoryReaders] })).sp.id);
      expect(await reader.listKeyCredentials(plain.app.id)).toHaveLength(1);
      expect((await appError(() => reader.addKeyCredential(plain.app.id, { key: other.derBase64 }))).code).toBe('Authorization_RequestDenied');
    });
  });

  describe('Graph: PATCH /applications/{id} keyCredentials, GET without key', () => {
    let admin: { client: TestClient; token: string };
    beforeAll(async () => {
      admin = await h.graphCaller([ROLE_IDS.applicationAdministrator]);
    });

    test('the full list: new entries carry key, listed ones stay, unlisted ones go; GET never shows key', async () => {
      const app = await system.createApplication({ displayName: 'patched' });
      const patch = (keyCredentials: unknown) => h.graph('PATCH', `/applications/${app.id}`, admin.token, { keyCredentials });

      const first = await patch([{ type: 'AsymmetricX509Cert', usage: 'Verify', key: cert.derBase64, displayName: 'CN=portico-test-client' }]);
      expect(first.status).toBe(204);
      expect(first.text).toBe('');
      const shown = await h.graph('GET', `/applications/${app.id}`, admin.token);
      expect(shown.status).toBe(200);
      const [entry] = shown.body.keyCredentials;
      expect(entry).toEqual({
        customKeyIdentifier: cert.sha1, displayName: 'CN=portico-test-client', endDateTime: expect.any(String), key: null,
        keyId: expect.stringMatching(GUID), startDateTime: expect.any(String), type: 'AsymmetricX509Cert', usage: 'Verify',
      });
      expect(shown.text).not.toContain(cert.derBase64.slice(0, 64));

      // Append the way `az ad app credential reset --append` does: the existing entries as read, plus the new one.
      expect((await patch([entry, { type: 'AsymmetricX509Cert', usage: 'Verify', key: other.derBase64 }])).status).toBe(204);
      const two = (await h.graph('GET', `/applications/${app.id}`, admin.token)).body.keyCredentials;
      expect(two.map((k: { customKeyIdentifier: string }) => k.customKeyIdentifier)).toEqual([cert.sha1, other.sha1]);
      const listed = await h.graph('GET', `/applications?$filter=${encodeURIComponent(`appId eq '${app.appId}'`)}`, admin.token);
      expect(listed.body.value[0].keyCredentials).toEqual(two);

      expect((await patch([two[1]])).status).toBe(204);
      expect((await h.graph('GET', `/applications/${app.id}`, admin.token)).body.keyCredentials).toEqual([two[1]]);
      expect((await patch([])).status).toBe(204);
      expect((await h.graph('GET', `/applications/${app.id}`, admin.token)).body.keyCredentials).toEqual([]);
    });

    test('bad bodies are 400 Request_BadRequest saying what to fix, and change nothing', async () => {
      const app = await system.createApplication({ displayName: 'patched-badly' });
      const kept = await system.addKeyCredential(app.id, { key: cert.derBase64 });
      const patch = (body: unknown) => h.graph('PATCH', `/applications/${app.id}`, admin.token, body);
      const expect400 = async (body: unknown, message: string) => {
        const result = await patch(body);
        expect(result.status).toBe(400);
        expect(result.body.error).toMatchObject({ code: 'Request_BadRequest', message });
      };
      await expect400({ keyCredentials: [{ key: other.derBase64, usage: 'Verify' }] },
        "Invalid value specified for property 'keyCredentials[0].type' of resource 'Application': it must be 'AsymmetricX509Cert' (only certificates are supported).");
      await expect400({ keyCredentials: [{ key: other.derBase64, type: 'AsymmetricX509Cert', usage: 'Sign' }] },
        "Invalid value specified for property 'keyCredentials[0].usage' of resource 'Application': it must be 'Verify' (the certificate verifies client assertions).");
      await expect400({ keyCredentials: [{ keyId: kept.keyId }, { key: other.privateKeyPem, type: 'AsymmetricX509Cert', usage: 'Verify' }] },
        "Invalid value specified for property 'keyCredentials[1].key' of resource 'Application': it contains a private key. Upload only the public certificate; the private key never leaves the client.");
      await expect400({ keyCredentials: [{ keyId: '00000000-0000-0000-0000-000000000001' }] },
        "Invalid value specified for property 'keyCredentials' of resource 'Application': '00000000-0000-0000-0000-000000000001' is not a key credential of this application; a new certificate needs `key`.");
      await expect400({ keyCredentials: [{ displayName: 'no key' }] },
        "Invalid value specified for property 'keyCredentials[0].key' of resource 'Application': a new certificate needs `key` (base64 of its DER encoding); an existing one is kept by its `keyId`.");
      await expect400({ keyCredentials: 'nope' }, "Invalid value specified for property 'keyCredentials' of resource 'Application': it must be an array of keyCredential objects.");
      await expect400({ displayName: 'renamed' }, 'PATCH /applications/{id} here changes only keyCredentials; remove displayName.');
      await expect400([], 'The request body must be an application object, e.g. {"keyCredentials": [...]}.');
      await expect400({}, 'The request body must set keyCredentials, the one property PATCH /applications/{id} changes here.');
      expect((await system.listKeyCredentials(app.id)).map((k) => k.keyId)).toEqual([kept.keyId]);

      const unknown = await h.graph('PATCH', '/applications/00000000-0000-0000-0000-000000000009', admin.token, { keyCredentials: [] });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('Request_ResourceNotFound');
    });
  });
});
