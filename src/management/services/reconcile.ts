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
 */
import type { ManagementContext } from '../context.js';
import { removeAsManagedIdentity } from './managed-identity.js';

export interface ReconcileResult {
  /** Object ids of the orphaned directory applications removed. */
  readonly removedApplications: readonly string[];
}

export async function removeOrphanedDirectoryObjects(ctx: ManagementContext): Promise<ReconcileResult> {
  const owned = await ctx.directory.listOwnedApplications();
  if (owned.length === 0) return { removedApplications: [] };
  const referencedObjects = new Set((await ctx.store.management.listClientApplications()).map((app) => app.entraObjectId.toLowerCase()));
  const referencedAppIds = new Set(
    (await ctx.store.management.listProducts()).flatMap((product) => (product.entraApplicationId ? [product.entraApplicationId.toLowerCase()] : [])),
  );
  const removed: string[] = [];
  for (const app of owned) {
    if (referencedObjects.has(app.id.toLowerCase()) || referencedAppIds.has(app.appId.toLowerCase())) continue;
    await removeAsManagedIdentity(ctx, `remove the orphaned directory application '${app.displayName}' (${app.id})`, (d) => d.deleteApplication(app.id));
    removed.push(app.id);
  }
  return { removedApplications: removed };
}
