import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type AppErrorCode } from '../../errors/index.js';

/** Graph's error body: `{error:{code, message, innerError:{date, request-id, client-request-id}}}`. */
export function graphErrorBody(code: string, message: string, request: FastifyRequest, now: Date) {
  const clientRequestId = request.headers['client-request-id'];
  return {
    error: {
      code,
      message,
      innerError: {
        date: now.toISOString().slice(0, 19),
        'request-id': request.id,
        'client-request-id': typeof clientRequestId === 'string' ? clientRequestId.slice(0, 128) : request.id,
      },
    },
  };
}

export function sendGraphError(request: FastifyRequest, reply: FastifyReply, error: AppError, now: Date): FastifyReply {
  return reply.code(error.status).send(graphErrorBody(error.code, error.message, request, now));
}

/** Maps anything thrown in the Graph scope to a Graph error; 5xx causes go to the log only. */
export function toGraphError(error: unknown, request: FastifyRequest): AppError {
  if (error instanceof AppError && error.expose) return error;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code: AppErrorCode = status === 413 ? 'PayloadTooLarge' : status === 415 ? 'UnsupportedMediaType' : 'Request_BadRequest';
    const message = status === 413 ? 'The request body is too large.'
      : status === 415 ? 'The request body must be application/json.'
        : 'The request body is not valid JSON.';
    return new AppError(code, message);
  }
  request.log.error({ err: error }, 'directory API request failed');
  return new AppError('InternalServerError', 'An unexpected error occurred. The server log has the details.');
}
