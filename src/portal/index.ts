/**
 * The portals on the management listener (docs/portals.md): the admin portal at `/`, the developer
 * portal at `/developer`, their sign-in sessions, and the admin session as a way to call the
 * management API.
 */
import type { FastifyInstance } from 'fastify';
import type { ManagementStore, PortalMount } from '../management/index.js';
import { adminSessionAuthenticator, keepOwnSessionAfterPasswordChange } from './admin-session.js';
import { registerAdminSessionRoutes } from './admin-session-routes.js';
import { PortalPages } from './portal-pages.js';
import { PortalSessions, type SessionLimits } from './portal-sessions.js';
import { SignInThrottle } from './sign-in-throttle.js';
import { registerAdminGraph, type AdminGraphOptions } from './admin-graph.js';
import { registerDeveloperPortal, type DeveloperPortalOptions } from './developer/index.js';

export { PortalSessions, type PortalKind, type PortalSession, type SessionLimits } from './portal-sessions.js';
export { CSRF_HEADER, SESSION_COOKIE, sessionCookieName, readCookie, sessionCookie, clearedCookie } from './session-cookie.js';
export { checkCsrf, sessionOf } from './admin-session.js';
export { checkSameOrigin } from './admin-session-routes.js';
export { checkPassword, isAdministrator } from './admin-accounts.js';
export { SignInThrottle } from './sign-in-throttle.js';
export { adminGraphOptions, type AdminGraphOptions } from './admin-graph.js';
export { CONTENT_SECURITY_POLICY, securityHeaders } from './portal-pages.js';

export interface PortalOptions {
  readonly store: ManagementStore;
  readonly sessionLimits: SessionLimits;
  /** Cookies get Secure: the management listener is reached over HTTPS. */
  readonly secure: boolean;
  readonly serviceResourceId: string;
  /** Where the built portals are (default dist/web of this checkout). */
  readonly webRoot?: string;
  /** The directory API for the Entra ID screens (admin-graph.ts); without it they have no Graph access. */
  readonly graph?: AdminGraphOptions;
  /** The developer portal's API (/developer/api, src/portal/developer); without it only its pages are served. */
  readonly developer?: DeveloperPortalOptions;
}

/** Everything the portals add to the management listener. */
export function createPortal(options: PortalOptions): PortalMount & { readonly sessionTable: PortalSessions } {
  const sessions = new PortalSessions(options.sessionLimits);
  const throttle = new SignInThrottle();
  const pages = new PortalPages(options.webRoot);
  return {
    sessionTable: sessions,
    sessions: adminSessionAuthenticator(sessions, options.store, options.secure),
    async register(app: FastifyInstance) {
      pages.register(app);
      keepOwnSessionAfterPasswordChange(app, sessions, options.store);
      registerAdminSessionRoutes(app, { store: options.store, sessions, throttle, secure: options.secure, serviceResourceId: options.serviceResourceId });
      if (options.graph) await registerAdminGraph(app, options.graph, sessions, options.store, options.secure);
      if (options.developer) await registerDeveloperPortal(app, { ...options.developer, sessions, throttle, secure: options.secure });
    },
    serveFallback: (request, reply) => pages.serveFallback(request, reply),
  };
}
