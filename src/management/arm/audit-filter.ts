import type { AppError } from '../../errors/index.js';
import { validationError } from './validate.js';
import type { AuditQuery } from '../../audit/index.js';

/**
 * The `$filter` of the audit event list: comparisons joined by `and` —
 * `timestamp ge '<ISO 8601>'`, `timestamp le '…'` (inclusive bounds), `actor eq '…'` (the caller's
 * object id or appId), `target eq '…'` (a resource id; case-insensitive, as ARM ids), and
 * `operation eq '…'`. Each is served by an index of the audit table; anything else is a 400 that
 * says what is supported.
 */
const CLAUSE = /\s*([A-Za-z]+)\s+(eq|ge|le)\s+'((?:[^']|'')*)'\s*/y;
const AND = /and(?=\s)/iy;
const MAX_FILTER_LENGTH = 2000;
const SUPPORTED = "timestamp ge '…', timestamp le '…', actor eq '…', target eq '…', operation eq '…', joined by 'and'";
const ALLOWED: Readonly<Record<string, { op: string; key: keyof AuditQuery }[]>> = {
  timestamp: [{ op: 'ge', key: 'from' }, { op: 'le', key: 'to' }],
  actor: [{ op: 'eq', key: 'actor' }],
  target: [{ op: 'eq', key: 'target' }],
  operation: [{ op: 'eq', key: 'operation' }],
};

export function auditFilterOf(requestUrl: URL): AuditQuery {
  const raw = requestUrl.searchParams.get('$filter');
  if (raw === null) return {};
  if (raw.length > MAX_FILTER_LENGTH) throw invalid(`$filter must be at most ${MAX_FILTER_LENGTH} characters.`);
  const query: Record<string, string> = {};
  let at = 0;
  for (;;) {
    CLAUSE.lastIndex = at;
    const match = CLAUSE.exec(raw);
    if (!match) throw invalid(`$filter '${excerpt(raw)}' is not supported here. Supported: ${SUPPORTED}.`);
    const [, name, op, quoted] = match as unknown as [string, string, string, string];
    const property = Object.keys(ALLOWED).find((p) => p.toLowerCase() === name.toLowerCase());
    const rule = property ? ALLOWED[property]!.find((r) => r.op === op.toLowerCase()) : undefined;
    if (!property || !rule) throw invalid(`$filter cannot use '${name} ${op}' on audit events. Supported: ${SUPPORTED}.`);
    if (query[rule.key] !== undefined) throw invalid(`$filter gives '${property} ${rule.op}' twice; give each comparison once.`);
    const value = quoted.replace(/''/g, "'");
    query[rule.key] = property === 'timestamp' ? isoTime(value) : value;
    at = CLAUSE.lastIndex;
    if (at === raw.length) return query;
    AND.lastIndex = at;
    if (!AND.test(raw)) throw invalid(`$filter '${excerpt(raw)}' is not supported here. Supported: ${SUPPORTED}.`);
    at = AND.lastIndex;
  }
}

/** The stored form (toISOString: fixed width, UTC), so bounds compare as text in time order. */
function isoTime(value: string): string {
  const time = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) throw invalid(`$filter: '${excerpt(value)}' is not an ISO 8601 time such as '2026-11-30T06:00:00Z'.`);
  return new Date(time).toISOString();
}

function excerpt(raw: string): string {
  return raw.length > 200 ? `${raw.slice(0, 200)}…` : raw;
}

function invalid(message: string): AppError {
  return validationError([{ target: '$filter', message }]);
}
