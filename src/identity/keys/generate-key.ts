import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import type { SecretBox } from '../../shared/index.js';
import type { SigningKeyRecord } from '../directory/directory-store.js';
import { createKeyCertificate } from './key-certificate.js';

export const SIGNING_ALG = 'RS256';

/**
 * A fresh RS256 2048-bit key with a self-signed certificate; kid = the certificate's x5t, as
 * Entra's keys have. The private PKCS#8 PEM is sealed at rest.
 */
export async function generateSigningKey(secretBox: SecretBox, createdAt: Date, activatesAt: Date): Promise<SigningKeyRecord> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { extractable: true, modulusLength: 2048 });
  const { kty, n, e } = await exportJWK(publicKey);
  if (kty !== 'RSA' || !n || !e) throw new Error('unexpected public key export');
  const { certificate, thumbprint } = await createKeyCertificate({ privateKey, publicKey }, createdAt);
  return {
    kid: thumbprint,
    privateKeyEncrypted: secretBox.seal(await exportPKCS8(privateKey)),
    publicJwk: JSON.stringify({ kty, n, e }),
    createdAt: createdAt.toISOString(),
    activatesAt: activatesAt.toISOString(),
    retiresAt: null,
    certificate,
  };
}
