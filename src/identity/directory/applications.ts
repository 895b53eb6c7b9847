import { AppError } from '../../errors/index.js';
import { newGuid } from '../../shared/index.js';
import type { Store } from '../../store/store.js';
import type { CreateApplicationInput, AppRoleInput } from './directory-client.js';
import { commit, isoNow, type DirectoryContext } from './directory-context.js';
import { normaliseIdentifierUri, type ApplicationRecord, type AppRole } from './directory-store.js';
import { invalidProperty, notFound, optionalText, requireGuidProperty, requireObjectId, requireText } from './validate.js';
import { removeResourceAccessFor } from './required-resource-access.js';

const RESOURCE = 'Application';
const MAX_IDENTIFIER_URIS = 50;
const MAX_APP_ROLES = 100;

export async function createApplication(ctx: DirectoryContext, input: CreateApplicationInput): Promise<ApplicationRecord> {
  if (typeof input !== 'object' || input === null) throw new AppError('Request_BadRequest', 'The request body must be an Application object.');
  const displayName = requireText(input.displayName, 'displayName', RESOURCE, 256);
  const description = optionalText(input.description, 'description', RESOURCE, 1024);
  let appId = newGuid();
  if (input.appId !== undefined) {
    if (!ctx.privileged) throw invalidProperty('appId', RESOURCE, 'it is read-only and assigned by the directory.');
    appId = requireGuidProperty(input.appId, 'appId', RESOURCE);
  }
  const identifierUris = input.identifierUris === undefined ? [`api://${appId}`] : validateIdentifierUris(input.identifierUris);
  const appRoles = validateAppRoles(input.appRoles ?? []);
  const version = input.requestedAccessTokenVersion ?? 2;
  if (version !== 1 && version !== 2) throw invalidProperty('api.requestedAccessTokenVersion', RESOURCE, 'it must be 1 or 2.');

  const app: ApplicationRecord = {
    id: newGuid(), appId, displayName, description, identifierUris, appRoles,
    requiredResourceAccess: [], requestedAccessTokenVersion: version, createdDateTime: isoNow(ctx),
    ...(input.createdBy ? { createdBy: input.createdBy.toLowerCase() } : {}),
  };
  return commit(ctx, async (tx) => {
    if (await tx.directory.getApplicationByAppId(appId)) throw duplicate('appId');
    await assertIdentifierUrisFree(tx, identifierUris);
    await tx.directory.insertApplication(app);
    return { result: app, event: { type: 'application.created', applicationObjectId: app.id, appId: app.appId, changedObjectIds: [app.id] } };
  });
}

export const getApplication = (ctx: DirectoryContext, objectId: string): Promise<ApplicationRecord | undefined> =>
  ctx.store.directory.getApplication(requireObjectId(objectId));

export const getApplicationByAppId = (ctx: DirectoryContext, appId: string): Promise<ApplicationRecord | undefined> =>
  ctx.store.directory.getApplicationByAppId(requireObjectId(appId));

/** Graph semantics: the app's service principal and every assignment it is part of go too. */
export async function deleteApplication(ctx: DirectoryContext, objectId: string): Promise<void> {
  const id = requireObjectId(objectId);
  await commit(ctx, async (tx) => {
    const app = await tx.directory.getApplication(id);
    if (!app) throw notFound(objectId);
    const changed = [app.id];
    const sp = await tx.directory.getServicePrincipalByAppId(app.appId);
    if (sp) {
      // Clients granted a role on this resource lose the matching requiredResourceAccess entry.
      const granted = await tx.directory.listAppRoleAssignments({ resourceId: sp.id });
      for (const assignment of granted) {
        const changedApp = await removeResourceAccessFor(tx, assignment.principalId, app.appId, assignment.appRoleId);
        if (changedApp) changed.push(changedApp);
      }
      await tx.directory.deleteServicePrincipal(sp.id);
      changed.push(sp.id);
    }
    await tx.directory.deleteApplication(app.id);
    return { result: undefined, event: { type: 'application.deleted', applicationObjectId: app.id, appId: app.appId, changedObjectIds: changed } };
  });
}

function validateIdentifierUris(uris: unknown): string[] {
  if (!Array.isArray(uris) || uris.length > MAX_IDENTIFIER_URIS) {
    throw invalidProperty('identifierUris', RESOURCE, `it must be an array of at most ${MAX_IDENTIFIER_URIS} URIs.`);
  }
  const seen = new Set<string>();
  for (const uri of uris) {
    if (!isAbsoluteUri(uri)) throw invalidProperty('identifierUris', RESOURCE, `'${String(uri)}' is not an absolute URI.`);
    const key = uri.toLowerCase();
    if (seen.has(key)) throw invalidProperty('identifierUris', RESOURCE, `'${uri}' is listed twice.`);
    seen.add(key);
  }
  return [...uris] as string[];
}

export function isAbsoluteUri(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 2048 || /\s/.test(value)) return false;
  if (!/^[a-z][a-z0-9+.-]*:/i.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** One indexed lookup, whatever the number of applications. */
async function assertIdentifierUrisFree(tx: Store, uris: readonly string[]): Promise<void> {
  if ((await tx.directory.findApplicationIdByIdentifierUris(uris)) !== undefined) throw duplicate('identifierUris');
}

/** Identifier URIs compare case-insensitively and without a trailing slash, as the token endpoint resolves them. */
export const normaliseUri = normaliseIdentifierUri;

function validateAppRoles(roles: unknown): AppRole[] {
  if (!Array.isArray(roles) || roles.length > MAX_APP_ROLES) {
    throw invalidProperty('appRoles', RESOURCE, `it must be an array of at most ${MAX_APP_ROLES} roles.`);
  }
  const values = new Set<string>();
  return roles.map((role: AppRoleInput): AppRole => {
    if (typeof role !== 'object' || role === null) throw invalidProperty('appRoles', RESOURCE, 'each role must be an object.');
    const value = requireText(role.value, 'appRoles.value', RESOURCE, 249);
    if (/\s/.test(value) || value.startsWith('.')) {
      throw invalidProperty('appRoles.value', RESOURCE, `'${value}' must not contain whitespace or start with a dot.`);
    }
    if (values.has(value)) throw invalidProperty('appRoles.value', RESOURCE, `'${value}' is used by two roles.`);
    values.add(value);
    return {
      id: newGuid(),
      value,
      displayName: requireText(role.displayName, 'appRoles.displayName', RESOURCE, 256),
      description: requireText(role.description, 'appRoles.description', RESOURCE, 1024),
      allowedMemberTypes: ['Application'],
      isEnabled: true,
    };
  });
}

/** Graph's own answer for a uniqueness clash (a 400, not a 409). */
export const duplicate = (property: string): AppError =>
  new AppError('Request_BadRequest', `Another object with the same value for property ${property} already exists.`);

/**
 * Adds one app role to an existing application (the management plane's "bring your own backend app"
 * for a product); a role with the same value already there is kept as it is.
 */
export async function addAppRole(ctx: DirectoryContext, objectId: string, input: AppRoleInput): Promise<ApplicationRecord> {
  const id = requireObjectId(objectId);
  const [role] = validateAppRoles([input]);
  return commit(ctx, async (tx) => {
    const app = await tx.directory.getApplication(id);
    if (!app) throw notFound(objectId);
    if (app.appRoles.some((existing) => existing.value === role!.value)) return { result: app, event: undefined };
    if (app.appRoles.length >= MAX_APP_ROLES) throw invalidProperty('appRoles', RESOURCE, `it must be an array of at most ${MAX_APP_ROLES} roles.`);
    const updated: ApplicationRecord = { ...app, appRoles: [...app.appRoles, role!] };
    await tx.directory.updateApplication(updated);
    return { result: updated, event: { type: 'directory.changed', changedObjectIds: [app.id] } };
  });
}
