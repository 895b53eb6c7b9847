/**
 * Start-up reconciliation: what a process killed in the middle of a multi-step write left behind.
 *
 * Registering a client application (or turning on application-token for a product) creates
 * directory objects first — application, service principal, role grants — and then the
 * management record. The directory may be remote (a Microsoft Graph–backed one), so the two
 * cannot share a transaction; a crash between them leaves a directory application that nothing
 * references, to which an Application Administrator could then add a password. So at start, before
 * the management API serves, every application the service's managed identity created (its owned
 * objects) that no client application and no product references is deleted (its service principal
 * and role grants go with it), acting as the managed identity, each deletion audited as its own.
 * Applications created by anyone else are never touched.
 *
 * Deleting a client application goes the other way (directory application first, so no new token
 * can be issued, then the record): a crash between leaves a record whose application is gone,
 * which is removed here too.
 */
import type { ClientApplicationRecord } from '../management-store.js';
import type { ManagementContext } from '../context.js';
import { commitChange } from '../../store/change-unit.js';
import { removeAsManagedIdentity } from './managed-identity.js';
import { clientApplicationIds } from './client-applications.js';

export interface ReconcileResult {
  /** Object ids of the orphaned directory applications removed. */
  readonly removedApplications: readonly string[];
  /** Client applications whose directory application was gone, removed. */
  readonly removedClientApplications: readonly string[];
  /** What could not be done (the managed identity lacks its role, the directory is unreachable); start goes on. */
  readonly failures: readonly { readonly objectId: string; readonly error: unknown }[];
}

export async function reconcileDirectory(ctx: ManagementContext): Promise<ReconcileResult> {
  const owned = await ctx.directory.listOwnedApplications();
  const clientApps = await ctx.store.management.listClientApplications();
  const referencedObjects = new Set(clientApps.map((app) => app.entraObjectId.toLowerCase()));
  const referencedAppIds = new Set(
    (await ctx.store.management.listProducts()).flatMap((product) => (product.entraApplicationId ? [product.entraApplicationId.toLowerCase()] : [])),
  );
  const removedApplications: string[] = [];
  const failures: { objectId: string; error: unknown }[] = [];
  for (const app of owned) {
    if (referencedObjects.has(app.id.toLowerCase()) || referencedAppIds.has(app.appId.toLowerCase())) continue;
    try {
      await removeAsManagedIdentity(ctx, `remove the orphaned directory application '${app.displayName}' (${app.id})`, (d) => d.deleteApplication(app.id));
      removedApplications.push(app.id);
    } catch (error) {
      failures.push({ objectId: app.id, error });
    }
  }

  // Records of applications the managed identity owns are known to be intact; the others (older
  // than the creator column) are looked up one by one.
  const ownedObjects = new Set(owned.map((app) => app.id.toLowerCase()));
  const removedClientApplications: string[] = [];
  for (const app of clientApps) {
    if (ownedObjects.has(app.entraObjectId.toLowerCase())) continue;
    try {
      if (await ctx.directory.getApplicationByAppId(app.entraApplicationId)) continue;
      await removeDanglingRecord(ctx, app);
      removedClientApplications.push(app.id);
    } catch (error) {
      failures.push({ objectId: app.entraObjectId, error });
    }
  }
  return { removedApplications, removedClientApplications, failures };
}

async function removeDanglingRecord(ctx: ManagementContext, app: ClientApplicationRecord): Promise<void> {
  await commitChange(ctx, async (tx) => {
    await tx.management.deleteClientApplication(app.id);
    return { result: undefined, event: { type: 'clientApplication.deleted', ...clientApplicationIds(app) } };
  });
}
