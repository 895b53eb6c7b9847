import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

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
