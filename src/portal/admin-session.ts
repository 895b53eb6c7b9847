import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors/index.js';
import { constantTimeEqual } from '../shared/index.js';
import { MANAGEMENT_ROLES, type Caller, type ManagementStore, type SessionAuthenticator } from '../management/index.js';
import { isAdministrator } from './admin-accounts.js';
import { credentialOf, type PortalKind, type PortalSession, type PortalSessions } from './portal-sessions.js';
import { CSRF_HEADER, readCookie, sessionCookieName } from './session-cookie.js';

/** What the audit log shows as the client of a portal user's calls (docs/audit.md). */
export const ADMIN_PORTAL_CLIENT = 'portico-admin-portal';

/** Why a session ended when its user's password changed since sign-in. */
export const PASSWORD_CHANGED = 'Your portal session has ended: the password of this account was changed. Sign in again with the new password.';

/** The admin session each management API request was authenticated with, for keepOwnSessionAfterPasswordChange. */
const writesOf = new WeakMap<FastifyRequest, PortalSession>();

/**
 * A password change ends every session of the user (credentialHolds), except the admin session
 * that made it: after a successful write to that session's own user, the session takes the new
 * credential before the answer is sent, so the administrator who changed their own password in
 * the portal stays signed in while their other browsers are signed out.
 */
export function keepOwnSessionAfterPasswordChange(app: FastifyInstance, sessions: PortalSessions, store: ManagementStore): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const session = writesOf.get(request);
    if (!session || SAFE_METHODS.has(request.method) || reply.statusCode >= 300) return payload;
    if (!OWN_USER_PATH(session.userId).test(request.url.split('?')[0]!)) return payload;
    const user = await store.getUser(session.userId);
    if (user) sessions.renewCredential(session, credentialOf(user));
    return payload;
  });
}

/** `…/users/{id}` of the API Management service (case-insensitive, as ARM paths are). */
const OWN_USER_PATH = (userId: string) => new RegExp(`/users/${userId.replace(/[^A-Za-z0-9_-]/g, '\\$&')}$`, 'i');

/** Methods that change nothing: the only ones allowed without the CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The live session of a portal for a request, or undefined when it carries no cookie of that portal; AppError when it is ended. */
export function sessionOf(request: FastifyRequest, sessions: PortalSessions, kind: PortalKind, secure: boolean): PortalSession | undefined {
  const token = readCookie(request.headers.cookie, sessionCookieName(kind, secure));
  if (token === undefined) return undefined;
  const session = sessions.find(kind, token);
  if (!session) throw new AppError('AuthenticationFailed', 'Your portal session has ended (signed out, idle too long or past its maximum age). Sign in again.');
  return session;
}

/** Refuses a write that lacks the session's CSRF token: another site's page cannot read it, so cannot send it. */
export function checkCsrf(request: FastifyRequest, session: PortalSession): void {
  if (SAFE_METHODS.has(request.method)) return;
  const sent = request.headers[CSRF_HEADER];
  if (typeof sent !== 'string' || !constantTimeEqual(sent, session.csrfToken)) {
    throw new AppError('CsrfTokenInvalid', `This write was refused: it carries the portal session cookie but not the session's ${CSRF_HEADER} header. Reload the portal and try again.`);
  }
}

/**
 * The admin portal session as a way to call the management API (authenticateCaller): a signed-in
 * administrator gets the Contributor role, checked live on every request, so a user blocked or
 * taken out of `administrators` loses access at once. The audit actor is the user (`users/<id>`).
 */
export function adminSessionAuthenticator(sessions: PortalSessions, store: ManagementStore, secure: boolean): SessionAuthenticator {
  return {
    async authenticate(request): Promise<Caller | undefined> {
      const session = sessionOf(request, sessions, 'admin', secure);
      if (!session) return undefined;
      checkCsrf(request, session);
      const user = await store.getUser(session.userId);
      if (!user || !(await isAdministrator(store, user))) {
        sessions.endAllOf(session.userId);
        throw new AppError('AuthenticationFailed', 'Your portal session has ended: the account is blocked, deleted or no longer an administrator.');
      }
      if (!sessions.credentialHolds(session, user)) throw new AppError('AuthenticationFailed', PASSWORD_CHANGED);
      writesOf.set(request, session);
      return { objectId: `users/${user.id}`, appId: ADMIN_PORTAL_CLIENT, roles: [MANAGEMENT_ROLES.contributor] };
    },
  };
}
