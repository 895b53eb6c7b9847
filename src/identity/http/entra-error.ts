import type { FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../../errors/index.js';
import { newGuid } from '../../shared/index.js';
import type { IdentityUrls } from '../identity-urls.js';
import { isGuid } from '../directory/validate.js';

/** Entra's timestamp format: `yyyy-MM-dd HH:mm:ssZ`. */
export function entraTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/**
 * Entra echoes the caller's `client-request-id` (header, or MSAL's query parameter) as the
 * correlation id, so a failed call can be found in both sides' logs.
 */
export function correlationId(request: FastifyRequest): string {
  const header = request.headers['client-request-id'];
  if (isGuid(header)) return header;
  const query = (request.query as Record<string, unknown> | undefined)?.['client-request-id'];
  return isGuid(query) ? query : newGuid();
}

/** correlationId for a raw request: the header, else the raw query string's parameter. */
export function correlationIdFrom(header: string | string[] | undefined, query: string): string {
  if (isGuid(header)) return header;
  const fromQuery = query === '' ? null : new URLSearchParams(query).get('client-request-id');
  return isGuid(fromQuery) ? fromQuery : newGuid();
}

export interface EntraErrorBody {
  readonly error: string;
  readonly error_description: string;
  readonly error_codes: readonly number[];
  readonly timestamp: string;
  readonly trace_id: string;
  readonly correlation_id: string;
  readonly error_uri: string;
}

export function entraErrorBody(err: OAuthError, traceId: string, correlation: string, urls: IdentityUrls, now: Date): EntraErrorBody {
  const timestamp = entraTimestamp(now);
  return {
    error: err.error,
    error_description: `${err.code}: ${err.description} Trace ID: ${traceId} Correlation ID: ${correlation} Timestamp: ${timestamp}`,
    // A Portico code is no AADSTS number: clients that read error_codes find none rather than a wrong one.
    error_codes: typeof err.aadsts === 'number' ? [err.aadsts] : [],
    timestamp,
    trace_id: traceId,
    correlation_id: correlation,
    error_uri: urls.errorUri(err.aadsts),
  };
}

/** Token responses must never be cached (RFC 6749 §5.1); Entra sends both directives plus Pragma. */
export function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store, no-cache').header('pragma', 'no-cache');
}

/** No Retry-After on 4xx: MSAL would cache and replay the failure without calling again. */
export function sendEntraError(request: FastifyRequest, reply: FastifyReply, err: OAuthError, urls: IdentityUrls, now: Date): FastifyReply {
  return noStore(reply)
    .code(err.status)
    .type('application/json; charset=utf-8')
    .send(entraErrorBody(err, request.id, correlationId(request), urls, now));
}
