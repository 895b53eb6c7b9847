import 'reflect-metadata'; // @peculiar/x509's dependency injection needs it loaded first
import { X509Certificate as NodeCertificate, createPrivateKey, createPublicKey, randomBytes, webcrypto } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import * as x509 from '@peculiar/x509';
import type { ServerCertificate } from './certificate-files.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** ECDSA P-256: every TLS client supports it and keys are made in milliseconds. */
const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
const CA_VALIDITY_DAYS = 3650; // ten years: the CA is what people add to their trust stores
const SERVER_VALIDITY_DAYS = 90; // short, since it is renewed without anyone's help
/** A certificate with less than this left is replaced at start (and by the running renewal check). */
export const RENEW_BEFORE_DAYS = 30;
/** Names every local certificate covers, besides the hosts of the configured public URLs. */
export const LOCAL_NAMES = ['localhost', '127.0.0.1', '::1'] as const;

/** Where `--tls local` keeps its files, under `<data dir>/tls/`. */
export interface LocalTlsPaths {
  readonly dir: string;
  /** The CA certificate: what NODE_EXTRA_CA_CERTS points at. */
  readonly caCertificate: string;
  readonly caKey: string;
  readonly serverCertificate: string;
  readonly serverKey: string;
  /** The system's CAs plus Portico's, for tools whose CA setting replaces the system list (REQUESTS_CA_BUNDLE). */
  readonly caBundle: string;
}

export function localTlsPaths(dataDir: string): LocalTlsPaths {
  const dir = join(dataDir, 'tls');
  return {
    dir,
    caCertificate: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca-key.pem'),
    serverCertificate: join(dir, 'server.pem'),
    serverKey: join(dir, 'server-key.pem'),
    caBundle: join(dir, 'ca-bundle.pem'),
  };
}

export interface LocalCertificates extends ServerCertificate {
  readonly paths: LocalTlsPaths;
  /** When the server certificate was (re)made in this call, so the caller can say so. */
  readonly issued: boolean;
  readonly notAfter: Date;
}

/**
 * Makes (or reuses) a local certificate authority and a server certificate it signed for
 * localhost, 127.0.0.1, ::1 and `extraNames`. The CA survives restarts so that trusting it once
 * is enough; the server certificate is replaced when it nears its end, when the names change, or
 * when the CA changed. Keys are written with mode 0600.
 */
export async function ensureLocalCertificates(dataDir: string, extraNames: readonly string[] = [], now: Date = new Date()): Promise<LocalCertificates> {
  const paths = localTlsPaths(dataDir);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  const names = [...new Set([...LOCAL_NAMES, ...extraNames.map((n) => n.toLowerCase())])];

  let ca = await readCa(paths, now);
  const caIsNew = ca === undefined;
  ca ??= await createCa(paths, now);

  let server = caIsNew ? undefined : await readServer(paths, ca.certificate, names, now);
  const issued = server === undefined;
  server ??= await createServer(paths, ca, names, now);
  await writeBundle(paths);
  return { cert: server.certPem, key: server.keyPem, paths, issued, notAfter: server.notAfter };
}

interface Ca {
  readonly certificate: x509.X509Certificate;
  readonly privateKey: CryptoKey;
}

async function readCa(paths: LocalTlsPaths, now: Date): Promise<Ca | undefined> {
  if (!existsSync(paths.caCertificate) || !existsSync(paths.caKey)) return undefined;
  try {
    const certificate = new x509.X509Certificate(await readFile(paths.caCertificate, 'utf8'));
    if (certificate.notAfter.getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) return undefined;
    const keyPem = await readFile(paths.caKey, 'utf8');
    // A crash between writing the key and the certificate leaves a pair that does not match: start over.
    const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    const fromCertificate = new NodeCertificate(certificate.toString('pem')).publicKey.export({ type: 'spki', format: 'der' });
    if (!fromKey.equals(fromCertificate)) return undefined;
    const privateKey = await importPrivateKey(keyPem);
    return { certificate, privateKey };
  } catch {
    return undefined; // unreadable or damaged: make a new CA (people must trust it again)
  }
}

async function createCa(paths: LocalTlsPaths, now: Date): Promise<Ca> {
  const keys = await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']) as CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=Portico local CA ${now.toISOString().slice(0, 10)} ${randomBytes(3).toString('hex')}, O=Portico`,
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY_MS),
    signingAlgorithm: SIGNING_ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  await writePrivate(paths.caKey, await exportPrivateKey(keys.privateKey));
  await writePublic(paths.caCertificate, certificate.toString('pem'));
  return { certificate, privateKey: keys.privateKey };
}

interface Server {
  readonly certPem: string;
  readonly keyPem: string;
  readonly notAfter: Date;
}

async function readServer(paths: LocalTlsPaths, caCertificate: x509.X509Certificate, names: readonly string[], now: Date): Promise<Server | undefined> {
  if (!existsSync(paths.serverCertificate) || !existsSync(paths.serverKey)) return undefined;
  try {
    const certPem = await readFile(paths.serverCertificate, 'utf8');
    const keyPem = await readFile(paths.serverKey, 'utf8');
    const certificate = new NodeCertificate(certPem);
    const notAfter = new Date(certificate.validTo);
    const signedByCa = certificate.checkIssued(new NodeCertificate(caCertificate.toString('pem'))) && certificate.verify(new NodeCertificate(caCertificate.toString('pem')).publicKey);
    if (!signedByCa || notAfter.getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) return undefined;
    if (!sameNames(certificate.subjectAltName ?? '', names)) return undefined;
    return { certPem, keyPem, notAfter };
  } catch {
    return undefined;
  }
}

async function createServer(paths: LocalTlsPaths, ca: Ca, names: readonly string[], now: Date): Promise<Server> {
  const keys = await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']) as CryptoKeyPair;
  const notAfter = new Date(now.getTime() + SERVER_VALIDITY_DAYS * DAY_MS);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: 'CN=localhost, O=Portico',
    issuer: ca.certificate.subject,
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter,
    signingAlgorithm: SIGNING_ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: ca.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names.map((name) => (isIP(name) ? { type: 'ip' as const, value: name } : { type: 'dns' as const, value: name }))),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.certificate),
    ],
  });
  const keyPem = await exportPrivateKey(keys.privateKey);
  // The chain (server, then CA) so clients that trust only the CA can build the path.
  const certPem = `${certificate.toString('pem')}\n${ca.certificate.toString('pem')}\n`;
  await writePrivate(paths.serverKey, keyPem);
  await writePublic(paths.serverCertificate, certPem);
  return { certPem, keyPem, notAfter };
}

/** Node prints SANs as `DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1`. */
function sameNames(subjectAltName: string, wanted: readonly string[]): boolean {
  const present = new Set(subjectAltName.split(',').map((entry) => entry.trim().replace(/^(DNS|IP Address):/, '').toLowerCase()).map(canonicalIp));
  return wanted.length === present.size && wanted.every((name) => present.has(canonicalIp(name)));
}

function canonicalIp(value: string): string {
  if (isIP(value) !== 6) return value;
  try {
    return new URL(`http://[${value}]/`).hostname; // compresses 0:0:…:1 to [::1]
  } catch {
    return value;
  }
}

/**
 * The platform's CA list (the first file found, else Node's bundled Mozilla list) followed by
 * Portico's CA, rewritten at every start so it follows system updates.
 */
async function writeBundle(paths: LocalTlsPaths): Promise<void> {
  const systemFiles = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];
  let system: string | undefined;
  for (const file of systemFiles) {
    try {
      system = await readFile(file, 'utf8');
      break;
    } catch {
      // try the next place
    }
  }
  system ??= rootCertificates.join('\n');
  await writePublic(paths.caBundle, `${system.trimEnd()}\n${await readFile(paths.caCertificate, 'utf8')}`);
}

function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f; // positive, as RFC 5280 requires
  return bytes.toString('hex');
}

async function importPrivateKey(pem: string): Promise<CryptoKey> {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return webcrypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, false, ['sign']) as Promise<CryptoKey>;
}

async function exportPrivateKey(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').trimEnd()}\n-----END PRIVATE KEY-----\n`;
}

/** Temp file + rename, so a crash never leaves half a key; 0600 from the first byte. */
async function writePrivate(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await rm(temporary, { force: true }); // a leftover of a crash; 'wx' below never follows a planted link
  await writeFile(temporary, content, { mode: 0o600, flag: 'wx' });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

async function writePublic(path: string, content: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, content, { mode: 0o644 });
  await rename(temporary, path);
}
