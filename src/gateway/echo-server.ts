import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { readLimitedBody } from '../shared/read-body.js';
import { errorBody } from './errors.js';

const MAX_BODY_BYTES = 1_048_576; // 1 MiB: the echo backend is a sample, not a file store

/**
 * The sample backend behind the built-in Echo API: answers any method and path with 200 and
 * `{method, path, query, headers, body}` as JSON (HEAD: the same headers, no body).
 */
export function createEchoServer(logger: Logger): Server {
  const log = logger.child({ component: 'echo' });
  const server = createServer((req, res) => {
    readLimitedBody(req, MAX_BODY_BYTES)
      .then((body) => {
        if (body === undefined) return send(res, 413, errorBody(413, 'Request body is larger than 1 MiB.'));
        send(res, 200, JSON.stringify(echo(req, body)), req.method === 'HEAD');
      })
      .catch((err: unknown) => {
        log.debug({ err: (err as Error)?.message }, 'echo request failed');
        if (!res.headersSent) send(res, 400, errorBody(400, 'Bad request.'));
      });
  });
  server.keepAliveTimeout = 65_000; // ms; longer than the gateway pool's idle time, so the pool closes first
  return server;
}

function echo(req: IncomingMessage, body: Buffer): Record<string, unknown> {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(q === -1 ? '' : target.slice(q + 1))) {
    const previous = query[name];
    query[name] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return {
    method: req.method,
    path: q === -1 ? target : target.slice(0, q),
    query,
    headers: req.headers,
    body: body.toString('utf8'),
  };
}

function send(res: ServerResponse, status: number, body: string, headOnly = false): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(headOnly ? undefined : body);
}
