/**
 * Test certificates made as a user would with openssl: a self-signed X.509 certificate and its key
 * pair, through @peculiar/x509 on node's WebCrypto. Also the thumbprints clients put in `x5t` and
 * `x5t#S256`.
 */
import 'reflect-metadata';
import { createHash, createPrivateKey, webcrypto, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface TestCertificate {
  /** PEM of the certificate alone. */
  readonly pem: string;
  /** base64 DER: what Graph's keyCredentials `key` carries. */
  readonly derBase64: string;
  readonly privateKey: KeyObject;
  /** PKCS#8 PEM of the private key. */
  readonly privateKeyPem: string;
  /** Hex upper case. */
  readonly sha1: string;
  readonly sha256: string;
  /** base64url of the digests: the `x5t` and `x5t#S256` header values. */
  readonly x5t: string;
  readonly x5tS256: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export async function makeCertificate(options: {
  subject?: string;
  bits?: number;
  notBefore?: Date;
  notAfter?: Date;
  algorithm?: 'RSASSA-PKCS1-v1_5' | 'ECDSA';
  /** Big-endian bytes; 65537 unless given. */
  publicExponent?: Uint8Array;
} = {}): Promise<TestCertificate> {
  const algorithm = options.algorithm === 'ECDSA'
    ? { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
    : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: options.publicExponent ?? new Uint8Array([1, 0, 1]), modulusLength: options.bits ?? 2048 };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex'),
    name: `CN=${options.subject ?? 'portico-test-client'}`,
    notBefore: options.notBefore ?? new Date(now - DAY_MS),
    notAfter: options.notAfter ?? new Date(now + 365 * DAY_MS),
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
    signingAlgorithm: algorithm,
  });
  const der = Buffer.from(certificate.rawData);
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  const sha1 = createHash('sha1').update(der).digest();
  const sha256 = createHash('sha256').update(der).digest();
  return {
    pem: certificate.toString('pem'),
    derBase64: der.toString('base64'),
    privateKey,
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    sha1: sha1.toString('hex').toUpperCase(),
    sha256: sha256.toString('hex').toUpperCase(),
    x5t: sha1.toString('base64url'),
    x5tS256: sha256.toString('base64url'),
  };
}
