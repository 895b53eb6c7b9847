import { AppError, StoreError } from '../../errors/index.js';
import { hashPassword, type ChangeEventBody } from '../../shared/index.js';
import { commitChange } from '../../store/change-unit.js';
import type { Store } from '../../store/store.js';
import type { UserRecord, UserState } from '../management-store.js';
import type { ManagementContext } from '../context.js';
import { armResource, parseChildReference, type ArmResource } from '../arm/resource.js';
import { BodyValidator, checkResourceName, validationError } from '../arm/validate.js';
import { checkIfMatch } from '../arm/etag.js';
import { armDateTime } from '../arm/date.js';
import { currentAuditScope } from '../../audit/audit-scope.js';

/** The built-in administrator (first start) and the system-managed group whose members may use the admin portal. */
const ADMIN_USER_ID = '1';
const ADMINISTRATORS_GROUP = 'administrators';

/**
 * An administrator's password and email are the admin portal's sign-in, and an admin session acts
 * as the Portico Administrator application in the directory (its Privileged Role Administrator
 * role, src/portal/admin-graph.ts). Any other caller with the Service.Contributor role setting them
 * would gain those directory powers; so only that administrator, signed in to the admin portal
 * (audit actor `users/<id>`), may change them. Fails closed when no caller is known.
 */
async function checkAdministratorSignInChange(ctx: ManagementContext, existing: UserRecord | undefined, email: string | undefined, password: string | undefined): Promise<void> {
  if (!existing) return;
  const changesSignIn = password !== undefined || (email !== undefined && email.toLowerCase() !== existing.email.toLowerCase());
  if (!changesSignIn) return;
  const administrator = existing.id === ADMIN_USER_ID || (await ctx.store.management.listGroupUsers(ADMINISTRATORS_GROUP)).includes(existing.id);
  if (!administrator) return;
  if (currentAuditScope()?.actor.objectId === `users/${existing.id}`) return;
  throw new AppError(
    'AuthorizationFailed',
    `User '${existing.id}' is an administrator: its password and email are its admin portal sign-in, which only that administrator may change, signed in to the admin portal.`,
  );
}

export const USER_STATES: readonly UserState[] = ['active', 'blocked', 'pending', 'deleted'];
// Deliberately simple: one @, no spaces, a dot in the domain part.
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export async function userResource(ctx: ManagementContext, user: UserRecord): Promise<ArmResource> {
  return userResourceWith(ctx, user, await ctx.store.management.listUserGroups(user.id));
}

/** A page of users with their groups read in one query. */
export async function userResources(ctx: ManagementContext, list: readonly UserRecord[]): Promise<ArmResource[]> {
  const groups = await ctx.store.management.listGroupsOfUsers(list.map((user) => user.id));
  return list.map((user) => userResourceWith(ctx, user, groups.get(user.id) ?? []));
}

function userResourceWith(ctx: ManagementContext, user: UserRecord, groups: readonly string[]): ArmResource {
  return armResource(ctx.instance, [['users', user.id]], {
    firstName: user.firstName,
    lastName: user.lastName,
    email: user.email,
    state: user.state,
    registrationDate: armDateTime(user.registrationDate),
    note: user.note,
    groups: groups.map((id) => ({ id: `/groups/${id}`, name: id })),
    identities: [{ provider: 'Basic', id: user.email }],
  });
}

export async function requireUser(ctx: ManagementContext, id: string): Promise<UserRecord> {
  const user = await ctx.store.management.getUser(id);
  if (!user) throw new AppError('ResourceNotFound', 'User not found.');
  return user;
}

export async function putUser(ctx: ManagementContext, id: string, body: unknown, ifMatch: string | undefined): Promise<{ user: UserRecord; created: boolean }> {
  checkResourceName('user', id);
  const existing = await ctx.store.management.getUser(id);
  if (existing) checkIfMatch(ifMatch, await userResource(ctx, existing));
  const input = BodyValidator.fromBody(body);
  const email = input.string('email', { required: true, max: 254, pattern: EMAIL, patternRule: 'must be an email address like name@example.com.' });
  const firstName = input.string('firstName', { required: true, max: 100 });
  const lastName = input.string('lastName', { required: true, max: 100 });
  const password = input.string('password', { min: 8, max: 256 });
  const state = input.oneOf('state', USER_STATES);
  const note = input.nullableString('note', 4000);
  input.done();
  await checkAdministratorSignInChange(ctx, existing, email, password);
  // Names are case-insensitive: an existing user keeps the name it was created with.
  const userId = existing?.id ?? id;
  const user: UserRecord = {
    id: userId,
    email: email!,
    firstName: firstName!,
    lastName: lastName!,
    state: state ?? existing?.state ?? 'active',
    note: note !== undefined ? note : (existing?.note ?? null),
    passwordHash: password !== undefined ? await hashPassword(password) : (existing?.passwordHash ?? null),
    registrationDate: existing?.registrationDate ?? new Date().toISOString(),
  };
  await commitChange(ctx, async (tx) => {
    await saveUser(tx, user);
    if (!existing) await tx.management.addGroupUser('developers', userId);
    return { result: undefined, event: userEvent(existing, user) };
  });
  return { user, created: !existing };
}

export async function patchUser(ctx: ManagementContext, id: string, body: unknown, ifMatch: string | undefined): Promise<UserRecord> {
  const existing = await requireUser(ctx, id);
  checkIfMatch(ifMatch, await userResource(ctx, existing));
  const input = BodyValidator.fromBody(body);
  const email = input.string('email', { max: 254, pattern: EMAIL, patternRule: 'must be an email address like name@example.com.' });
  const firstName = input.string('firstName', { max: 100, min: 1 });
  const lastName = input.string('lastName', { max: 100, min: 1 });
  const password = input.string('password', { min: 8, max: 256 });
  const state = input.oneOf('state', USER_STATES);
  const note = input.nullableString('note', 4000);
  input.done();
  await checkAdministratorSignInChange(ctx, existing, email, password);
  const user: UserRecord = {
    ...existing,
    ...(email !== undefined ? { email } : {}),
    ...(firstName !== undefined ? { firstName } : {}),
    ...(lastName !== undefined ? { lastName } : {}),
    ...(state !== undefined ? { state } : {}),
    ...(note !== undefined ? { note } : {}),
    ...(password !== undefined ? { passwordHash: await hashPassword(password) } : {}),
  };
  await commitChange(ctx, async (tx) => {
    await saveUser(tx, user);
    return { result: undefined, event: userEvent(existing, user) };
  });
  return user;
}

/** created, stateChanged (blocking or unblocking matters to the gateway) or updated. */
function userEvent(before: UserRecord | undefined, after: UserRecord): ChangeEventBody {
  if (!before) return { type: 'user.created', userId: after.id };
  if (before.state !== after.state) return { type: 'user.stateChanged', userId: after.id, state: after.state };
  return { type: 'user.updated', userId: after.id };
}

async function saveUser(tx: Store, user: UserRecord): Promise<void> {
  try {
    await tx.management.putUser(user);
  } catch (error) {
    if (error instanceof StoreError && error.code === 'STORE_CONFLICT') {
      // Said once: the detail repeats the message (clients that join message and details skip a repeat),
      // and says what to do when the account exists without a password (an administrator created it).
      const message = `Another user already has the email '${user.email}'. If that account has no password yet, an administrator sets one (\`portico user update <user id> --password …\` or the admin portal's Users → Edit).`;
      throw new AppError('Conflict', message, [{ code: 'DuplicateEmail', target: 'email', message }]);
    }
    throw error;
  }
}

/** At most this many client application names in the Conflict message of a user's delete. */
const LISTED_IN_CONFLICT = 10;

export async function deleteUser(ctx: ManagementContext, id: string, ifMatch: string | undefined, deleteSubscriptions: boolean): Promise<boolean> {
  const existing = await ctx.store.management.getUser(id);
  if (!existing) return false;
  checkIfMatch(ifMatch, await userResource(ctx, existing));
  const userId = existing.id;
  if (userId === '1') throw new AppError('Conflict', "User '1' is the built-in administrator and cannot be deleted.");
  // The checks run in the delete's transaction, by index: what they saw is what gets deleted.
  await commitChange(ctx, async (tx) => {
    const apps = await tx.management.listClientApplications({ ownerId: userId }, { top: LISTED_IN_CONFLICT, skip: 0 });
    if (apps.length > 0) {
      const names = apps.slice(0, LISTED_IN_CONFLICT).map((a) => a.id).join(', ') + (apps.length > LISTED_IN_CONFLICT ? ', …' : '');
      throw new AppError('Conflict', `User '${userId}' owns client applications: ${names}. Delete them first.`);
    }
    if (!deleteSubscriptions) {
      const owned = await tx.management.countSubscriptions({ ownerId: userId });
      if (owned > 0) throw new AppError('Conflict', `User '${userId}' owns ${owned} subscription(s). Delete them first or pass deleteSubscriptions=true.`);
    }
    const removed = await tx.management.deleteSubscriptionsOfOwner(userId);
    await tx.management.deleteUser(userId); // group memberships cascade
    return { result: undefined, event: { type: 'user.deleted', userId, subscriptionIds: removed } };
  });
  return true;
}

/** Resolves an `ownerId` reference (`/users/{id}`, the full ARM id or a bare id) to the stored user id. */
export async function resolveOwnerReference(ctx: ManagementContext, reference: string): Promise<string> {
  const userId = parseChildReference(ctx.instance, 'users', reference);
  const user = userId !== undefined ? await ctx.store.management.getUser(userId) : undefined;
  if (!user) {
    throw validationError([{ target: 'ownerId', message: `ownerId must name an existing user of this service, like '/users/{userId}'; '${reference}' does not.` }]);
  }
  return user.id;
}
