import 'reflect-metadata'; // @peculiar/x509 needs it loaded first
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { CryptoKey } from 'jose';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type GeneratorKeys = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'];

/** Subject and issuer of every key's certificate; Entra's say `CN=accounts.accesscontrol.windows.net`. */
const SUBJECT = 'CN=Portico token signing';
/**
 * The certificate only carries the public key into `x5c` (verifiers do not chain-validate JWKS
 * certificates), but a verifier that does look at the dates should never see an expired one while
 * the key is published: a key is published for at most its rotation period (≤ 365 days) plus the
 * time its tokens need to expire, far less than this.
 */
const VALIDITY_MS = 5 * 365 * 24 * 3_600_000; // five years
/** notBefore a little in the past, for verifiers whose clocks lag. */
const BACKDATE_MS = 5 * 60_000; // five minutes

export interface KeyCertificate {
  /** base64 DER: the JWKS `x5c` entry. */
  readonly certificate: string;
  /** base64url SHA-1 of the DER (27 characters): the JWKS `x5t`, and the key's kid. */
  readonly thumbprint: string;
}

/** A self-signed certificate (SHA-256 with RSA) for a token-signing key pair, as Entra publishes with each key. */
export async function createKeyCertificate(keys: { privateKey: CryptoKey; publicKey: CryptoKey }, issuedAt: Date): Promise<KeyCertificate> {
  const serial = randomBytes(16);
  serial[0]! &= 0x7f; // a positive serial number (RFC 5280 §4.1.2.2)
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: SUBJECT,
    notBefore: new Date(issuedAt.getTime() - BACKDATE_MS),
    notAfter: new Date(issuedAt.getTime() + VALIDITY_MS),
    keys: keys as unknown as GeneratorKeys,
    signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    ],
  });
  const der = Buffer.from(cert.rawData);
  return { certificate: der.toString('base64'), thumbprint: certificateThumbprint(der) };
}

/** The x5t of a DER certificate: base64url SHA-1 (RFC 7517 §4.8). */
export function certificateThumbprint(der: Uint8Array): string {
  return createHash('sha1').update(der).digest('base64url');
}
