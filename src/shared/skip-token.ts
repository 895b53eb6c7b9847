/**
 * Keyset continuations for paged lists: a nextLink carries the sort key of the last item it
 * returned, so the next page starts right after that item (`WHERE key > last`, served by the
 * list's index) instead of counting past every earlier row with OFFSET. Inserts and deletes
 * between the pages shift nothing: no item is repeated or skipped because others came or went.
 *
 * The token is opaque to callers (base64url of a small JSON document) but not secret: it holds only
 * the sort key values of an item the caller has already seen. Decoding validates its shape, so a
 * damaged or invented token is a 400 at the edge, never a database error.
 */

const VERSION = 1;
const MAX_TOKEN_LENGTH = 4096;
const MAX_KEY_LENGTH = 1024;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The sort key of the last item of a page: one string per ORDER BY column, in that order. */
export type SortKey = readonly string[];

export function encodeSkipToken(key: SortKey): string {
  return Buffer.from(JSON.stringify({ v: VERSION, k: key }), 'utf8').toString('base64url');
}

/** The sort key a token carries, or undefined when it is not a token `encodeSkipToken` made with `length` key parts. */
export function decodeSkipToken(token: string, length: number): SortKey | undefined {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !BASE64URL.test(token)) return undefined;
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof document !== 'object' || document === null) return undefined;
  const { v, k } = document as { v?: unknown; k?: unknown };
  if (v !== VERSION || !Array.isArray(k) || k.length !== length) return undefined;
  if (!k.every((part): part is string => typeof part === 'string' && part.length <= MAX_KEY_LENGTH)) return undefined;
  return k;
}
