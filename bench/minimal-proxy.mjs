// The yardstick: a minimal reverse proxy, node:http in front of one undici Pool (keep-alive) to
// BACKEND, bodies streamed both ways with undici's stream(), nothing else (no routing, no auth, no
// logging; only the headers HTTP forbids a proxy to forward are dropped). Prints its URL on stdout.
// Run: BACKEND=http://127.0.0.1:9000 node bench/minimal-proxy.mjs
import { createServer } from 'node:http';
import { Pool } from 'undici';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection', 'expect']);
const pool = new Pool(process.env.BACKEND, { keepAliveTimeout: 30_000 });

function withoutHopByHop(headers, skipHost) {
  const out = {};
  for (const name in headers) if (!HOP_BY_HOP.has(name) && !(skipHost && name === 'host')) out[name] = headers[name];
  return out;
}

const server = createServer((req, res) => {
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  pool.stream(
    { path: req.url, method: req.method, headers: withoutHopByHop(req.headers, true), body: hasBody ? req : null },
    ({ statusCode, headers }) => {
      res.writeHead(statusCode, withoutHopByHop(headers, false));
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
