import type { ServerResponse } from 'node:http';
import { requestIdOfResponse } from './observability/request-id.js';

/** APIM's gateway error messages, verbatim where APIM's wording is known (apim-reference §3.2). */
export const GatewayMessages = {
  notFound: 'Resource not found',
  keyMissing: 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
  keyInvalid: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.',
  tokenMissing: 'Access denied due to missing access token. Make sure to include an access token in the Authorization header when making requests to an API.',
  tokenOrKeyMissing:
    'Access denied due to missing access token or subscription key. Make sure to include an access token in the Authorization header or a subscription key when making requests to an API.',
  tokenInvalid:
    'Access denied due to invalid access token. Make sure to provide a valid token for a client application that has access to this API.',
  noBackend: 'The API has no backend service URL configured.',
  backendTimeout: 'Backend did not respond in time.',
  backendUnreachable: 'Backend is unreachable.',
  badRequest: 'Bad request.',
  headersTooLarge: 'Request header fields too large.',
  requestTimeout: 'Request timeout.',
  internal: 'Internal server error.',
  configurationStale: 'Service unavailable: the gateway could not bring its configuration up to date. Try again shortly.',
  countersUnavailable: 'Service unavailable: the rate limit and quota counters cannot be reached. Try again shortly.',
} as const;

export type ExtraHeaders = Readonly<Record<string, string | readonly string[]>>;

/** The body every gateway error has: `{"statusCode":n,"message":"…"}` as application/json. */
export function errorBody(status: number, message: string): string {
  return JSON.stringify({ statusCode: status, message });
}

export function sendGatewayError(res: ServerResponse, status: number, message: string, headers: ExtraHeaders = {}): void {
  const body = errorBody(status, message);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  // Every answer carries the request id (the proxy adds it to backend answers itself).
  const requestId = requestIdOfResponse(res);
  if (requestId !== undefined) res.setHeader('x-request-id', requestId);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
