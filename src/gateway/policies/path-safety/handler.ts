import { GatewayMessages } from '../../errors.js';
import { hasUnsafeSegment } from '../../url-template.js';
import type { PolicyDefinition } from '../definition.js';
import type { Rejection } from '../types.js';

/** As for any path that matches nothing: the caller learns nothing about what is behind the API. */
const UNSAFE: Rejection = { status: 404, message: GatewayMessages.notFound };

/**
 * Runs before routing. A segment that is `.`/`..` once decoded, or starts with `..;`/`.;` (Tomcat and
 * Spring strip `;params`, so `..;` is `..` to them), or hides `/` or `\`, could make a backend resolve
 * the request outside the API's service URL.
 */
export const pathSafety: PolicyDefinition = {
  name: 'path-safety',
  create: () => ({
    name: 'path-safety',
    phase: 'route',
    priority: 2000,
    run: (call) => (hasUnsafeSegment(call.pathname) ? UNSAFE : undefined),
  }),
};
