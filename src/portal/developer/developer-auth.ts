import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/index.js';
import { constantTimeEqual, hashPassword, newGuid, verifyPassword } from '../../shared/index.js';
import { putUser, serviceResourceId, type ManagementContext, type UserRecord } from '../../management/index.js';
import { setRequestActor } from '../../audit/index.js';
import { clearSessionCookie, cookieValue, CSRF_HEADER, DEVELOPER_COOKIE, setSessionCookie } from './cookies.js';
import type { DeveloperSession, DeveloperSessionStore } from './sessions.js';
import { SignInThrottle } from './throttle.js';
import { developerUserView } from './views.js';

export interface DeveloperAuthOptions {
  readonly ctx: ManagementContext;
  readonly sessions: DeveloperSessionStore;
  /** PORTICO_DEVELOPER_SIGNUP: whether anyone may create an account on the sign-up page. */
  readonly signUpAllowed: boolean;
  /** The portal is served over HTTPS: the cookie gets Secure. */
  readonly secureCookies: boolean;
  readonly now?: () => number;
}

/** The signed-in developer, as the session hook found them (live: the user record read on this request). */
export interface SignedInDeveloper {
  readonly user: UserRecord;
  readonly session: DeveloperSession;
}

const signedIn = new WeakMap<FastifyRequest, SignedInDeveloper>();

/** The developer the session hook let through; only called on routes behind that hook. */
export function developerOf(request: FastifyRequest): SignedInDeveloper {
  const developer = signedIn.get(request);
  if (!developer) throw new AppError('SignInRequired', 'Sign in to the developer portal first.');
  return developer;
}

/** Per account and per client address; a sign-in is a scrypt hash, so both bound guessing and CPU. */
const PER_ACCOUNT = { limit: 5, windowMs: 15 * 60_000 };
const PER_ADDRESS = { limit: 30, windowMs: 15 * 60_000 };

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
 * developer route: a live session (the user still exists and is active) and, on writes, the CSRF
 * header. A developer session opens /developer/api only; the admin portal has its own.
 */
export function registerDeveloperAuth(app: FastifyInstance, options: DeveloperAuthOptions): { guard: (request: FastifyRequest, reply: FastifyReply) => Promise<void> } {
  const { ctx, sessions } = options;
  const byAccount = new SignInThrottle(PER_ACCOUNT.limit, PER_ACCOUNT.windowMs, options.now);
  const byAddress = new SignInThrottle(PER_ADDRESS.limit, PER_ADDRESS.windowMs, options.now);
  // Compared against when the email is unknown, so an unknown account costs the same time as a wrong password.
  const decoy = hashPassword(newGuid());

  app.get('/config', async (_request, reply) => reply.header('Cache-Control', 'no-store').send({ signUpAllowed: options.signUpAllowed }));

  app.post('/signin', { schema: { body: signInBody } }, async (request, reply) => {
    const { email, password } = request.body as { email: string; password: string };
    const accountKey = email.trim().toLowerCase();
    const wait = byAccount.retryAfter(accountKey) ?? byAddress.retryAfter(request.ip);
    if (wait !== undefined) {
      void reply.header('Retry-After', String(wait));
      throw new AppError('TooManySignInAttempts', `Too many failed sign-ins. Wait ${wait} seconds, then try again.`);
    }
    const user = await ctx.store.management.getUserByEmail(accountKey);
    const matches = user?.passwordHash ? await verifyPassword(password, user.passwordHash) : (await verifyPassword(password, await decoy), false);
    if (!user || !matches) {
      byAccount.recordFailure(accountKey);
      byAddress.recordFailure(request.ip);
      throw new AppError('SignInFailed', 'The email or password is not right. Check both and try again.');
    }
    // Said only to someone who knows the password, so it reveals nothing to a guesser.
    refuseInactive(user);
    byAccount.clear(accountKey);
    const opened = await sessions.open(user.id);
    setSessionCookie(reply, opened.id, options.secureCookies);
    return reply.header('Cache-Control', 'no-store').send({ user: developerUserView(user), csrfToken: opened.session.csrfToken });
  });

  // Audited with no actor: whoever signs up is nobody yet.
  app.post('/signup', { schema: { body: signUpBody }, onRequest: async (request) => setRequestActor(request, { objectId: null, appId: null }) }, async (request, reply) => {
    if (!options.signUpAllowed) {
      throw new AppError('SignUpDisabled', 'Sign-up is turned off on this Portico (PORTICO_DEVELOPER_SIGNUP=off). Ask an administrator to create your account.');
    }
    const body = request.body as { email: string; firstName: string; lastName: string; password: string };
    // The same rules and event as PUT users/{id}: a new active user in the developers group.
    const id = newGuid().replace(/-/g, '').slice(0, 24);
    const { user } = await putUser(ctx, id, { properties: { email: body.email.trim(), firstName: body.firstName, lastName: body.lastName, password: body.password, state: 'active' } }, undefined);
    const opened = await sessions.open(user.id);
    setSessionCookie(reply, opened.id, options.secureCookies);
    return reply.status(201).header('Cache-Control', 'no-store').send({ user: developerUserView(user), csrfToken: opened.session.csrfToken });
  });

  // Sign-out needs no CSRF token: the worst a forged one does is sign you out, and SameSite=Strict stops it anyway.
  app.post('/signout', async (request, reply) => {
    const id = cookieValue(request, DEVELOPER_COOKIE);
    if (id !== undefined) await sessions.close(id);
    clearSessionCookie(reply, options.secureCookies);
    return reply.status(204).send();
  });

  const guard = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const id = cookieValue(request, DEVELOPER_COOKIE);
    const session = id !== undefined ? await sessions.find(id) : undefined;
    if (!session) {
      if (id !== undefined) clearSessionCookie(reply, options.secureCookies);
      throw new AppError('SignInRequired', 'Sign in to the developer portal first: there is no session, or it has expired.');
    }
    const user = await ctx.store.management.getUser(session.userId);
    if (!user || user.state !== 'active') {
      // Blocked or deleted since sign-in: the session ends now, not when it expires.
      await sessions.closeAllOf(session.userId);
      clearSessionCookie(reply, options.secureCookies);
      if (!user) throw new AppError('SignInRequired', 'Your account no longer exists. Sign up or ask an administrator.');
      refuseInactive(user);
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !constantTimeEqual(sent, session.csrfToken)) {
        throw new AppError('CsrfTokenInvalid', `This write needs the ${CSRF_HEADER} header holding the token the portal received at sign-in. Reload the page and try again.`);
      }
    }
    signedIn.set(request, { user: user!, session });
    // The audit log names a developer by the user's ARM id (users are not directory objects).
    setRequestActor(request, { objectId: `${serviceResourceId(ctx.instance)}/users/${user!.id}`, appId: null });
  };

  // 200 either way, so a page loading while signed out logs no failed request in the console.
  app.get('/me', async (request, reply) => {
    void reply.header('Cache-Control', 'no-store');
    const id = cookieValue(request, DEVELOPER_COOKIE);
    const session = id !== undefined ? await sessions.find(id) : undefined;
    const user = session ? await ctx.store.management.getUser(session.userId) : undefined;
    if (!session || !user || user.state !== 'active') return reply.send({ signedIn: false });
    return reply.send({ signedIn: true, user: developerUserView(user), csrfToken: session.csrfToken });
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
