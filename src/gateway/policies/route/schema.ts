import type { PolicySchema } from '../schema.js';

/** No configuration: APIs and operations come from the snapshot. */
export type RouteConfig = Record<string, never>;

export const routeSchema: PolicySchema<RouteConfig> = {
  description: 'Finds the API by path prefix and the operation by method and URL template; 404 when none matches.',
  fields: {},
};
