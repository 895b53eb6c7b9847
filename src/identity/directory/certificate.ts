import { X509Certificate, createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import { invalidProperty } from './validate.js';

/** RSA keys shorter than this are refused (Entra's minimum for certificate credentials). */
export const MIN_RSA_BITS = 2048;
/** As large as keys commonly get; verification cost grows with the modulus. */
const MAX_RSA_BITS = 8192;
/** The exponents real keys use are 3, 17 and 65537. */
const MAX_RSA_PUBLIC_EXPONENT = 65537n;
/** A certificate is a few KiB; anything much larger is not one. */
export const MAX_CERTIFICATE_BYTES = 16 * 1024;

export interface ParsedCertificate {
  /** The certificate, base64 DER. */
  readonly der: string;
  /** Hex upper case, as Graph shows customKeyIdentifier. */
  readonly thumbprintSha1: string;
  readonly thumbprintSha256: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly publicKey: KeyObject;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const BASE64 = /^[A-Za-z0-9+/\s]+={0,2}\s*$/;

/**
 * Reads a public certificate given as Graph's `key` (base64 of the DER, or of a PEM file) or as PEM
 * text, with node:crypto's X509Certificate, and checks it can serve as a credential: exactly one
 * X.509 certificate, no private key, an RSA key of at least 2048 bits, not expired at `now`.
 * Failures are Request_BadRequest errors naming `property` and saying what to upload instead.
 */
export function parseCertificate(input: unknown, property: string, resource: string, now: Date): ParsedCertificate {
  const bad = (rule: string) => invalidProperty(property, resource, rule);
  if (typeof input !== 'string' || input.trim() === '') throw bad('it must be the certificate: base64 of its DER encoding, or PEM.');
  if (input.length > MAX_CERTIFICATE_BYTES * 2) throw bad(`the certificate is larger than ${MAX_CERTIFICATE_BYTES / 1024} KiB.`);

  let der: Buffer;
  const text = input.includes('-----BEGIN') ? input : decodedPem(input);
  if (text !== undefined) {
    der = derFromPem(text, bad);
  } else {
    if (!BASE64.test(input)) throw bad('it is neither base64 nor PEM. Send the certificate as base64 of its DER encoding.');
    der = Buffer.from(input.replace(/\s+/g, ''), 'base64');
  }
  if (der.length === 0 || der.length > MAX_CERTIFICATE_BYTES) throw bad(`the certificate must be between 1 byte and ${MAX_CERTIFICATE_BYTES / 1024} KiB.`);

  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(der);
  } catch {
    if (isPrivateKeyDer(der)) throw privateKeyGiven(bad);
    throw bad('it is not an X.509 certificate. Upload the public certificate (.cer, .crt or .pem), not a key or a PKCS#12 (.pfx) file.');
  }

  const publicKey = certificate.publicKey;
  const bits = publicKey.asymmetricKeyDetails?.modulusLength;
  if (publicKey.asymmetricKeyType !== 'rsa') {
    throw bad(`the certificate's key is ${publicKey.asymmetricKeyType ?? 'of an unknown type'}; only RSA keys (at least ${MIN_RSA_BITS} bits) are accepted.`);
  }
  if (bits === undefined || bits < MIN_RSA_BITS) throw bad(`the certificate's RSA key has ${bits ?? 'an unknown number of'} bits; at least ${MIN_RSA_BITS} are required.`);
  // Bounded above too: anyone who knows the thumbprint can make Portico verify against this key,
  // and a huge modulus or public exponent makes each verification cost milliseconds instead of microseconds.
  if (bits > MAX_RSA_BITS) throw bad(`the certificate's RSA key has ${bits} bits; at most ${MAX_RSA_BITS} are accepted.`);
  const exponent = publicKey.asymmetricKeyDetails?.publicExponent;
  if (exponent === undefined || exponent > MAX_RSA_PUBLIC_EXPONENT) throw bad('the certificate\'s RSA public exponent is unusually large; use a standard key (exponent 65537).');

  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) throw bad('the certificate\'s validity dates cannot be read.');
  if (notAfter.getTime() <= now.getTime()) throw bad(`the certificate expired on ${notAfter.toISOString()}. Upload a certificate that is still valid.`);

  return {
    der: der.toString('base64'),
    thumbprintSha1: createHash('sha1').update(der).digest('hex').toUpperCase(),
    thumbprintSha256: createHash('sha256').update(der).digest('hex').toUpperCase(),
    notBefore,
    notAfter,
    publicKey,
  };
}

/** base64 of a PEM file (what `base64 cert.pem` gives) is decoded to its text; undefined otherwise. */
function decodedPem(input: string): string | undefined {
  if (!BASE64.test(input)) return undefined;
  const text = Buffer.from(input.replace(/\s+/g, ''), 'base64').toString('latin1');
  return text.includes('-----BEGIN') ? text : undefined;
}

function derFromPem(text: string, bad: (rule: string) => Error): Buffer {
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.some((block) => block[1]!.includes('PRIVATE KEY'))) throw privateKeyGiven(bad);
  const certificates = blocks.filter((block) => block[1] === 'CERTIFICATE');
  if (certificates.length === 0) throw bad('the PEM text holds no CERTIFICATE block. Upload the public certificate.');
  if (certificates.length > 1) throw bad('the PEM text holds more than one certificate; upload only the application\'s own certificate, not a chain.');
  const body = certificates[0]![2]!.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw bad('the PEM CERTIFICATE block is not valid base64.');
  return Buffer.from(body, 'base64');
}

function isPrivateKeyDer(der: Buffer): boolean {
  for (const type of ['pkcs8', 'pkcs1'] as const) {
    try {
      createPrivateKey({ key: der, format: 'der', type });
      return true;
    } catch {
      // not this encoding
    }
  }
  return false;
}

function privateKeyGiven(bad: (rule: string) => Error): Error {
  return bad('it contains a private key. Upload only the public certificate; the private key never leaves the client.');
}
