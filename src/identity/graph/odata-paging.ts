import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors/index.js';
import { decodeSkipToken, encodeSkipToken } from '../../shared/skip-token.js';
import type { DirectoryPosition } from '../directory/directory-store.js';
import type { IdentityUrls } from '../identity-urls.js';

const DEFAULT_TOP = 100;
const MAX_TOP = 999;
const SKIP_TOKEN = '$skiptoken';

/** The page a Graph list request asks for: `$top` (1–999, default 100, as Graph) and where to continue. */
export interface GraphPage {
  readonly top: number;
  readonly after: DirectoryPosition | undefined;
}

export function graphPageOf(request: FastifyRequest): GraphPage {
  const query = queryOf(request);
  return { top: readTop(query.get('$top')), after: readSkipToken(query.get(SKIP_TOKEN)) };
}

/**
 * Graph's list body: `@odata.context` (`$metadata#{context}`), `value` (the first `top` of up to
 * top + 1 objects read) and, when another object exists, an absolute `@odata.nextLink` to the same
 * path on the public base URL (never the Host header) that keeps the request's other query
 * parameters ($filter, $top) and continues after the page's last object (`$skiptoken`, a keyset
 * continuation: as cheap at any depth, unaffected by objects added or removed meanwhile).
 */
export function odataPage<T extends { readonly id: string; readonly createdDateTime: string }, J>(
  urls: IdentityUrls,
  request: FastifyRequest,
  context: string,
  page: GraphPage,
  rows: readonly T[],
  toJson: (items: readonly T[]) => J[],
) {
  const items = rows.slice(0, page.top);
  const body = { '@odata.context': `${urls.graphBase()}/$metadata#${context}`, value: toJson(items) };
  if (rows.length <= page.top) return body;
  const last = items[items.length - 1]!;
  const query = queryOf(request);
  query.set(SKIP_TOKEN, encodeSkipToken([last.createdDateTime, last.id]));
  const path = request.url.split('?')[0]!.replace(/^\/+/, '/');
  return { ...body, '@odata.nextLink': `${urls.base()}${path}?${query.toString().replace(/\+/g, '%20')}` };
}

function queryOf(request: FastifyRequest): URLSearchParams {
  const at = request.url.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : request.url.slice(at + 1));
}

function readTop(raw: string | null): number {
  if (raw === null) return DEFAULT_TOP;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > MAX_TOP) {
    throw new AppError('Request_BadRequest', `Invalid page size specified: '${raw.slice(0, 32)}'. Must be between 1 and ${MAX_TOP} inclusive.`);
  }
  return value;
}

function readSkipToken(raw: string | null): DirectoryPosition | undefined {
  if (raw === null) return undefined;
  const key = decodeSkipToken(raw, 2);
  if (key === undefined) {
    throw new AppError('Request_BadRequest', `Invalid ${SKIP_TOKEN}: it must be the value from an @odata.nextLink of this list. Follow the link as given, or start again without ${SKIP_TOKEN}.`);
  }
  return { createdDateTime: key[0]!, id: key[1]! };
}
