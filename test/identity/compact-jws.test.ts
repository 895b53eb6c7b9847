/** The token endpoint's own RS256 signing: jose must verify what it makes, header and claims intact. */
import { decodeProtectedHeader, generateKeyPair, jwtVerify } from 'jose';
import { expect, test } from 'vitest';
import { encodedHeader, signCompactRs256 } from '../../src/identity/keys/compact-jws.js';

test('a token signed with the cached header verifies with jose and carries Entra\'s header', async () => {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const claims = { aud: 'a', iss: 'https://login.example/t/v2.0', exp: Math.floor(Date.now() / 1000) + 60, roles: ['Product.Starter.All'], name: 'Zoë 🚀' };
  const token = await signCompactRs256(encodedHeader('kid-1'), claims, privateKey);
  expect(decodeProtectedHeader(token)).toEqual({ typ: 'JWT', alg: 'RS256', kid: 'kid-1' });
  const { payload } = await jwtVerify(token, publicKey, { algorithms: ['RS256'], issuer: claims.iss, audience: 'a' });
  expect(payload).toEqual(claims);
  expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/); // base64url, no padding
});
