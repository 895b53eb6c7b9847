import type { ServerResponse } from 'node:http';

/**
 * The caller's `x-request-id` when it is sane, else a new UUID (the scheme every listener shares,
 * shared/request-id.ts). The gateway returns it to the caller, forwards it to the backend and
 * writes it in the access log.
 */
export { requestIdOf, MAX_REQUEST_ID_LENGTH } from '../../shared/request-id.js';

const kRequestId = Symbol('portico.requestId');
type Tagged = ServerResponse & { [kRequestId]?: string };

/** Remembers a request's id on its response, so every answer written for it (errors too) carries the id. */
export function tagRequestId(res: ServerResponse, requestId: string): void {
  (res as Tagged)[kRequestId] = requestId;
}

/** The request id of a gateway response, for answers written outside the proxy. */
export function requestIdOfResponse(res: ServerResponse): string | undefined {
  return (res as Tagged)[kRequestId];
}
