import type { FastifyReply, FastifyRequest } from 'fastify';

/** The developer portal's session cookie: only sent to /developer, never to the admin portal or the management API. */
export const DEVELOPER_COOKIE = 'portico_developer';
export const DEVELOPER_COOKIE_PATH = '/developer';
/** The header every developer write must carry, holding the session's CSRF token. */
export const CSRF_HEADER = 'x-csrf-token';

/** One cookie's value from the Cookie header (the first one of that name), or undefined. */
export function cookieValue(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      // Ours are base64url; anything else is not a session id.
      return /^[A-Za-z0-9_-]{1,128}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

/** HttpOnly, SameSite=Strict, Path=/developer; Secure when the portal is served over HTTPS. No Max-Age: the server decides expiry. */
export function setSessionCookie(reply: FastifyReply, id: string, secure: boolean): void {
  void reply.header('Set-Cookie', `${DEVELOPER_COOKIE}=${id}; Path=${DEVELOPER_COOKIE_PATH}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`);
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  void reply.header('Set-Cookie', `${DEVELOPER_COOKIE}=; Path=${DEVELOPER_COOKIE_PATH}; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`);
}
