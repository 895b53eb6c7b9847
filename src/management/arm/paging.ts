import { AppError } from '../../errors/index.js';
import type { PageWindow } from '../management-store.js';

export interface Page<T> {
  readonly value: T[];
  readonly nextLink?: string;
}

const MAX_TOP = 1000;
const DEFAULT_TOP = 100;

/** The validated $top/$skip of a list request: what the store reads (top + 1 rows from skip). */
export function pageWindowOf(requestUrl: URL): PageWindow {
  return {
    top: readInt(requestUrl, '$top', DEFAULT_TOP, 1, MAX_TOP),
    skip: readInt(requestUrl, '$skip', 0, 0, Number.MAX_SAFE_INTEGER),
  };
}

/**
 * A page from the store's window: `rows` are the records from skip on, at most top + 1 of them;
 * the extra one only says a next page exists. The nextLink is absolute and keeps every other query
 * parameter (api-version included), as ARM clients follow nextLink verbatim.
 */
export function pageOf<T>(rows: readonly T[], window: PageWindow, requestUrl: URL): Page<T> {
  const value = rows.slice(0, window.top);
  if (rows.length <= window.top) return { value };
  const next = new URL(requestUrl.href);
  next.searchParams.set('$skip', String(window.skip + window.top));
  if (requestUrl.searchParams.has('$top')) next.searchParams.set('$top', String(window.top));
  return { value, nextLink: next.href };
}

/** Pages a list held in full (the small child lists); the big lists page in SQL with pageWindowOf. */
export function paginate<T>(items: readonly T[], requestUrl: URL): Page<T> {
  const window = pageWindowOf(requestUrl);
  return pageOf(items.slice(window.skip, window.skip + window.top + 1), window, requestUrl);
}

function readInt(url: URL, name: string, fallback: number, min: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new AppError('ValidationError', `${name} must be a whole number from ${min} to ${max}, got '${raw}'.`, [
      { code: 'InvalidParameter', target: name, message: `must be a whole number from ${min} to ${max}` },
    ]);
  }
  return value;
}
