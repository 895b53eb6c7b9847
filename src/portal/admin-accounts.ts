import type { ManagementStore, UserRecord } from '../management/index.js';
import { hashPassword, verifyPassword } from '../shared/index.js';

/** The built-in administrators group: its members (and the admin user) may sign in to the admin portal. */
export const ADMINISTRATORS_GROUP = 'administrators';
/** The admin user made at first start (bootstrap/first-start.ts), an administrator even outside the group. */
const ADMIN_USER_ID = '1';

/** A hash to verify against when the email is unknown, so a miss takes as long as a wrong password. */
const decoyHash = hashPassword('portico-decoy-password');

/** Whether the user may use the admin portal now: active, and the admin user or in `administrators`. */
export async function isAdministrator(store: ManagementStore, user: UserRecord): Promise<boolean> {
  if (user.state !== 'active') return false;
  if (user.id === ADMIN_USER_ID) return true;
  const members = await store.listGroupUsers(ADMINISTRATORS_GROUP);
  return members.includes(user.id);
}

/**
 * The user an email and password belong to, or undefined. Every miss (unknown email, no password,
 * wrong password) looks the same to the caller and costs one scrypt, so neither answer nor timing
 * tells whether an account exists.
 */
export async function checkPassword(store: ManagementStore, email: string, password: string): Promise<UserRecord | undefined> {
  const user = await store.getUserByEmail(email);
  const stored = user?.passwordHash ?? (await decoyHash);
  const matches = await verifyPassword(password, stored);
  return user?.passwordHash && matches ? user : undefined;
}
