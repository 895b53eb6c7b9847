import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/index.js';
import { hashPassword, newGuid, verifyPassword } from '../../shared/index.js';
import { FailureThrottle } from '../../identity/token/failure-throttle.js';
import { putUser, type ManagementContext, type UserRecord } from '../../management/index.js';
import { setRequestActor } from '../../audit/index.js';
import { checkCsrf } from '../admin-session.js';
import { checkSameOrigin } from '../admin-session-routes.js';
import { credentialOf, type PortalSession, type PortalSessions } from '../portal-sessions.js';
import { clearedCookie, readCookie, sessionCookie, sessionCookieName } from '../session-cookie.js';
import type { SignInThrottle } from '../sign-in-throttle.js';
import { developerUserView } from './views.js';

/** What the audit log shows as the client of a developer's writes (the admin portal's is portico-admin-portal). */
export const DEVELOPER_PORTAL_CLIENT = 'portico-developer-portal';

export interface DeveloperAuthOptions {
  readonly ctx: ManagementContext;
  /** The portals' session table: developer sessions are its `developer` kind, with their own cookie. */
  readonly sessions: PortalSessions;
  /** Shared with the admin sign-in: guesses at one email count in either portal. */
  readonly throttle: SignInThrottle;
  /** PORTICO_DEVELOPER_SIGNUP: whether anyone may create an account on the sign-up page. */
  readonly signUpAllowed: boolean;
  /** The portal is reached over HTTPS: the cookie gets Secure. */
  readonly secure: boolean;
}

/** The signed-in developer, as the session hook found them (live: the user record read on this request). */
export interface SignedInDeveloper {
  readonly user: UserRecord;
  readonly session: PortalSession;
}

const signedIn = new WeakMap<FastifyRequest, SignedInDeveloper>();
/** Sign-ups one client address may make per hour: enough for a team behind one NAT, not for a script filling the user table. */
const SIGN_UP_LIMIT = 10;
const SIGN_UP_WINDOW_MS = 60 * 60_000;

/** The developer the session hook let through; only called on routes behind that hook. */
export function developerOf(request: FastifyRequest): SignedInDeveloper {
  const developer = signedIn.get(request);
  if (!developer) throw new AppError('SignInRequired', 'Sign in to the developer portal first.');
  return developer;
}

const signInBody = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'password'],
  properties: { email: { type: 'string', minLength: 1, maxLength: 254 }, password: { type: 'string', minLength: 1, maxLength: 256 } },
} as const;

const signUpBody = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'firstName', 'lastName', 'password'],
  properties: {
    email: { type: 'string', minLength: 1, maxLength: 254 },
    firstName: { type: 'string', minLength: 1, maxLength: 100 },
    lastName: { type: 'string', minLength: 1, maxLength: 100 },
    password: { type: 'string', minLength: 8, maxLength: 256 },
  },
} as const;

/**
 * Sign-in, sign-up, sign-out and "who am I" for APIM users, and the hook that guards every other
 * developer route: a live developer session (the user still exists and is active) and, on writes,
 * the CSRF header. A developer session opens /developer/api only; the admin portal has its own.
 */
export function registerDeveloperAuth(app: FastifyInstance, options: DeveloperAuthOptions): { guard: (request: FastifyRequest, reply: FastifyReply) => Promise<void> } {
  const { ctx, sessions, throttle } = options;
  const cookie = sessionCookieName('developer', options.secure);
  // Compared against when the email is unknown, so an unknown account costs the same time as a wrong password.
  const decoy = hashPassword(newGuid());
  // Every sign-up try counts (a taken email too), so the 409 cannot be used to test many emails either.
  const signUps = new FailureThrottle(SIGN_UP_LIMIT, SIGN_UP_WINDOW_MS);
  const startSession = (reply: FastifyReply, user: UserRecord) => {
    const { token, session } = sessions.create('developer', user.id, credentialOf(user));
    void reply.header('Set-Cookie', sessionCookie(cookie, token, options.secure)).header('Cache-Control', 'no-store');
    return { signedIn: true, user: developerUserView(user), csrfToken: session.csrfToken };
  };

  app.get('/config', async (_request, reply) => reply.header('Cache-Control', 'no-store').send({ signUpAllowed: options.signUpAllowed }));

  app.post('/signin', { schema: { body: signInBody } }, async (request, reply) => {
    checkSameOrigin(request);
    const { email, password } = request.body as { email: string; password: string };
    const account = email.trim().toLowerCase();
    const wait = throttle.begin(account, request.ip); // counts this try as failed until the password matches
    if (wait !== undefined) {
      void reply.header('Retry-After', String(wait));
      throw new AppError('TooManySignInAttempts', `Too many failed sign-ins for this account or from this address. Wait ${wait} seconds, then try again.`);
    }
    const user = await ctx.store.management.getUserByEmail(account);
    const matches = user?.passwordHash ? await verifyPassword(password, user.passwordHash) : (await verifyPassword(password, await decoy), false);
    if (!user || !matches) {
      request.log.info({ address: request.ip }, 'developer portal sign-in refused');
      throw new AppError('SignInFailed', 'The email or password is not right. Check both and try again.');
    }
    throttle.succeeded(account, request.ip);
    // Said only to someone who knows the password, so it reveals nothing to a guesser.
    refuseInactive(user);
    request.log.info({ userId: user.id }, 'developer portal sign-in');
    return reply.send(startSession(reply, user));
  });

  // Audited with no actor: whoever signs up is nobody yet.
  app.post('/signup', { schema: { body: signUpBody }, onRequest: async (request) => setRequestActor(request, { objectId: null, appId: DEVELOPER_PORTAL_CLIENT }) }, async (request, reply) => {
    checkSameOrigin(request);
    if (!options.signUpAllowed) {
      throw new AppError('SignUpDisabled', 'Sign-up is turned off on this Portico (PORTICO_DEVELOPER_SIGNUP=off). Ask an administrator to create your account.');
    }
    const wait = signUps.retryAfter(request.ip);
    if (wait !== undefined) {
      void reply.header('Retry-After', String(wait));
      throw new AppError('TooManySignUps', `Too many sign-ups from this address (at most ${SIGN_UP_LIMIT} an hour). Wait ${wait} seconds, then try again, or ask an administrator to create your account.`);
    }
    signUps.recordFailure(request.ip);
    const body = request.body as { email: string; firstName: string; lastName: string; password: string };
    // The same rules and event as PUT users/{id}: a new active user in the developers group.
    const id = newGuid().replace(/-/g, '').slice(0, 24);
    const { user } = await putUser(ctx, id, { properties: { email: body.email.trim(), firstName: body.firstName, lastName: body.lastName, password: body.password, state: 'active' } }, undefined);
    request.log.info({ userId: user.id }, 'developer portal sign-up');
    return reply.status(201).send(startSession(reply, user));
  });

  // Sign-out needs no CSRF token: the worst a forged one does is sign you out, and SameSite=Strict stops it anyway.
  app.post('/signout', async (request, reply) => {
    const token = readCookie(request.headers.cookie, cookie);
    if (token !== undefined) sessions.end(token);
    return reply.header('Set-Cookie', clearedCookie(cookie, options.secure)).status(204).send();
  });

  /** The live session and its active user, or undefined (ending the sessions of a user who is no longer active). */
  const current = async (request: FastifyRequest): Promise<{ session: PortalSession; user: UserRecord | undefined } | undefined> => {
    const token = readCookie(request.headers.cookie, cookie);
    const session = token !== undefined ? sessions.find('developer', token) : undefined;
    if (!session) return undefined;
    const user = await ctx.store.management.getUser(session.userId);
    // Blocked or deleted since sign-in: the sessions end now, not when they expire.
    if (!user || user.state !== 'active') sessions.endAllOf(session.userId);
    // The password changed since sign-in: this session ends (sessions begun with the new one stay).
    else if (!sessions.credentialHolds(session, user)) return undefined;
    return { session, user };
  };

  const guard = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const found = await current(request);
    if (!found || !found.user || found.user.state !== 'active') {
      if (readCookie(request.headers.cookie, cookie) !== undefined) void reply.header('Set-Cookie', clearedCookie(cookie, options.secure));
      if (found?.user) refuseInactive(found.user);
      if (found) throw new AppError('SignInRequired', 'Your account no longer exists. Sign up or ask an administrator.');
      throw new AppError('SignInRequired', 'Sign in to the developer portal first: there is no session, or it has expired.');
    }
    const { session, user } = found;
    // The audit log names a developer as the admin portal names an administrator: users/<id>.
    setRequestActor(request, { objectId: `users/${user.id}`, appId: DEVELOPER_PORTAL_CLIENT });
    checkCsrf(request, session);
    signedIn.set(request, { user, session });
  };

  // 200 either way, so a page loading while signed out logs no failed request in the console.
  app.get('/me', async (request, reply) => {
    void reply.header('Cache-Control', 'no-store');
    const found = await current(request);
    if (!found?.user || found.user.state !== 'active') {
      if (readCookie(request.headers.cookie, cookie) !== undefined) void reply.header('Set-Cookie', clearedCookie(cookie, options.secure));
      return reply.send({ signedIn: false });
    }
    return reply.send({ signedIn: true, user: developerUserView(found.user), csrfToken: found.session.csrfToken });
  });

  return { guard };
}

function refuseInactive(user: UserRecord): void {
  if (user.state === 'active') return;
  if (user.state === 'blocked') {
    throw new AppError('AccountBlocked', 'Your account is blocked. Ask an administrator of this API Management instance to unblock it.');
  }
  throw new AppError('AccountBlocked', `Your account is not active (its state is '${user.state}'). Ask an administrator of this API Management instance to activate it.`);
}
