import type { FastifyInstance, RouteOptions } from 'fastify';

/** One registered operation: what /openapi.json lists and what a 405 answer's Allow header names. */
export interface CatalogRoute {
  readonly method: string;
  /** Fastify's path, parameters as `:name`. */
  readonly url: string;
  readonly schema?: RouteOptions['schema'];
  readonly pattern: RegExp;
}

/** Records every route registered after it is attached (children included): one source for the document and for 405s. */
export class RouteCatalog {
  readonly routes: CatalogRoute[] = [];

  attach(app: FastifyInstance): void {
    app.addHook('onRoute', (route) => {
      for (const method of ([] as string[]).concat(route.method)) {
        this.routes.push({ method: method.toUpperCase(), url: route.url, schema: route.schema, pattern: patternOf(route.url) });
      }
    });
  }

  /** The methods a path answers, in the order they were registered; empty when no route has the path. */
  methodsFor(path: string): string[] {
    const normalized = normalize(path);
    return [...new Set(this.routes.filter((route) => route.pattern.test(normalized)).map((route) => route.method))];
  }
}

function patternOf(url: string): RegExp {
  const source = normalize(url)
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  // ARM paths are case-insensitive, as the router is.
  return new RegExp(`^${source}$`, 'i');
}

function normalize(path: string): string {
  const collapsed = (path.split('?')[0] ?? '').replace(/\/{2,}/g, '/');
  return collapsed.length > 1 ? collapsed.replace(/\/$/, '') : collapsed;
}
