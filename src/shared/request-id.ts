import { randomUUID } from 'node:crypto';

/** Longest caller-supplied request id kept; longer ones are replaced (they would bloat every log line). */
export const MAX_REQUEST_ID_LENGTH = 128;

/**
 * Safe characters only: letters, digits and `-_.:+/=@` (UUIDs, ULIDs, base64, W3C trace ids and the
 * ids load balancers make all fit). Nothing that could split a log line or a header.
 */
const SAFE_REQUEST_ID = /^[A-Za-z0-9\-_.:+/=@]+$/;

/** The header every Portico listener reads the caller's request id from and returns it in. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * Portico's one request-id scheme, on every listener (gateway, management, identity, token
 * endpoint): the caller's `x-request-id` when it is sane (one value, 1–128 safe characters), else
 * a new UUID. The listener returns it as `x-request-id` on every answer and logs it as `reqId`.
 */
export function requestIdOf(header: string | string[] | undefined): string {
  if (typeof header === 'string' && header.length <= MAX_REQUEST_ID_LENGTH && header.length > 0 && SAFE_REQUEST_ID.test(header)) return header;
  return randomUUID();
}
