import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, StoreError } from '../../errors/index.js';

export interface ArmErrorOptions {
  /** The tenant's authority (`{identity}/{tenant}`), named in 401 challenges as ARM does, so clients can find where to get a token. */
  readonly authorizationUri: string;
  /** The configured body limit, quoted in 413 answers so the caller knows how far over it is. */
  readonly bodyLimit: number;
}

export type ArmErrorHandler = (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => void;

/** Maps any error to ARM's `{error:{code,message,details}}` once; 5xx bodies never carry internals. */
export function armErrorHandler(options: ArmErrorOptions): ArmErrorHandler {
  return (error, request, reply) => {
    const app = toAppError(error, options);
    if (app.status >= 500) request.log.error({ err: error }, 'management request failed');
    if (app.code === 'AuthenticationFailed') {
      // Our messages hold no '"' or '\', so they fit in a quoted-string as is.
      reply.header('WWW-Authenticate', `Bearer authorization_uri="${options.authorizationUri}", error="invalid_token", error_description="${quoted(app.message)}"`);
    }
    const body: { code: string; message: string; details?: unknown } = {
      code: app.code,
      message: app.expose ? app.message : 'The request failed because of an internal error. The server log has the details.',
    };
    if (app.expose && app.details.length > 0) body.details = app.details;
    // APIM's own answers (the request reached the service's resources) always carry `details`, null
    // when there are none (`{"code":"ResourceNotFound","message":"Api not found.","details":null}`);
    // ARM's front door (authentication, api-version, unknown paths) leaves it out.
    else if (request.reachedService) body.details = null;
    void reply.status(app.status).type('application/json; charset=utf-8').send({ error: body });
  };
}

function toAppError(error: unknown, options: ArmErrorOptions): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof StoreError && error.code === 'STORE_NOT_FOUND') return new AppError('ResourceNotFound', 'The resource was not found.');
  if (error instanceof StoreError && error.code === 'STORE_CONFLICT') return new AppError('Conflict', 'The request conflicts with an existing resource.');
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PayloadTooLarge', `The request body is larger than the limit of ${options.bodyLimit} bytes.`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UnsupportedMediaType', "Send the request body as JSON with 'Content-Type: application/json'.");
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('InvalidRequestContent', 'The request body is not valid JSON.');
  }
  if (error instanceof SyntaxError && (fastifyError.statusCode ?? 0) === 400) return new AppError('InvalidRequestContent', 'The request body is not valid JSON.');
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode < 500) return new AppError('InvalidRequestContent', fastifyError.message ?? 'Bad request.');
  return new AppError('InternalServerError', 'Internal error', [], { cause: error });
}

/** A quoted-string for a header parameter: no CR/LF, quotes and backslashes escaped. */
function quoted(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/["\\]/g, '\\$&');
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once the request passed ARM's checks (token, service path, api-version) and is APIM's to answer. */
    reachedService: boolean;
  }
}
