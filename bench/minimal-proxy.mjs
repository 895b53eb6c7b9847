// The yardstick: a minimal reverse proxy, node:http in front of one undici Pool (keep-alive) to
// BACKEND, bodies streamed both ways with undici's stream(), nothing else (no routing, no auth, no
// logging; only the headers HTTP forbids a proxy to forward are dropped). Prints its URL on stdout.
// With GATEWAY_HEADERS=1 it also adds what every gateway adds, and nothing more: X-Forwarded-For,
// -Proto and -Host and a fresh X-Request-Id to the backend request, the X-Request-Id back to the
// caller — the same bytes Portico sends and returns, so a ratio against it leaves out the cost of
// the headers and counts what Portico does besides (routing, credentials, limits, log, metrics).
// Run: BACKEND=http://127.0.0.1:9000 node bench/minimal-proxy.mjs
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Pool } from 'undici';

const gatewayHeaders = process.env.GATEWAY_HEADERS === '1';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection', 'expect']);
const pool = new Pool(process.env.BACKEND, { keepAliveTimeout: 30_000 });

function withoutHopByHop(headers, skipHost) {
  const out = {};
  for (const name in headers) if (!HOP_BY_HOP.has(name) && !(skipHost && name === 'host')) out[name] = headers[name];
  return out;
}

const server = createServer((req, res) => {
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  const headers = withoutHopByHop(req.headers, true);
  const requestId = gatewayHeaders ? randomUUID() : undefined;
  if (requestId !== undefined) {
    headers['x-forwarded-for'] = req.socket.remoteAddress;
    headers['x-forwarded-proto'] = 'http';
    headers['x-forwarded-host'] = req.headers.host;
    headers['x-request-id'] = requestId;
  }
  pool.stream(
    { path: req.url, method: req.method, headers, body: hasBody ? req : null },
    ({ statusCode, headers }) => {
      const out = withoutHopByHop(headers, false);
      if (requestId !== undefined) out['x-request-id'] = requestId;
      res.writeHead(statusCode, out);
      return res;
    },
    (err) => {
      if (!err) return;
      if (res.headersSent) res.destroy();
      else res.writeHead(502).end();
    },
  );
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
