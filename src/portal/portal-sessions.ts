import { randomBytes } from 'node:crypto';
import { sha256 } from '../shared/index.js';

/** Which portal a session belongs to: each has its own cookie and its own sign-in rules. */
export type PortalKind = 'admin' | 'developer';

export interface PortalSession {
  readonly kind: PortalKind;
  /** The APIM user (management store `users`) who signed in. */
  readonly userId: string;
  /** Sent back by the SPA in the X-CSRF-Token header on every write. */
  readonly csrfToken: string;
  readonly createdAt: number;
  lastSeenAt: number;
  /**
   * credentialOf(user) when the session began: a password change alters it, and every lookup
   * (which reads the live user anyway) ends a session whose credential is no longer the user's.
   */
  credential: string;
}

/**
 * A digest of the user's password hash: equal while the password is unchanged. The hash itself is
 * not kept in the session table, so the table holds nothing a guesser could work on.
 */
export function credentialOf(user: { readonly passwordHash: string | null }): string {
  return sha256(`portal-session-credential\n${user.passwordHash ?? ''}`);
}

export interface SessionLimits {
  /** A session unused this long ends (ms). */
  readonly idleMs: number;
  /** A session ends this long after sign-in, however busy (ms). */
  readonly maxMs: number;
}

/**
 * At most this many live sessions per portal; the least recently used one goes first when full.
 * Each portal has its own table, so developers signing in (sign-in succeeds without limit, sign-up
 * may be open) can never push an administrator's session out.
 */
const MAX_SESSIONS = 10_000;
/** At most this many live sessions per user and portal: one user signing in over and over replaces their own oldest session, nobody else's. */
const MAX_SESSIONS_PER_USER = 20;

/**
 * Portal sessions, in this process's memory. The cookie carries a 256-bit random token; only its
 * SHA-256 is kept, so a memory dump or log line of the table opens nothing.
 *
 * Why memory and not the store: one process serves the management listener per store (the store's
 * exclusive lock), so every request of a session reaches this table; a restart signs portal users
 * out, which is safe and only costs a sign-in. Sessions in the store (for several management
 * nodes) would replace this class behind the same methods (docs/portals.md).
 */
export class PortalSessions {
  /** Keyed by the token's digest; Map order is least recently used first (touch re-inserts). */
  private readonly tables: Readonly<Record<PortalKind, Map<string, PortalSession>>> = { admin: new Map(), developer: new Map() };

  constructor(
    private readonly limits: SessionLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new session; the returned token goes into the cookie and is never stored. */
  create(kind: PortalKind, userId: string, credential: string): { token: string; session: PortalSession } {
    const token = randomBytes(32).toString('base64url');
    const at = this.now();
    const session: PortalSession = { kind, userId, csrfToken: randomBytes(32).toString('base64url'), createdAt: at, lastSeenAt: at, credential };
    const table = this.tables[kind];
    const own = [...table].filter(([, s]) => s.userId === userId);
    if (own.length >= MAX_SESSIONS_PER_USER) table.delete(own[0]![0]); // the user's least recently used
    else if (table.size >= MAX_SESSIONS) {
      const oldest = table.keys().next().value;
      if (oldest !== undefined) table.delete(oldest);
    }
    table.set(sha256(token), session);
    return { token, session };
  }

  /** The live session of a token (and it counts as use), or undefined when unknown, ended or of another portal. */
  find(kind: PortalKind, token: string): PortalSession | undefined {
    const key = sha256(token);
    const table = this.tables[kind];
    const session = table.get(key);
    if (!session || session.kind !== kind) return undefined;
    const at = this.now();
    if (at - session.lastSeenAt >= this.limits.idleMs || at - session.createdAt >= this.limits.maxMs) {
      table.delete(key);
      return undefined;
    }
    session.lastSeenAt = at;
    table.delete(key);
    table.set(key, session);
    return session;
  }

  /** Sign-out. */
  end(token: string): void {
    const key = sha256(token);
    for (const table of Object.values(this.tables)) table.delete(key);
  }

  /**
   * Whether the session still matches its user's live record: false (and the session is ended) when
   * the user's password changed since it began. Other sessions of the user end on their own lookups;
   * sessions begun with the new password stay.
   */
  credentialHolds(session: PortalSession, user: { readonly passwordHash: string | null }): boolean {
    if (session.credential === credentialOf(user)) return true;
    const table = this.tables[session.kind];
    for (const [key, candidate] of table) if (candidate === session) table.delete(key);
    return false;
  }

  /** The session carries on under a new credential (its own user's password change, made through it). */
  renewCredential(session: PortalSession, credential: string): void {
    session.credential = credential;
  }

  /** Ends every session of a user (e.g. blocked or deleted). */
  endAllOf(userId: string): void {
    for (const table of Object.values(this.tables)) for (const [key, session] of table) if (session.userId === userId) table.delete(key);
  }
}
