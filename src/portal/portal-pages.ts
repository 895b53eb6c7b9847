import { createReadStream, existsSync, statSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * dist/web, where `npm run build` (vite) puts the portals. This file runs from src/portal (tests)
 * or dist/portal (the built program); both are two folders below the checkout.
 */
export const DEFAULT_WEB_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'web');

/**
 * Scripts and styles only from this origin; Fluent UI (Griffel) inserts its CSS rules at run time,
 * which needs style-src 'unsafe-inline' (styles cannot run code). No framing, no plugins, no
 * <base> rewriting, forms post only here.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** First path segments that are APIs, never pages: an unknown path under them stays the API's 404. */
const API_SEGMENTS = new Set(['subscriptions', 'providers', 'portal', 'metadata', 'metrics', 'openapi.json', 'assets']);

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
};

/** Headers on every portal page and asset. */
export function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
    .header('X-Content-Type-Options', 'nosniff')
    .header('X-Frame-Options', 'DENY')
    .header('Referrer-Policy', 'same-origin');
}

/**
 * The portals' files: hashed assets at /assets/ (cached for a year: a new build has new names) and
 * each portal's index.html for the page paths its router owns (never cached, so a new build is
 * picked up at the next load).
 */
export class PortalPages {
  constructor(private readonly webRoot: string = DEFAULT_WEB_ROOT) {}

  register(app: FastifyInstance): void {
    app.get('/assets/:file', async (request, reply) => {
      const { file } = request.params as { file: string };
      const path = join(this.webRoot, 'assets', file);
      const type = CONTENT_TYPES[extname(file)];
      // Names are Vite's ([name]-[hash].ext): anything else (.., slashes, odd characters) is not ours.
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/.test(file) || type === undefined || !isFile(path)) {
        return securityHeaders(reply).status(404).type('text/plain; charset=utf-8').send('Not found');
      }
      return securityHeaders(reply)
        .header('Cache-Control', 'public, max-age=31536000, immutable')
        .type(type)
        .send(createReadStream(path));
    });
  }

  /**
   * Answers a GET for a page path no route matched with the portal's index.html (the router in the
   * page then shows the screen). A request that is not for a page (an API client, an asset) gets
   * false and so the API's own 404.
   */
  serveFallback(request: FastifyRequest, reply: FastifyReply): boolean {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const path = (request.url.split('?')[0] ?? '/').replace(/\/{2,}/g, '/');
    const first = path.split('/')[1]?.toLowerCase() ?? '';
    if (API_SEGMENTS.has(first)) return false;
    const portal = first === 'developer' ? 'developer' : 'admin';
    const root = path === '/' || path === '/developer' || path === '/developer/';
    if (!root && !String(request.headers.accept ?? '').includes('text/html')) return false;
    const page = join(this.webRoot, portal, 'index.html');
    securityHeaders(reply).header('Cache-Control', 'no-cache');
    if (!isFile(page)) {
      void reply.status(503).type('text/plain; charset=utf-8').send('The portal is not built. Run `npm run build` in the Portico checkout, then reload.');
      return true;
    }
    void reply.status(200).type('text/html; charset=utf-8').send(createReadStream(page));
    return true;
  }
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}
