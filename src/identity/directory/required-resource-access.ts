import type { Store } from '../../store/store.js';
import type { ApplicationRecord, RequiredResourceAccess } from './directory-store.js';

/**
 * Keeps a client application's `requiredResourceAccess` in step with the roles granted to its
 * service principal, as the Entra portal does when admin consent is granted from the app's
 * "API permissions" page. Returns the changed application's id, if any changed.
 */
export async function addResourceAccessFor(tx: Store, principalId: string, resourceAppId: string, roleId: string): Promise<string | undefined> {
  const app = await clientApplication(tx, principalId);
  if (!app) return undefined;
  const entry = app.requiredResourceAccess.find((r) => r.resourceAppId === resourceAppId);
  if (entry?.resourceAccess.some((a) => a.id === roleId && a.type === 'Role')) return undefined;
  const updated: RequiredResourceAccess = entry
    ? { resourceAppId, resourceAccess: [...entry.resourceAccess, { id: roleId, type: 'Role' }] }
    : { resourceAppId, resourceAccess: [{ id: roleId, type: 'Role' }] };
  const others = app.requiredResourceAccess.filter((r) => r.resourceAppId !== resourceAppId);
  await tx.directory.updateApplication({ ...app, requiredResourceAccess: [...others, updated] });
  return app.id;
}

export async function removeResourceAccessFor(tx: Store, principalId: string, resourceAppId: string, roleId: string): Promise<string | undefined> {
  const app = await clientApplication(tx, principalId);
  const entry = app?.requiredResourceAccess.find((r) => r.resourceAppId === resourceAppId);
  if (!app || !entry || !entry.resourceAccess.some((a) => a.id === roleId)) return undefined;
  const remaining = entry.resourceAccess.filter((a) => !(a.id === roleId && a.type === 'Role'));
  const requiredResourceAccess = app.requiredResourceAccess.flatMap((r) =>
    r.resourceAppId !== resourceAppId ? [r] : remaining.length > 0 ? [{ resourceAppId, resourceAccess: remaining }] : []);
  await tx.directory.updateApplication({ ...app, requiredResourceAccess });
  return app.id;
}

/** Managed identities have a service principal but no application; they have nothing to update. */
async function clientApplication(tx: Store, principalId: string): Promise<ApplicationRecord | undefined> {
  const sp = await tx.directory.getServicePrincipal(principalId);
  return sp ? tx.directory.getApplicationByAppId(sp.appId) : undefined;
}
