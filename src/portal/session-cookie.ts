import type { PortalKind } from './portal-sessions.js';

/** One cookie per portal, so signing in to the developer portal never grants the admin portal. */
export const SESSION_COOKIE: Readonly<Record<PortalKind, string>> = Object.freeze({ admin: 'portico_admin_session', developer: 'portico_developer_session' });

/**
 * The session cookie's name: over HTTPS with the `__Host-` prefix, which browsers accept only from a
 * secure origin, with Path=/ and no Domain, so a sibling subdomain or a plain-http page cannot plant
 * or shadow it. Over http the plain name (browsers refuse `__Host-` without Secure); then only that
 * name is read, and over HTTPS only the prefixed one.
 */
export function sessionCookieName(kind: PortalKind, secure: boolean): string {
  return secure ? `__Host-${SESSION_COOKIE[kind]}` : SESSION_COOKIE[kind];
}

/** The header the SPA sends its session's CSRF token in, on every write. */
export const CSRF_HEADER = 'x-csrf-token';

/** The value of one cookie from a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    if (part.slice(0, index).trim() === name) {
      const value = part.slice(index + 1).trim();
      return /^[A-Za-z0-9_-]{1,128}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

/**
 * Set-Cookie for a session: HttpOnly (no script reads it), SameSite=Strict (no other site's page
 * sends it), Path=/, Secure when the listener is reached over HTTPS. No Max-Age: the server ends
 * sessions, and the browser forgets the cookie when it closes.
 */
export function sessionCookie(name: string, token: string, secure: boolean): string {
  return `${name}=${token}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** Set-Cookie that removes the cookie (sign-out, an ended session). */
export function clearedCookie(name: string, secure: boolean): string {
  return `${name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}
