/**
 * Many client registrations in one directory transaction: for each, an application, its service
 * principal and the app role grants ("admin consent") on resource principals — the same objects
 * createApplication + createServicePrincipal + grantAppRole make one call at a time — plus grants
 * to and revocations from existing principals. Bulk import (management's import endpoint) uses it,
 * so a batch of a thousand registrations is one commit, and the statements per registration do
 * not depend on the size of the directory. All or nothing.
 */
import { AppError } from '../../errors/index.js';
import { newGuid } from '../../shared/index.js';
import type { Store } from '../../store/store.js';
import type { ApplicationBatch, ApplicationBatchResult, RegisteredApplication } from './directory-client.js';
import { commit, isoNow, type DirectoryContext } from './directory-context.js';
import type { AppRole, AppRoleAssignmentRecord, ApplicationRecord, RequiredResourceAccess, ServicePrincipalRecord } from './directory-store.js';
import { addResourceAccessFor, removeResourceAccessFor } from './required-resource-access.js';
import { invalidProperty, notFound, optionalText, requireGuidProperty, requireObjectId, requireText } from './validate.js';

/** At most this many operations (registrations + grants + revocations) per batch. */
export const MAX_APPLICATION_BATCH = 2_000;

const RESOURCE = 'ApplicationBatch';

interface Grantable {
  readonly sp: ServicePrincipalRecord;
  readonly resourceAppId: string;
  readonly role: AppRole;
}

export async function applyApplicationBatch(ctx: DirectoryContext, batch: ApplicationBatch): Promise<ApplicationBatchResult> {
  if (typeof batch !== 'object' || batch === null) throw new AppError('Request_BadRequest', 'The request body must be an ApplicationBatch object.');
  const register = batch.register ?? [];
  const grant = batch.grant ?? [];
  const revoke = batch.revoke ?? [];
  if (register.length + grant.length + revoke.length > MAX_APPLICATION_BATCH) {
    throw invalidProperty('register', RESOURCE, `a batch holds at most ${MAX_APPLICATION_BATCH} registrations, grants and revocations together.`);
  }
  const registrations = register.map((input, index) => ({
    displayName: requireText(input.displayName, `register[${index}].displayName`, RESOURCE, 256),
    description: optionalText(input.description, `register[${index}].description`, RESOURCE, 1024),
    grants: input.grants.map((g, n) => ({
      resourceId: requireGuidProperty(g.resourceId, `register[${index}].grants[${n}].resourceId`, RESOURCE),
      appRoleId: requireGuidProperty(g.appRoleId, `register[${index}].grants[${n}].appRoleId`, RESOURCE),
    })),
  }));
  const grants = grant.map((g, index) => ({
    principalId: requireGuidProperty(g.principalId, `grant[${index}].principalId`, RESOURCE),
    resourceId: requireGuidProperty(g.resourceId, `grant[${index}].resourceId`, RESOURCE),
    appRoleId: requireGuidProperty(g.appRoleId, `grant[${index}].appRoleId`, RESOURCE),
  }));
  const revocations = revoke.map((id) => requireObjectId(id));
  if (registrations.length + grants.length + revocations.length === 0) return { registered: [], granted: [] };

  return commit(ctx, async (tx) => {
    // Resource principals and their roles, read once per batch (a handful: one per product).
    const resources = new Map<string, Grantable>();
    const grantable = async (resourceId: string, appRoleId: string, target: string): Promise<Grantable> => {
      const key = `${resourceId}/${appRoleId}`;
      const known = resources.get(key);
      if (known) return known;
      const sp = await tx.directory.getServicePrincipal(resourceId);
      if (!sp) throw invalidProperty(`${target}.resourceId`, RESOURCE, `no service principal has id '${resourceId}'.`);
      const app = await tx.directory.getApplicationByAppId(sp.appId);
      const role = app?.appRoles.find((r) => r.id === appRoleId);
      if (!app || !role) throw invalidProperty(`${target}.appRoleId`, RESOURCE, `the resource '${sp.displayName}' defines no app role with id '${appRoleId}'.`);
      if (!role.isEnabled || !role.allowedMemberTypes.includes('Application')) {
        throw invalidProperty(`${target}.appRoleId`, RESOURCE, `the app role '${role.value}' cannot be assigned to applications now.`);
      }
      const found = { sp, resourceAppId: app.appId, role };
      resources.set(key, found);
      return found;
    };

    const registered: RegisteredApplication[] = [];
    const changed: string[] = [];
    for (const [index, input] of registrations.entries()) {
      const granted: Grantable[] = [];
      for (const [n, g] of input.grants.entries()) granted.push(await grantable(g.resourceId, g.appRoleId, `register[${index}].grants[${n}]`));
      registered.push(await registerOne(ctx, tx, input, granted));
      changed.push(registered.at(-1)!.application.id, registered.at(-1)!.servicePrincipal.id);
    }

    const newGrants: AppRoleAssignmentRecord[] = [];
    for (const [index, g] of grants.entries()) {
      const principal = await tx.directory.getServicePrincipal(g.principalId);
      if (!principal) throw invalidProperty(`grant[${index}].principalId`, RESOURCE, `no service principal has id '${g.principalId}'.`);
      const target = await grantable(g.resourceId, g.appRoleId, `grant[${index}]`);
      const existing = (await tx.directory.listAppRoleAssignments({ principalId: g.principalId })).find((a) => a.resourceId === g.resourceId && a.appRoleId === g.appRoleId);
      if (existing) {
        newGrants.push(existing);
        continue;
      }
      const assignment: AppRoleAssignmentRecord = { id: newGuid(), ...g, createdDateTime: isoNow(ctx) };
      await tx.directory.insertAppRoleAssignment(assignment);
      const changedApp = await addResourceAccessFor(tx, g.principalId, target.resourceAppId, g.appRoleId);
      newGrants.push(assignment);
      changed.push(assignment.id, g.principalId, ...(changedApp ? [changedApp] : []));
    }

    for (const id of revocations) {
      const assignment = await tx.directory.getAppRoleAssignment(id);
      if (!assignment) throw notFound(id);
      await tx.directory.deleteAppRoleAssignment(id);
      const resource = await tx.directory.getServicePrincipal(assignment.resourceId);
      const changedApp = resource ? await removeResourceAccessFor(tx, assignment.principalId, resource.appId, assignment.appRoleId) : undefined;
      changed.push(id, assignment.principalId, ...(changedApp ? [changedApp] : []));
    }
    // Inside a management write (the only caller) this is absorbed into that write's own event.
    return { result: { registered, granted: newGrants }, event: { type: 'directory.changed', changedObjectIds: changed } };
  });
}

/** The rows createApplication, createServicePrincipal and grantAppRole would write, written directly. */
async function registerOne(
  ctx: DirectoryContext,
  tx: Store,
  input: { displayName: string; description: string | null },
  grants: readonly Grantable[],
): Promise<RegisteredApplication> {
  const now = isoNow(ctx);
  const appId = newGuid();
  const access = new Map<string, { id: string; type: 'Role' }[]>();
  for (const g of grants) {
    const list = access.get(g.resourceAppId) ?? [];
    if (!list.some((a) => a.id === g.role.id)) list.push({ id: g.role.id, type: 'Role' });
    access.set(g.resourceAppId, list);
  }
  const requiredResourceAccess: RequiredResourceAccess[] = [...access].map(([resourceAppId, resourceAccess]) => ({ resourceAppId, resourceAccess }));
  const application: ApplicationRecord = {
    id: newGuid(), appId, displayName: input.displayName, description: input.description, identifierUris: [`api://${appId}`],
    appRoles: [], requiredResourceAccess, requestedAccessTokenVersion: 2, createdDateTime: now,
  };
  // A fresh GUID's api:// URI clashes with nothing; the unique index would refuse it if it did.
  await tx.directory.insertApplication(application);
  const servicePrincipal: ServicePrincipalRecord = {
    id: newGuid(), appId, displayName: input.displayName, servicePrincipalType: 'Application',
    appRoleAssignmentRequired: false, accountEnabled: true, createdDateTime: now,
  };
  await tx.directory.insertServicePrincipal(servicePrincipal);
  const assignments: AppRoleAssignmentRecord[] = [];
  const seen = new Set<string>();
  for (const g of grants) {
    const key = `${g.sp.id}/${g.role.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const assignment: AppRoleAssignmentRecord = { id: newGuid(), principalId: servicePrincipal.id, resourceId: g.sp.id, appRoleId: g.role.id, createdDateTime: now };
    await tx.directory.insertAppRoleAssignment(assignment);
    assignments.push(assignment);
  }
  return { application, servicePrincipal, assignments };
}
