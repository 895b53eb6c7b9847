import type { AppError } from '../../errors/index.js';
import { validationError } from './validate.js';
import type { ListFilter } from '../management-store.js';

export type FilterProperty = keyof ListFilter;

/** `property eq 'value'` ('' escapes a quote), the one comparison the lists serve by index. */
const CLAUSE = /\s*([A-Za-z]+)\s+eq\s+'((?:[^']|'')*)'\s*/y;
const AND = /and(?=\s)/iy;
const MAX_FILTER_LENGTH = 2000;

/**
 * The validated `$filter` of a list request: `eq` comparisons joined by `and`, on the properties
 * this list serves by index (e.g. `name eq 'starter' and displayName eq 'Starter'`). Property names
 * match in any case, as OData's do here; values compare case-insensitively in the store. Anything
 * else is a 400 that says what is supported, never a filter silently ignored.
 */
export function listFilterOf(requestUrl: URL, allowed: readonly FilterProperty[]): ListFilter {
  const raw = requestUrl.searchParams.get('$filter');
  if (raw === null) return {};
  if (allowed.length === 0) throw invalid('$filter is not supported on this list; remove it.');
  const supported = `${allowed.map((p) => `${p} eq '…'`).join(', ')}, joined by 'and'`;
  if (raw.length > MAX_FILTER_LENGTH) throw invalid(`$filter must be at most ${MAX_FILTER_LENGTH} characters.`);
  const filter: Record<string, string> = {};
  let at = 0;
  for (;;) {
    CLAUSE.lastIndex = at;
    const match = CLAUSE.exec(raw);
    if (!match) throw invalid(`$filter '${excerpt(raw)}' is not supported here. Supported: ${supported}.`);
    const property = allowed.find((p) => p.toLowerCase() === match[1]!.toLowerCase());
    if (!property) throw invalid(`$filter cannot compare '${match[1]}' on this list. Supported: ${supported}.`);
    if (filter[property] !== undefined) throw invalid(`$filter compares '${property}' twice; give each property once.`);
    filter[property] = match[2]!.replace(/''/g, "'");
    at = CLAUSE.lastIndex;
    if (at === raw.length) return filter;
    AND.lastIndex = at;
    if (!AND.test(raw)) throw invalid(`$filter '${excerpt(raw)}' is not supported here. Supported: ${supported}.`);
    at = AND.lastIndex;
  }
}

function excerpt(raw: string): string {
  return raw.length > 200 ? `${raw.slice(0, 200)}…` : raw;
}

/** ARM's ValidationError shape, as for a body field: the detail names `$filter` and what is supported. */
function invalid(message: string): AppError {
  return validationError([{ target: '$filter', message }]);
}
