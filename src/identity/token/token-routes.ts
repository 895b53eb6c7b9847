import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../../errors/index.js';
import { noStore, sendEntraError } from '../http/entra-error.js';
import { runTokenEndpoint } from './token-endpoint.js';
import type { TokenDeps } from './token-context.js';
import { TooManyFailuresError } from './client-auth/client-throttle.js';

/** A client-credentials request is a few hundred bytes; 64 KiB leaves room for assertions. */
export const TOKEN_BODY_LIMIT = 64 * 1024; // bytes

/** Registers `POST /{tenant}/oauth2/v2.0/token` in its own scope, with its own body parsing and errors. */
export async function registerTokenRoutes(app: FastifyInstance, deps: TokenDeps, bodyLimit: number): Promise<void> {
  const limit = Math.min(bodyLimit, TOKEN_BODY_LIMIT);
  // Take every body as raw bytes; parseForm decides what is acceptable, so the answer is Entra's, not Fastify's.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: limit }, (_request, body, done) => done(null, body));
  app.setErrorHandler((error, request, reply) => tokenError(error, request, reply, deps));

  app.post<{ Params: { tenant: string } }>('/:tenant/oauth2/v2.0/token', { bodyLimit: limit }, (request, reply) => issue(request, reply));

  async function issue(request: FastifyRequest<{ Params: { tenant: string } }>, reply: FastifyReply): Promise<FastifyReply> {
    const response = await runTokenEndpoint({
      tenant: request.params.tenant,
      contentType: request.headers['content-type'],
      authorization: request.headers.authorization,
      body: Buffer.isBuffer(request.body) ? request.body : undefined,
      clientAddress: request.ip,
      log: request.log,
    }, deps);
    return noStore(reply).type('application/json; charset=utf-8').send(response);
  }
}

function tokenError(error: unknown, request: FastifyRequest, reply: FastifyReply, deps: TokenDeps): FastifyReply {
  let oauth: OAuthError;
  if (error instanceof OAuthError) {
    oauth = error;
    if (error instanceof TooManyFailuresError) reply.header('Retry-After', String(error.retryAfterSeconds));
  } else if (isClientError(error)) {
    oauth = new OAuthError(90014, error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
      ? `The request body is larger than ${TOKEN_BODY_LIMIT / 1024} KiB.`
      : 'The request body could not be read as a form-encoded body.');
  } else {
    request.log.error({ err: error }, 'token endpoint failed');
    oauth = new OAuthError(50000, 'There was an error issuing a token. Try again later.');
  }
  if (oauth.status < 500) request.log.info({ aadsts: oauth.aadsts, error: oauth.error }, 'token request refused');
  return sendEntraError(request, reply, oauth, deps.urls, deps.now());
}

function isClientError(error: unknown): error is { code?: string; statusCode: number } {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}
