import { AppError } from '../../errors/index.js';

export interface Page<T> {
  readonly value: T[];
  readonly nextLink?: string;
}

const MAX_TOP = 1000;
const DEFAULT_TOP = 100;

/**
 * Slices a full list by $top/$skip and builds an absolute nextLink that keeps every other query
 * parameter (api-version included), as ARM clients follow nextLink verbatim.
 */
export function paginate<T>(items: readonly T[], requestUrl: URL): Page<T> {
  const top = readInt(requestUrl, '$top', DEFAULT_TOP, 1, MAX_TOP);
  const skip = readInt(requestUrl, '$skip', 0, 0, Number.MAX_SAFE_INTEGER);
  const value = items.slice(skip, skip + top);
  if (skip + top >= items.length) return { value };
  const next = new URL(requestUrl.href);
  next.searchParams.set('$skip', String(skip + top));
  if (requestUrl.searchParams.has('$top')) next.searchParams.set('$top', String(top));
  return { value, nextLink: next.href };
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
