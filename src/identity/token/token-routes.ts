import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../../errors/index.js';
import { noStore, sendEntraError } from '../http/entra-error.js';
import { runTokenEndpoint } from './token-endpoint.js';
import type { TokenDeps } from './token-context.js';
import { FailureThrottle } from './failure-throttle.js';
import { parseBasicCredentials } from './client-auth/basic-credentials.js';

/**
 * Failed authentications of one client id from one address allowed per minute before 429. Keyed by
 * both, so failing on purpose cannot shut a client out from everywhere; unknown client ids are not
 * counted at all (there is nothing to guess, and counting them would let one caller block others).
 * Secrets are 256-bit random, so this limits load and noise rather than guessing.
 */
const FAILURES_PER_CLIENT = 20;
const THROTTLE_WINDOW_MS = 60_000; // one minute
/** The codes that mean "wrong credentials for a client that exists". */
const CREDENTIAL_FAILURES = new Set([7000215, 7000222, 7000218]);

/** A client-credentials request is a few hundred bytes; 64 KiB leaves room for assertions. */
export const TOKEN_BODY_LIMIT = 64 * 1024; // bytes

/** Registers `POST /{tenant}/oauth2/v2.0/token` in its own scope, with its own body parsing and errors. */
export async function registerTokenRoutes(app: FastifyInstance, deps: TokenDeps, bodyLimit: number): Promise<void> {
  const limit = Math.min(bodyLimit, TOKEN_BODY_LIMIT);
  // Take every body as raw bytes; parseForm decides what is acceptable, so the answer is Entra's, not Fastify's.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: limit }, (_request, body, done) => done(null, body));
  app.setErrorHandler((error, request, reply) => tokenError(error, request, reply, deps));
  const perClient = new FailureThrottle(FAILURES_PER_CLIENT, THROTTLE_WINDOW_MS);

  app.post<{ Params: { tenant: string } }>('/:tenant/oauth2/v2.0/token', { bodyLimit: limit }, async (request, reply) => {
    const body = Buffer.isBuffer(request.body) ? request.body : undefined;
    const clientKey = `client:${claimedClientId(body, request.headers.authorization)}@${request.ip}`;
    const wait = perClient.retryAfter(clientKey);
    if (wait !== undefined) {
      reply.header('Retry-After', String(wait));
      throw new OAuthError(90055, `Too many failed client authentications. Retry after ${wait} seconds.`);
    }
    // Counted before the await, so parallel attempts cannot all slip under the limit; forgiven
    // when the attempt turns out not to be a credential failure.
    perClient.recordFailure(clientKey);
    try {
      const sent = await issue(request, reply, body);
      perClient.forgive(clientKey);
      return sent;
    } catch (error) {
      if (!(error instanceof OAuthError && CREDENTIAL_FAILURES.has(error.aadsts))) perClient.forgive(clientKey);
      throw error;
    }
  });

  async function issue(request: FastifyRequest<{ Params: { tenant: string } }>, reply: FastifyReply, body: Buffer | undefined): Promise<FastifyReply> {
    const response = await runTokenEndpoint({
      tenant: request.params.tenant,
      contentType: request.headers['content-type'],
      authorization: request.headers.authorization,
      body,
      log: request.log,
    }, deps);
    return noStore(reply).type('application/json; charset=utf-8').send(response);
  }
}

/** The client id the request claims (body or Basic header), only to key the throttle; never trusted. */
function claimedClientId(body: Buffer | undefined, authorization: string | undefined): string {
  try {
    const fromBody = body ? new URLSearchParams(body.toString('utf8')).get('client_id') : null;
    return (fromBody ?? parseBasicCredentials(authorization)?.clientId ?? '').toLowerCase().slice(0, 100);
  } catch {
    return '';
  }
}

function tokenError(error: unknown, request: FastifyRequest, reply: FastifyReply, deps: TokenDeps): FastifyReply {
  let oauth: OAuthError;
  if (error instanceof OAuthError) {
    oauth = error;
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
