import { randomUUID } from 'node:crypto';

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
