// The yardstick for the token endpoint: the least a client-credentials endpoint can do in Node.
// node:http, the form parsed with URLSearchParams, the client's secret checked as SHA-256 +
// timingSafeEqual against one stored digest, one RS256 JWT (2048-bit key) signed with jose with
// the claims Portico issues, and the same JSON answer and headers. No store, no logging, no checks
// beyond that. Run as its own process by bench/token.mjs; prints its URL on the first line.
// Env: CLIENT_ID, CLIENT_SECRET (only its digest is kept), AUDIENCE, ISSUER, TENANT_ID, PORT (0).
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { generateKeyPair, SignJWT } from 'jose';

const { CLIENT_ID, CLIENT_SECRET, AUDIENCE, ISSUER, TENANT_ID } = process.env;
const digest = createHash('sha256').update(CLIENT_SECRET).digest();
const objectId = randomUUID();
const kid = randomBytes(32).toString('base64url');
const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
const LIFETIME = 3599;

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', async () => {
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const secret = createHash('sha256').update(form.get('client_secret') ?? '').digest();
    if (form.get('grant_type') !== 'client_credentials' || form.get('client_id') !== CLIENT_ID || !timingSafeEqual(secret, digest)) {
      res.writeHead(401, { 'content-type': 'application/json; charset=utf-8' }).end('{"error":"invalid_client"}');
      return;
    }
    const iat = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({
      aud: AUDIENCE, iss: ISSUER, iat, nbf: iat, exp: iat + LIFETIME, azp: CLIENT_ID, azpacr: '1',
      oid: objectId, sub: objectId, tid: TENANT_ID, roles: ['Service.Contributor'],
      uti: randomBytes(16).toString('base64url'), ver: '2.0', idtyp: 'app',
    }).setProtectedHeader({ typ: 'JWT', alg: 'RS256', kid }).sign(privateKey);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store, no-cache', pragma: 'no-cache' })
      .end(JSON.stringify({ token_type: 'Bearer', expires_in: LIFETIME, ext_expires_in: LIFETIME, access_token: token }));
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
