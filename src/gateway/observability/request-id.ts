import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** Longest caller-supplied request id kept; longer ones are replaced (they would bloat every log line). */
export const MAX_REQUEST_ID_LENGTH = 128;

/**
 * Safe characters only: letters, digits and `-_.:+/=@` (UUIDs, ULIDs, base64, W3C trace ids and the
 * ids load balancers make all fit). Nothing that could split a log line or a header.
 */
const SAFE_REQUEST_ID = /^[A-Za-z0-9\-_.:+/=@]+$/;

/**
 * The caller's `x-request-id` when it is sane (one value, 1–128 safe characters), else a new UUID.
 * The gateway returns it to the caller, forwards it to the backend and writes it in the access log.
 */
export function requestIdOf(header: string | string[] | undefined): string {
  if (typeof header === 'string' && header.length <= MAX_REQUEST_ID_LENGTH && header.length > 0 && SAFE_REQUEST_ID.test(header)) return header;
  return randomUUID();
}

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
