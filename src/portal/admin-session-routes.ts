import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/index.js';
import type { ManagementStore, UserRecord } from '../management/index.js';
import { checkPassword, isAdministrator } from './admin-accounts.js';
import { checkCsrf, sessionOf } from './admin-session.js';
import { credentialOf, type PortalSession, type PortalSessions } from './portal-sessions.js';
import { clearedCookie, readCookie, sessionCookie, sessionCookieName } from './session-cookie.js';
import type { SignInThrottle } from './sign-in-throttle.js';

export interface AdminSessionRoutesOptions {
  readonly store: ManagementStore;
  readonly sessions: PortalSessions;
  readonly throttle: SignInThrottle;
  /** Secure cookies: the management listener is reached over HTTPS. */
  readonly secure: boolean;
  /** The service the portal manages: its ARM id is the prefix of every management call the SPA makes. */
  readonly serviceResourceId: string;
}

/** What the SPA learns at sign-in and on reload: who is signed in, the CSRF token and where the service is. */
interface SessionView {
  readonly user: { readonly id: string; readonly email: string; readonly firstName: string; readonly lastName: string };
  readonly csrfToken: string;
  readonly serviceResourceId: string;
}

const MAX_EMAIL = 254;
const MAX_PASSWORD = 256;

/**
 * The admin portal's sign-in: POST /portal/api/admin/session (email, password) starts a session,
 * GET tells the SPA who is signed in (`signedIn`, and the CSRF token after a reload), DELETE signs out.
 */
export function registerAdminSessionRoutes(app: FastifyInstance, options: AdminSessionRoutesOptions): void {
  const { store, sessions, throttle } = options;
  const cookie = sessionCookieName('admin', options.secure);
  const view = (user: UserRecord, session: PortalSession): SessionView => ({
    user: { id: user.id, email: user.email, firstName: user.firstName, lastName: user.lastName },
    csrfToken: session.csrfToken,
    serviceResourceId: options.serviceResourceId,
  });

  app.post('/portal/api/admin/session', async (request, reply) => {
    checkSameOrigin(request);
    const { email, password } = signInBody(request.body);
    const address = request.ip;
    const wait = throttle.begin(email, address); // counts this try as failed until it succeeds
    if (wait !== undefined) {
      void reply.header('Retry-After', String(wait));
      throw new AppError('TooManySignInAttempts', `Too many failed sign-ins for this account or from this address. Try again in ${waitInWords(wait)}.`);
    }
    const user = await checkPassword(store, email, password);
    if (!user || !(await isAdministrator(store, user))) {
      request.log.info({ address }, 'admin portal sign-in refused');
      throw new AppError('SignInFailed', 'The email or password is incorrect, or this account may not use the admin portal (it must be active and in the Administrators group).');
    }
    throttle.succeeded(email, address);
    const { token, session } = sessions.create('admin', user.id, credentialOf(user));
    request.log.info({ userId: user.id }, 'admin portal sign-in');
    return noStore(reply).header('Set-Cookie', sessionCookie(cookie, token, options.secure)).send({ signedIn: true, ...view(user, session) });
  });

  // Not signed in is an answer here, not an error: the page asks this on every load.
  app.get('/portal/api/admin/session', async (request, reply) => {
    let session: PortalSession | undefined;
    try {
      session = sessionOf(request, sessions, 'admin', options.secure);
    } catch {
      session = undefined; // ended: say so below and remove the stale cookie
    }
    const user = session && (await store.getUser(session.userId));
    const administrator = user !== undefined && (await isAdministrator(store, user));
    if (session && !administrator) sessions.endAllOf(session.userId);
    if (!session || !user || !administrator || !sessions.credentialHolds(session, user)) {
      if (readCookie(request.headers.cookie, cookie) !== undefined) void reply.header('Set-Cookie', clearedCookie(cookie, options.secure));
      return noStore(reply).send({ signedIn: false });
    }
    return noStore(reply).send({ signedIn: true, ...view(user, session) });
  });

  app.delete('/portal/api/admin/session', async (request, reply) => {
    const session = liveSession(request, reply, sessions, options.secure);
    checkCsrf(request, session);
    // Ends this browser's session only; the user's other sessions (other browsers) stay.
    const token = readCookie(request.headers.cookie, cookie);
    if (token !== undefined) sessions.end(token);
    return noStore(reply).header('Set-Cookie', clearedCookie(cookie, options.secure)).status(204).send();
  });
}

/** The request's live admin session; without one, 401 (and the stale cookie is removed). */
function liveSession(request: FastifyRequest, reply: FastifyReply, sessions: PortalSessions, secure: boolean): PortalSession {
  let session: PortalSession | undefined;
  try {
    session = sessionOf(request, sessions, 'admin', secure);
  } catch (error) {
    void reply.header('Set-Cookie', clearedCookie(sessionCookieName('admin', secure), secure));
    throw error;
  }
  if (!session) throw new AppError('AuthenticationFailed', 'Not signed in to the admin portal.');
  return session;
}

function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('Cache-Control', 'no-store').header('X-Content-Type-Options', 'nosniff');
}

/**
 * A sign-in must come from the portal's own page: a browser sends Origin on a cross-site POST, so
 * another site cannot sign a visitor in to an account of its choosing (login CSRF).
 */
export function checkSameOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let sent: URL | undefined;
  try {
    sent = new URL(origin);
  } catch {
    sent = undefined;
  }
  // The listener's public URL (PORTICO_PUBLIC_URL…): behind a reverse proxy that passes its own
  // Host (nginx's default), the page's origin is the public one, not the Host header's.
  const publicOrigin = originOf((request as { publicBaseUrl?: string }).publicBaseUrl);
  const sameHost = sent !== undefined && sent.host !== '' && sent.host.toLowerCase() === String(request.headers.host ?? '').toLowerCase();
  if (!sent || (!sameHost && sent.origin !== publicOrigin)) {
    throw new AppError('CsrfTokenInvalid', 'A sign-in must come from the portal page itself; this one came from another origin.');
  }
}

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

function signInBody(body: unknown): { email: string; password: string } {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const details = [];
  const { email, password } = fields;
  if (typeof email !== 'string' || email.trim() === '' || email.length > MAX_EMAIL) {
    details.push({ code: 'ValidationError', target: 'email', message: `email is required: the account's email address (at most ${MAX_EMAIL} characters).` });
  }
  if (typeof password !== 'string' || password === '' || password.length > MAX_PASSWORD) {
    details.push({ code: 'ValidationError', target: 'password', message: `password is required (at most ${MAX_PASSWORD} characters).` });
  }
  if (details.length > 0) throw new AppError('ValidationError', 'Enter your email and password.', details);
  return { email: (email as string).trim(), password: password as string };
}

function waitInWords(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
