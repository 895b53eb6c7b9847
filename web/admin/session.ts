/** The admin portal's session: sign in, who is signed in, sign out (src/portal/admin-session-routes.ts). */
import { request, setCsrfToken } from '../shared/api.js';

export interface AdminSession {
  readonly user: { readonly id: string; readonly email: string; readonly firstName: string; readonly lastName: string };
  readonly csrfToken: string;
  readonly serviceResourceId: string;
}

const SESSION_PATH = '/portal/api/admin/session';

/** The current session, or undefined when not signed in. */
export async function currentSession(): Promise<AdminSession | undefined> {
  const answer = await request<({ signedIn: true } & AdminSession) | { signedIn: false }>(SESSION_PATH, { signIn: true });
  if (!answer.signedIn) return undefined;
  setCsrfToken(answer.csrfToken);
  return answer;
}

export async function signIn(email: string, password: string): Promise<AdminSession> {
  const session = await request<AdminSession>(SESSION_PATH, { method: 'POST', body: { email, password }, signIn: true });
  setCsrfToken(session.csrfToken);
  return session;
}

export async function signOut(): Promise<void> {
  try {
    await request<void>(SESSION_PATH, { method: 'DELETE', signIn: true });
  } finally {
    setCsrfToken('');
  }
}
