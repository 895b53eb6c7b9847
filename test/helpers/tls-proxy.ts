/**
 * A TLS-terminating reverse proxy for tests: https in front, plain http to one target origin, the
 * path and query passed through unchanged — what nginx or a cloud load balancer does in front of
 * Portico. It listens before Portico starts (so its URL can be Portico's public URL) and is pointed
 * at Portico's listener afterwards with `setTarget`.
 */
import { createServer, type Server } from 'node:https';
import { request as httpRequest } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureLocalCertificates } from '../../src/tls/index.js';

export interface TlsProxy {
  /** `https://localhost:<port>`: what clients use, and what Portico is told to advertise. */
  readonly url: string;
  setTarget(origin: string): void;
  close(): Promise<void>;
}

export interface ProxyCertificate {
  readonly cert: string;
  readonly key: string;
  /** PEM of the CA that signed `cert`, for clients' trust. */
  readonly ca: string;
  readonly caPath: string;
  readonly bundlePath: string;
  drop(): Promise<void>;
}

/** A CA and a localhost certificate in a temporary directory (the same code as `--tls local`). */
export async function makeProxyCertificate(): Promise<ProxyCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'portico-proxy-tls-'));
  const local = await ensureLocalCertificates(dir);
  const { readFile } = await import('node:fs/promises');
  return {
    cert: local.cert,
    key: local.key,
    ca: await readFile(local.paths.caCertificate, 'utf8'),
    caPath: local.paths.caCertificate,
    bundlePath: local.paths.caBundle,
    drop: () => rm(dir, { recursive: true, force: true }),
  };
}

export async function startTlsProxy(certificate: Pick<ProxyCertificate, 'cert' | 'key'>): Promise<TlsProxy> {
  let target: URL | undefined;
  const server: Server = createServer({ cert: certificate.cert, key: certificate.key }, (req, res) => {
    if (target === undefined) {
      res.writeHead(502).end('proxy target not set');
      return;
    }
    const headers = { ...req.headers, host: target.host, 'x-forwarded-proto': 'https', 'x-forwarded-host': req.headers.host ?? '' };
    const upstream = httpRequest({ hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://localhost:${port}`,
    setTarget(origin) {
      target = new URL(origin);
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
