import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ArmResource } from '../arm/resource.js';
import { etagOf, requireIfMatch } from '../arm/etag.js';
import { pageOf, pageWindowOf, paginate } from '../arm/paging.js';
import { listFilterOf, type FilterProperty } from '../arm/filter.js';
import type { ListFilter, PageWindow } from '../management-store.js';

export function sendResource(reply: FastifyReply, status: number, resource: ArmResource): FastifyReply {
  return reply.status(status).header('ETag', etagOf(resource)).send(resource);
}

/** A small list held in full, in name order (ArmResource.name), paged here; it takes no $filter. */
export function sendList(request: FastifyRequest, reply: FastifyReply, items: readonly ArmResource[]): FastifyReply {
  const url = requestUrl(request);
  listFilterOf(url, []);
  return reply.send(paginate(items, url, (item) => item.name));
}

/**
 * A list paged in the store: `load` reads the window ($top/$skip/$skipToken) and the $filter (on the
 * `filterable` properties), both validated first, and returns up to top + 1 records in name order;
 * `build` turns the page's records into resources, batching whatever related rows they need (one
 * query per page, never one per record).
 */
export async function sendPage<T extends { readonly id: string }>(
  request: FastifyRequest,
  reply: FastifyReply,
  filterable: readonly FilterProperty[],
  load: (window: PageWindow, filter: ListFilter) => Promise<readonly T[]>,
  build: (records: readonly T[]) => ArmResource[] | Promise<ArmResource[]>,
): Promise<FastifyReply> {
  const url = requestUrl(request);
  const window = pageWindowOf(url);
  const filter = listFilterOf(url, filterable);
  const page = pageOf(await load(window, filter), window, url, (record) => record.id);
  return reply.send({ ...page, value: await build(page.value) });
}

/** DELETE answers 200 when something was deleted and 204 when there was nothing to delete, as ARM does. */
export function sendDeleted(reply: FastifyReply, deleted: boolean): FastifyReply {
  return deleted ? reply.status(200).send() : reply.status(204).send();
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The listener's own base URL (set by the app); absolute links are built from it, not from Host. */
    publicBaseUrl: string;
  }
}

/** The request's URL on this listener's public base, so nextLink points back here whatever Host said. */
export function requestUrl(request: FastifyRequest): URL {
  // Appended, not resolved: a public URL's path prefix (a proxy's /portico/mgmt) must stay in the link.
  return new URL(`${request.publicBaseUrl}${request.url.replace(/^\/+/, '/')}`);
}

/**
 * The If-Match of an operation whose spec declares it required (IfMatchRequiredParameter: update and
 * delete of products, APIs, operations, users, subscriptions, and a product policy's delete): the
 * route's header schema (ifMatchRequired) refuses a request without one; this reads it as a string.
 */
export function requiredIfMatchOf(request: FastifyRequest): string {
  return requireIfMatch(ifMatchOf(request));
}

export function ifMatchOf(request: FastifyRequest): string | undefined {
  const value = request.headers['if-match'];
  return Array.isArray(value) ? value[0] : value;
}

export function flag(request: FastifyRequest, name: string): boolean {
  const value = (request.query as Record<string, unknown>)[name];
  return value === 'true' || value === true;
}
