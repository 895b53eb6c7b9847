import type { IncomingMessage } from 'node:http';
import { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id.js';

const pathOf = (request: FastifyRequest): string => request.url.split('?')[0] ?? '';

/**
 * Fastify's request log lines print the whole URL; a careless client may put client_secret in the
 * query string, so only the path is logged (secrets never reach the log).
 */
export class PathOnlyLogController extends LogController {
  override incomingRequest(request: FastifyRequest, _reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    request.log.info({ method: request.method, path: pathOf(request), remoteAddress: request.ip }, 'incoming request');
  }

  override routeNotFound(request: FastifyRequest, _reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    request.log.info(`Route ${request.method}:${pathOf(request)} not found`);
  }

  override defaultErrorLog(error: Error, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const fields = { method: request.method, path: pathOf(request), statusCode: reply.statusCode, err: error };
    if (reply.statusCode >= 500) reply.log.error(fields, 'request failed');
    else reply.log.info(fields, error.message);
  }
}

/**
 * Fastify options for Portico's request-id scheme (shared/request-id.ts): the caller's sane
 * `x-request-id` or a new UUID becomes `request.id`, which Fastify logs as `reqId`. Fastify's own
 * header option stays off: it would take the caller's value unchecked.
 */
export const REQUEST_ID_OPTIONS = {
  requestIdHeader: false,
  genReqId: (req: IncomingMessage): string => requestIdOf(req.headers[REQUEST_ID_HEADER]),
} as const;

/** Every answer of the app (errors and 404s included) carries its request id as `x-request-id`. */
export function returnRequestId(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
}
