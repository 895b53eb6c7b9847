import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import type { SecretBox } from '../../shared/index.js';
import type { SigningKeyRecord } from '../directory/directory-store.js';

export const SIGNING_ALG = 'RS256';

/** A fresh RS256 2048-bit key; kid = RFC 7638 thumbprint; the private PKCS#8 PEM sealed at rest. */
export async function generateSigningKey(secretBox: SecretBox, createdAt: Date, activatesAt: Date): Promise<SigningKeyRecord> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { extractable: true, modulusLength: 2048 });
  const { kty, n, e } = await exportJWK(publicKey);
  if (kty !== 'RSA' || !n || !e) throw new Error('unexpected public key export');
  const publicJwk = { kty, n, e };
  return {
    kid: await calculateJwkThumbprint(publicJwk, 'sha256'),
    privateKeyEncrypted: secretBox.seal(await exportPKCS8(privateKey)),
    publicJwk: JSON.stringify(publicJwk),
    createdAt: createdAt.toISOString(),
    activatesAt: activatesAt.toISOString(),
    retiresAt: null,
  };
}
