import type { ApiEntry, OperationEntry } from './snapshot.js';

export interface RouteMatch {
  readonly api: ApiEntry;
  readonly operation: OperationEntry;
  readonly params: Readonly<Record<string, string>>;
  /** The raw request path after the API path ('' or starting with '/'), forwarded to the backend. */
  readonly remainder: string;
}

/**
 * Finds the API by path prefix on a segment boundary (apis are sorted longest path first, so the
 * first hit wins), then the operation by method and URL template. `pathname` is raw (encoded) and
 * has passed the path-safety policy (policies/path-safety), which runs before routing.
 */
export function matchRoute(apis: readonly ApiEntry[], method: string, pathname: string): RouteMatch | undefined {
  const lower = pathname.toLowerCase();
  for (const api of apis) {
    if (!lower.startsWith(api.prefix)) continue;
    const next = lower.charCodeAt(api.prefix.length);
    if (!Number.isNaN(next) && next !== 0x2f /* '/' */) continue;
    const remainder = pathname.slice(api.prefix.length);
    const candidates = api.operations.get(method);
    if (!candidates) return undefined;
    for (const operation of candidates) {
      const params = operation.template.match(remainder);
      if (params) return { api, operation, params, remainder };
    }
    return undefined; // the longest matching API path wins, even when none of its operations match
  }
  return undefined;
}
