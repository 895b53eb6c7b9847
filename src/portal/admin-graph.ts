/**
 * The directory API for the admin portal's Entra ID screens (docs/portals.md, "The directory"):
 * the identity listener's Graph routes, mounted on the management listener under `/graph/v1.0/`
 * for admin sessions only. A signed-in administrator acts as the service principal of the
 * Portico Administrator application (the client whose secret is in credentials.json), so Graph's
 * own permission checks (that principal's directory roles, read live) decide every call.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/index.js';
import { setRequestActor } from '../audit/index.js';
import type { Logger } from 'pino';
import type { AuditStore } from '../audit/index.js';
import { registerGraphRoutes, setCaller, type GraphDeps, type Identity } from '../identity/index.js';
import type { ManagementStore } from '../management/index.js';
import { ADMIN_PORTAL_CLIENT, checkCsrf, PASSWORD_CHANGED, sessionOf } from './admin-session.js';
import { isAdministrator } from './admin-accounts.js';
import type { PortalSessions } from './portal-sessions.js';

export interface AdminGraphOptions {
  readonly deps: GraphDeps;
  /** The Portico Administrator application's service principal: who the portal acts as. */
  readonly principalId: string;
}

/** The Portico Administrator's service principal and the directory API's dependencies; undefined when that principal is gone. */
export async function adminGraphOptions(identity: Identity, adminAppId: string, audit: AuditStore, logger: Logger): Promise<AdminGraphOptions | undefined> {
  const principal = await identity.directory.system.getServicePrincipalByAppId(adminAppId);
  if (!principal) return undefined;
  return {
    principalId: principal.id,
    deps: { directory: identity.directory, verifier: identity.verifier, urls: identity.urls, now: () => new Date(), audit, logger },
  };
}

/** Where the portal reaches the directory API. */
export const ADMIN_GRAPH_PREFIX = '/graph/v1.0';

export async function registerAdminGraph(app: FastifyInstance, options: AdminGraphOptions, sessions: PortalSessions, store: ManagementStore, secure: boolean): Promise<void> {
  const authenticate = async (request: FastifyRequest): Promise<FastifyReply | undefined> => {
    const session = sessionOf(request, sessions, 'admin', secure);
    if (!session) throw new AppError('AuthenticationFailed', 'The directory API on this listener is for the admin portal: sign in to the portal. Scripts call the identity listener\'s /v1.0 with a Graph token.');
    checkCsrf(request, session);
    const user = await store.getUser(session.userId);
    if (!user || !(await isAdministrator(store, user))) {
      sessions.endAllOf(session.userId);
      throw new AppError('AuthenticationFailed', 'Your portal session has ended: the account is blocked, deleted or no longer an administrator.');
    }
    if (!sessions.credentialHolds(session, user)) throw new AppError('AuthenticationFailed', PASSWORD_CHANGED);
    setCaller(request, options.deps.directory.forPrincipal(options.principalId), options.principalId);
    setRequestActor(request, { objectId: `users/${user.id}`, appId: ADMIN_PORTAL_CLIENT });
    return undefined;
  };
  await app.register(async (scope) => registerGraphRoutes(scope, options.deps, authenticate), { prefix: ADMIN_GRAPH_PREFIX });
}
