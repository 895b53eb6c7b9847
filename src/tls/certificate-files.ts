import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { AppError } from '../errors/index.js';

/** A server certificate (chain) and its private key, as PEM text ready for https.createServer. */
export interface ServerCertificate {
  readonly cert: string;
  readonly key: string;
}

/**
 * Reads and checks the operator's certificate and key, so a mistake stops the start with a message
 * naming the file instead of failing every TLS handshake later.
 */
export async function loadCertificateFiles(certFile: string, keyFile: string, now: Date = new Date()): Promise<ServerCertificate> {
  const cert = await readPem(certFile, 'PORTICO_TLS_CERT, --tls-cert', 'certificate');
  const key = await readPem(keyFile, 'PORTICO_TLS_KEY, --tls-key', 'private key');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch {
    throw invalid(`The TLS certificate file ${certFile} (PORTICO_TLS_CERT, --tls-cert) does not hold a PEM certificate ("-----BEGIN CERTIFICATE-----").`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw invalid(`The TLS key file ${keyFile} (PORTICO_TLS_KEY, --tls-key) does not hold an unencrypted PEM private key ("-----BEGIN PRIVATE KEY-----"). Encrypted keys are not supported.`);
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw invalid(`The TLS key file ${keyFile} does not belong to the certificate in ${certFile} (the first certificate in the file must be the server's own).`);
  }
  if (Date.parse(leaf.validTo) <= now.getTime()) {
    throw invalid(`The TLS certificate in ${certFile} expired on ${new Date(leaf.validTo).toISOString()}. Renew it.`);
  }
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw invalid(`The TLS certificate ${certFile} and key ${keyFile} cannot be used together: ${(error as Error).message}.`);
  }
  return { cert, key };
}

async function readPem(path: string, setting: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'there is no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw invalid(`Cannot read the TLS ${what} file ${path} (${setting}): ${reason}.`);
  }
}

function invalid(message: string): AppError {
  return new AppError('ERR_CONFIG_INVALID', message);
}
