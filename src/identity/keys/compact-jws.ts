import { webcrypto } from 'node:crypto';
import type { CryptoKey } from 'jose';

/**
 * The protected header of every access token a key signs, encoded once per key: Entra's v2 shape,
 * `{"typ":"JWT","alg":"RS256","kid":…}`.
 */
export function encodedHeader(kid: string): string {
  return Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid })).toString('base64url');
}

/**
 * An RS256 JWS in compact form: `header.payload.signature`. The token endpoint's one signature per
 * request, without jose's builder: with the header encoded once and Node's native base64url this
 * saves tens of microseconds of main-thread work per token (docs/benchmarks.md). The signature is
 * WebCrypto's RSASSA-PKCS1-v1_5 with SHA-256, the same primitive jose uses; jose verifies these
 * tokens in the tests and in every verifier.
 */
export async function signCompactRs256(header: string, claims: object, key: CryptoKey): Promise<string> {
  const signingInput = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signature = await webcrypto.subtle.sign('RSASSA-PKCS1-v1_5', key as webcrypto.CryptoKey, Buffer.from(signingInput));
  return `${signingInput}.${Buffer.from(signature).toString('base64url')}`;
}
