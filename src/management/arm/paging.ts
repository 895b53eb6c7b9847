import { validationError } from './validate.js';
import { decodeSkipToken, encodeSkipToken } from '../../shared/skip-token.js';
import type { PageWindow } from '../management-store.js';

export interface Page<T> {
  readonly value: T[];
  readonly nextLink?: string;
}

const MAX_TOP = 1000;
const DEFAULT_TOP = 100;
const SKIP_TOKEN = '$skipToken';

/**
 * The validated $top/$skip/$skipToken of a list request: what the store reads (top + 1 rows after
 * the continuation's name, from skip on). `$skipToken` is what our nextLinks carry; `$skip` stays
 * accepted for callers that page by count.
 */
export function pageWindowOf(requestUrl: URL): PageWindow {
  return {
    top: readInt(requestUrl, '$top', DEFAULT_TOP, 1, MAX_TOP),
    skip: readInt(requestUrl, '$skip', 0, 0, Number.MAX_SAFE_INTEGER),
    after: readSkipToken(requestUrl),
  };
}

/**
 * A page from the store's window: `rows` are at most top + 1 records, in the list's order; the
 * extra one only says a next page exists. The nextLink is absolute and keeps every other query
 * parameter (api-version and $filter included), as ARM clients follow nextLink verbatim; it
 * continues after the page's last name ($skipToken) instead of counting ($skip), so a deep page
 * costs what the first does and items added or removed meanwhile shift nothing.
 */
export function pageOf<T>(rows: readonly T[], window: PageWindow, requestUrl: URL, nameOf: (item: T) => string): Page<T> {
  const value = rows.slice(0, window.top);
  if (rows.length <= window.top) return { value };
  const next = new URL(requestUrl.href);
  next.searchParams.delete('$skip');
  next.searchParams.set(SKIP_TOKEN, encodeSkipToken([nameOf(value[value.length - 1]!)]));
  if (requestUrl.searchParams.has('$top')) next.searchParams.set('$top', String(window.top));
  return { value, nextLink: next.href };
}

/** Pages a list held in full, ordered by name (the small child lists); the big lists page in SQL with pageWindowOf. */
export function paginate<T>(items: readonly T[], requestUrl: URL, nameOf: (item: T) => string): Page<T> {
  const window = pageWindowOf(requestUrl);
  const after = window.after;
  const rest = after === undefined ? items : items.filter((item) => nameOf(item) > after);
  return pageOf(rest.slice(window.skip, window.skip + window.top + 1), window, requestUrl, nameOf);
}

function readSkipToken(url: URL): string | undefined {
  const raw = url.searchParams.get(SKIP_TOKEN);
  if (raw === null) return undefined;
  const key = decodeSkipToken(raw, 1);
  if (key === undefined) {
    throw invalidSkipToken();
  }
  return key[0];
}

function readInt(url: URL, name: string, fallback: number, min: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw validationError([{ target: name, message: `${name} must be a whole number from ${min} to ${max}; '${raw.slice(0, 50)}' is not.` }]);
  }
  return value;
}

/**
 * $top and a `parts`-column $skipToken, for lists ordered by a composite key (the audit log: time,
 * then id). $skip is refused there: such a list pages only by continuation.
 */
export function keysetWindowOf(requestUrl: URL, parts: number): { top: number; after: readonly string[] | undefined } {
  if (requestUrl.searchParams.has('$skip')) {
    throw validationError([{ target: '$skip', message: '$skip is not supported on this list: it pages by $skipToken only (follow nextLink); remove $skip.' }]);
  }
  const top = readInt(requestUrl, '$top', DEFAULT_TOP, 1, MAX_TOP);
  const raw = requestUrl.searchParams.get(SKIP_TOKEN);
  if (raw === null) return { top, after: undefined };
  const key = decodeSkipToken(raw, parts);
  if (key === undefined) {
    throw invalidSkipToken();
  }
  return { top, after: key };
}

/** A page of up to top + 1 rows in the list's order; the nextLink continues after the last row's key. */
export function keysetPageOf<T>(rows: readonly T[], top: number, requestUrl: URL, keyOf: (item: T) => readonly string[]): Page<T> {
  const value = rows.slice(0, top);
  if (rows.length <= top) return { value };
  const next = new URL(requestUrl.href);
  next.searchParams.set(SKIP_TOKEN, encodeSkipToken(keyOf(value[value.length - 1]!)));
  return { value, nextLink: next.href };
}

/** ARM's ValidationError shape, as for a body field. */
function invalidSkipToken() {
  return validationError([
    {
      target: SKIP_TOKEN,
      message: `${SKIP_TOKEN} is not a continuation this list issued. Follow the nextLink of the previous page as given, or start again without ${SKIP_TOKEN}.`,
    },
  ]);
}
