import { randomBytes } from 'node:crypto';
import { sha256 } from '../../shared/index.js';

/**
 * A signed-in developer: the APIM user the session belongs to and the CSRF token the page must send
 * back on every write. Developer sessions are their own audience: they open /developer/api only,
 * never the management API, and an admin sign-in never makes one (docs/portals.md, Developer portal).
 */
export interface DeveloperSession {
  readonly userId: string;
  readonly csrfToken: string;
}

/** Where developer sessions live; an interface so the store-backed sessions can take its place. */
export interface DeveloperSessionStore {
  /** Opens a session; the returned id goes into the cookie and is kept only as a digest. */
  open(userId: string): Promise<{ id: string; session: DeveloperSession }>;
  /** The session, when the id is known and neither idle nor absolute expiry has passed (touches it). */
  find(id: string): Promise<DeveloperSession | undefined>;
  close(id: string): Promise<void>;
  /** Ends every session of a user (deleted, blocked, password changed). */
  closeAllOf(userId: string): Promise<void>;
}

export interface SessionLifetimes {
  /** A session unused this long ends. */
  readonly idleMs: number;
  /** A session ends this long after sign-in, however busy. */
  readonly absoluteMs: number;
}

export const DEFAULT_SESSION_LIFETIMES: SessionLifetimes = Object.freeze({ idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 });

interface Stored extends DeveloperSession {
  readonly openedAt: number;
  lastUsedAt: number;
}

/**
 * Sessions in this process's memory, keyed by the SHA-256 of the cookie value (a leaked table
 * does not hand out sessions). Restarting Portico signs developers out; that is the price of not
 * needing a table, and a developer signs in again in seconds.
 */
export class InMemoryDeveloperSessions implements DeveloperSessionStore {
  private readonly sessions = new Map<string, Stored>();
  private lastSweep = 0;

  constructor(
    private readonly lifetimes: SessionLifetimes = DEFAULT_SESSION_LIFETIMES,
    private readonly now: () => number = Date.now,
    private readonly maxSessions = 100_000,
  ) {}

  async open(userId: string): Promise<{ id: string; session: DeveloperSession }> {
    this.sweep();
    const id = randomBytes(32).toString('base64url');
    const at = this.now();
    const stored: Stored = { userId, csrfToken: randomBytes(32).toString('base64url'), openedAt: at, lastUsedAt: at };
    // Bounded memory: the oldest session makes room (the map keeps insertion order).
    if (this.sessions.size >= this.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    this.sessions.set(sha256(id), stored);
    return { id, session: { userId, csrfToken: stored.csrfToken } };
  }

  async find(id: string): Promise<DeveloperSession | undefined> {
    const key = sha256(id);
    const stored = this.sessions.get(key);
    if (!stored) return undefined;
    const at = this.now();
    if (at - stored.lastUsedAt >= this.lifetimes.idleMs || at - stored.openedAt >= this.lifetimes.absoluteMs) {
      this.sessions.delete(key);
      return undefined;
    }
    stored.lastUsedAt = at;
    return { userId: stored.userId, csrfToken: stored.csrfToken };
  }

  async close(id: string): Promise<void> {
    this.sessions.delete(sha256(id));
  }

  async closeAllOf(userId: string): Promise<void> {
    for (const [key, stored] of this.sessions) if (stored.userId === userId) this.sessions.delete(key);
  }

  /** Drops expired sessions, so an abandoned one does not hold memory until it is asked for. */
  private sweep(): void {
    const at = this.now();
    if (at - this.lastSweep < 60_000) return; // at most once a minute: the walk is O(sessions)
    this.lastSweep = at;
    for (const [key, stored] of this.sessions) {
      if (at - stored.lastUsedAt >= this.lifetimes.idleMs || at - stored.openedAt >= this.lifetimes.absoluteMs) this.sessions.delete(key);
    }
  }
}
